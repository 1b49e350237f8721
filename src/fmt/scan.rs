//! A small lexical scan of model text: where the comments are, and the
//! code tokens around them.
//!
//! pest skips comments, so the formatter finds them here. Only text
//! literals and backtick names can hold a `#` that does not start a
//! comment; everything else is split into words and single characters,
//! which is all the formatter needs to find braces and keywords.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `# …` up to the end of the line.
    Comment,
    /// Anything else: a word, a text literal, a backtick name, a character.
    Code,
}

/// One token: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text.
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or_default()
    }
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Split `text` into tokens, skipping whitespace.
pub fn scan(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind = match c {
            c if is_space(c) => continue,
            '#' => {
                skip_while(&mut chars, |c| c != '\n');
                Kind::Comment
            }
            '"' => {
                skip_text(&mut chars);
                Kind::Code
            }
            '`' => {
                skip_while(&mut chars, |c| c != '`' && c != '\n');
                chars.next_if(|&(_, c)| c == '`');
                Kind::Code
            }
            c if is_word(c) => {
                skip_while(&mut chars, is_word);
                Kind::Code
            }
            _ => Kind::Code,
        };
        let end = chars.peek().map_or(text.len(), |&(i, _)| i);
        tokens.push(Token { kind, start, end });
    }
    tokens
}

/// The texts of every comment, without trailing whitespace.
pub fn comment_texts(text: &str) -> Vec<String> {
    scan(text)
        .into_iter()
        .filter(|t| t.kind == Kind::Comment)
        .map(|t| t.text(text).trim_end().to_string())
        .collect()
}

/// Whitespace as the grammar has it.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn skip_while(chars: &mut Chars<'_>, keep: impl Fn(char) -> bool) {
    while chars.next_if(|&(_, c)| keep(c)).is_some() {}
}

/// After the opening `"`: up to and including the closing one, with the
/// grammar's escapes (`\` takes any next character). Stops before a line
/// break, where the grammar stops too.
fn skip_text(chars: &mut Chars<'_>) {
    while let Some((_, c)) = chars.next_if(|&(_, c)| c != '\n') {
        match c {
            '"' => return,
            '\\' => {
                chars.next();
            }
            _ => {}
        }
    }
}

/// True when the text between two positions holds a line with nothing on
/// it but whitespace, `;` or `,` (the separators the formatter drops).
pub fn blank_between(text: &str, from: usize, to: usize) -> bool {
    let gap = text.get(from..to).unwrap_or_default();
    let lines: Vec<&str> = gap.split('\n').collect();
    let inner = lines.len().saturating_sub(1);
    lines
        .iter()
        .take(inner)
        .skip(1)
        .any(|line| line.chars().all(|c| is_space(c) || c == ';' || c == ','))
}

/// True when a line break lies between two positions.
pub fn line_break_between(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to).is_some_and(|gap| gap.contains('\n'))
}
