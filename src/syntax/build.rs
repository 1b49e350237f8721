//! Building the syntax tree from pest pairs: the items of a file.
//!
//! This is the only place (with `build_expr`) that sees pest types. Errors
//! are collected, not returned at the first one, so a file with three
//! misplaced items gets three messages.

use pest::iterators::Pair;

use super::ast::*;
use super::error::SyntaxError;
use super::parser::{self, R};
use crate::span::{Span, Spanned};
use crate::value::FieldType;

/// Builds a [`Model`] from the `file` pair, collecting errors on the way.
pub(crate) struct Builder {
    pub(crate) errors: Vec<SyntaxError>,
    model: Model,
    /// Span of the first item that needs the fields to be declared.
    first_use: Option<Span>,
    /// Span of the first item, where a missing `fields` block is reported.
    first_item: Option<Span>,
    /// True while the previous item was a line of the stage ladder.
    in_ladder: bool,
    items_seen: usize,
    /// Where the text the current pairs were parsed from starts in the
    /// file (items are parsed one at a time, each from its own start).
    offset: usize,
}

impl Builder {
    pub(crate) fn new() -> Builder {
        Builder {
            errors: Vec::new(),
            model: Model {
                header: None,
                fields: None,
                events: Vec::new(),
                account: None,
                lets: Vec::new(),
                rules: Vec::new(),
                groups: Vec::new(),
                score_limits: None,
                stage: None,
                tiers: Vec::new(),
                tests: Vec::new(),
            },
            first_use: None,
            first_item: None,
            in_ladder: false,
            items_seen: 0,
            offset: 0,
        }
    }

    /// Build the model from the `file` pair.
    pub(crate) fn file(mut self, file: Pair<'_, R>) -> (Model, Vec<SyntaxError>) {
        for item in children(file) {
            self.item(item);
        }
        self.finish()
    }

    /// Add one item, parsed from the text that starts at `offset`.
    pub(crate) fn item_at(&mut self, item: Pair<'_, R>, offset: usize) {
        self.offset = offset;
        self.item(item);
    }

    /// The model of the items added so far.
    pub(crate) fn finish(mut self) -> (Model, Vec<SyntaxError>) {
        if self.model.fields.is_none() {
            let span = self.first_item.unwrap_or_default();
            self.errors
                .push(SyntaxError::MissingFields { span: span.into() });
        }
        (self.model, self.errors)
    }

    fn item(&mut self, item: Pair<'_, R>) {
        let rule = item.as_rule();
        if rule == R::EOI {
            return;
        }
        let was_ladder = std::mem::replace(&mut self.in_ladder, false);
        if self.first_item.is_none() {
            self.first_item = Some(self.span_of(&item));
        }
        if matches!(
            rule,
            R::when_rule
                | R::each_rule
                | R::group_decl
                | R::ladder_if
                | R::ladder_else
                | R::tier_decl
                | R::test_decl
        ) {
            self.note_use(self.span_of(&item));
        }
        match rule {
            R::model_decl => self.header(item),
            R::fields_block => self.fields(item),
            R::events_block => self.events(item),
            R::account_block => self.account(item),
            R::let_decl => self.let_decl(item),
            R::group_decl => self.group(item),
            R::score_limits => self.score_limits(item),
            R::when_rule | R::each_rule => {
                let rule = self.rule(item, None);
                self.model.rules.push(rule);
            }
            R::ladder_if => self.stage_step(item, was_ladder),
            R::ladder_else => self.stage_else(item, was_ladder),
            R::tier_decl => self.tier(item),
            R::test_decl => self.test(item),
            _ => {}
        }
        self.items_seen += 1;
    }

    /// The span of a pair in the file.
    pub(crate) fn span_of(&self, pair: &Pair<'_, R>) -> Span {
        let span = parser::span_of(pair);
        Span::new(span.start + self.offset, span.end + self.offset)
    }

    fn note_use(&mut self, span: Span) {
        if self.first_use.is_none() {
            self.first_use = Some(span);
        }
    }

    fn header(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        if let Some(first) = &self.model.header {
            let first = first.span;
            self.duplicate("model", span, first);
            return;
        }
        if self.items_seen > 0 {
            self.errors
                .push(SyntaxError::MisplacedHeader { span: span.into() });
        }
        let mut inner = children(item);
        let name = inner.next().map(|p| self.text(p));
        let version = inner.next().map(|v| {
            let span = self.span_of(&v);
            let inner = children(v).next();
            let text = match inner {
                Some(p) if p.as_rule() == R::text => self.text(p).node,
                Some(p) => p.as_str().to_string(),
                None => String::new(),
            };
            Spanned::new(text, span)
        });
        if let Some(name) = name {
            self.model.header = Some(Header {
                name,
                version,
                span,
            });
        }
    }

    fn duplicate(&mut self, what: &'static str, span: Span, first: Span) {
        self.errors.push(SyntaxError::DuplicateBlock {
            what,
            span: span.into(),
            first: first.into(),
        });
    }

    fn fields(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        if let Some(first) = &self.model.fields {
            let first = first.span;
            self.duplicate("fields", span, first);
            return;
        }
        if let Some(first_use) = self.first_use {
            self.errors.push(SyntaxError::FieldsTooLate {
                span: span.into(),
                first_use: first_use.into(),
            });
        }
        let fields = children(item)
            .filter(|p| p.as_rule() == R::field_decl)
            .filter_map(|p| self.field(p))
            .collect();
        self.model.fields = Some(FieldsBlock { fields, span });
    }

    fn field(&mut self, decl: Pair<'_, R>) -> Option<Field> {
        let span = self.span_of(&decl);
        let mut inner = children(decl);
        let name = self.name(inner.next()?);
        let ty_pair = inner.next()?;
        let ty = FieldType::from_keyword(ty_pair.as_str())?;
        let mut field = Field {
            name,
            ty: Spanned::new(ty, self.span_of(&ty_pair)),
            required: false,
            from: None,
            sep: None,
            modifiers: Vec::new(),
            key: None,
            time: None,
            span,
        };
        for option in inner.filter_map(|o| children(o).next()) {
            self.field_option(&mut field, option);
        }
        Some(field)
    }

    fn field_option(&mut self, field: &mut Field, option: Pair<'_, R>) {
        let span = self.span_of(&option);
        match option.as_rule() {
            R::required_opt => field.required = true,
            R::key_opt => field.key = Some(span),
            R::time_opt => field.time = Some(span),
            R::modifier => {
                if let Some(modifier) = self.modifier(option, span) {
                    field.modifiers.push(modifier);
                }
            }
            R::from_opt | R::sep_opt => {
                let is_from = option.as_rule() == R::from_opt;
                let Some(text) = children(option).find(|p| p.as_rule() == R::text) else {
                    return;
                };
                let value = Spanned::new(self.text(text).node, span);
                let slot = if is_from {
                    &mut field.from
                } else {
                    &mut field.sep
                };
                if let Some(first) = slot {
                    let what = if is_from { "from" } else { "sep" };
                    self.errors.push(SyntaxError::DuplicateOption {
                        what: what.into(),
                        span: span.into(),
                        first: first.span.into(),
                    });
                } else {
                    *slot = Some(value);
                }
            }
            _ => {}
        }
    }

    /// `decimal ","`, `format ["DD.MM.YYYY", "D/M/YYYY"]`, `true [ja]`.
    fn modifier(&mut self, option: Pair<'_, R>, span: Span) -> Option<Modifier> {
        let mut inner = children(option);
        let kind = inner.next()?;
        let value = inner.next()?;
        let kind = Spanned::new(
            ModifierKind::from_keyword(kind.as_str())?,
            self.span_of(&kind),
        );
        let value = self.literal(value)?;
        Some(Modifier { kind, value, span })
    }

    /// `events NAME { fields… }`.
    fn events(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        let mut name = None;
        let mut fields = Vec::new();
        for part in children(item) {
            match part.as_rule() {
                R::ident | R::reserved_word => name = Some(self.name(part)),
                R::field_decl => fields.extend(self.field(part)),
                _ => {}
            }
        }
        if let Some(name) = name {
            self.model.events.push(EventsBlock { name, fields, span });
        }
    }

    fn let_decl(&mut self, item: Pair<'_, R>) {
        if let Some(decl) = self.let_of(item) {
            self.model.lets.push(decl);
        }
    }

    fn let_of(&mut self, item: Pair<'_, R>) -> Option<Let> {
        let span = self.span_of(&item);
        let mut inner = children(item);
        let (Some(name), Some(value)) = (inner.next(), inner.next()) else {
            return None;
        };
        let name = self.name(name);
        let value = self.expr(value);
        Some(Let { name, value, span })
    }

    /// `account by FIELD { let NAME = AGG … }`, at most once.
    fn account(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        if let Some(first) = &self.model.account {
            let first = first.span;
            self.duplicate("account", span, first);
            return;
        }
        let mut by = None;
        let mut values = Vec::new();
        for part in children(item) {
            match part.as_rule() {
                R::ident | R::reserved_word => by = Some(self.name(part)),
                R::let_decl => values.extend(self.let_of(part)),
                _ => {}
            }
        }
        if let Some(by) = by {
            self.model.account = Some(AccountBlock { by, values, span });
        }
    }

    fn group(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        let index = self.model.groups.len();
        let mut name = None;
        let mut limits = Limits::default();
        for part in children(item) {
            match part.as_rule() {
                R::ident | R::reserved_word => name = Some(self.name(part)),
                R::limit => self.limit(&mut limits, part),
                R::when_rule | R::each_rule => {
                    let rule = self.rule(part, Some(index));
                    self.model.rules.push(rule);
                }
                _ => {}
            }
        }
        if let Some(name) = name {
            self.model.groups.push(Group { name, limits, span });
        }
    }

    fn score_limits(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        if let Some(first) = self.score_limits_span() {
            self.duplicate("score max/min", span, first);
            return;
        }
        let mut limits = Limits::default();
        for part in children(item).filter(|p| p.as_rule() == R::limit) {
            self.limit(&mut limits, part);
        }
        self.model.score_limits = Some(limits);
    }

    fn score_limits_span(&self) -> Option<Span> {
        let limits = self.model.score_limits.as_ref()?;
        limits.max.as_ref().or(limits.min.as_ref()).map(|l| l.span)
    }

    fn limit(&mut self, limits: &mut Limits, limit: Pair<'_, R>) {
        let span = self.span_of(&limit);
        let mut inner = children(limit);
        let (Some(kind), Some(value)) = (inner.next(), inner.next()) else {
            return;
        };
        let Some(number) = self.number(&value) else {
            return;
        };
        let is_max = kind.as_str() == "max";
        let slot = if is_max {
            &mut limits.max
        } else {
            &mut limits.min
        };
        if let Some(first) = slot {
            let what = if is_max { "max" } else { "min" };
            self.errors.push(SyntaxError::DuplicateOption {
                what: what.into(),
                span: span.into(),
                first: first.span.into(),
            });
            return;
        }
        *slot = Some(Spanned::new(number, span));
    }

    fn rule(&mut self, item: Pair<'_, R>, group: Option<usize>) -> Rule {
        let span = self.span_of(&item);
        let each = item.as_rule() == R::each_rule;
        let mut condition = None;
        let mut effect = Spanned::new(Effect::Add, span);
        let mut points = None;
        let mut reason = None;
        let mut decay = None;
        let mut max = None;
        for part in children(item) {
            match part.as_rule() {
                R::expr | R::event_set => condition = Some(self.expr(part)),
                R::decay => decay = self.decay(part),
                R::each_max => {
                    let span = self.span_of(&part);
                    let number = children(part).find(|p| p.as_rule() == R::number);
                    max = number
                        .and_then(|n| self.number(&n))
                        .map(|n| Spanned::new(n, span));
                }
                R::effect => {
                    let kind = if part.as_str() == "sub" {
                        Effect::Sub
                    } else {
                        Effect::Add
                    };
                    effect = Spanned::new(kind, self.span_of(&part));
                }
                R::points => points = children(part).next().map(|p| self.expr(p)),
                R::text => reason = Some(self.text(part)),
                _ => {}
            }
        }
        let placeholder = || Spanned::new(ExprKind::Invalid, span);
        Rule {
            each,
            condition: condition.unwrap_or_else(placeholder),
            effect,
            points: points.unwrap_or_else(placeholder),
            reason,
            decay,
            max,
            group,
            span,
        }
    }

    /// `decay half-life 30 days`, `decay linear 60 days`, `decay 50% every
    /// 1 month [since DATE]`.
    fn decay(&mut self, pair: Pair<'_, R>) -> Option<Decay> {
        let span = self.span_of(&pair);
        let mut form = None;
        let mut since = None;
        for part in children(pair) {
            let part_span = self.span_of(&part);
            let rule = part.as_rule();
            match rule {
                R::half_life | R::linear | R::percent_every => {
                    let mut inner = children(part);
                    let first = inner.next()?;
                    let percent = match rule {
                        R::percent_every => {
                            let digits = first.as_str().trim_end_matches('%');
                            let Some(p) = crate::value::parse_number_literal(digits) else {
                                self.errors.push(SyntaxError::InvalidNumber {
                                    text: first.as_str().into(),
                                    span: self.span_of(&first).into(),
                                });
                                return None;
                            };
                            Some(p)
                        }
                        _ => None,
                    };
                    let duration = inner.find(|p| p.as_rule() == R::duration)?;
                    let duration = self.duration(duration)?;
                    let kind = match (rule, percent) {
                        (R::half_life, _) => DecayForm::HalfLife(duration),
                        (R::linear, _) => DecayForm::Linear(duration),
                        (_, Some(percent)) => DecayForm::Every {
                            percent,
                            period: duration,
                        },
                        _ => return None,
                    };
                    form = Some(Spanned::new(kind, part_span));
                }
                R::since => {
                    since = children(part)
                        .find(|p| p.as_rule() == R::expr)
                        .map(|e| self.expr(e))
                }
                _ => {}
            }
        }
        Some(Decay {
            form: form?,
            since,
            span,
        })
    }

    fn stage_step(&mut self, item: Pair<'_, R>, was_ladder: bool) {
        let span = self.span_of(&item);
        let step = self.step(item);
        self.in_ladder = true;
        match &mut self.model.stage {
            None => {
                self.model.stage = Some(Ladder {
                    steps: vec![step],
                    otherwise: None,
                    span,
                })
            }
            Some(ladder) if was_ladder && ladder.otherwise.is_none() => {
                ladder.span = ladder.span.to(span);
                ladder.steps.push(step);
            }
            Some(ladder) => {
                let error = match &ladder.otherwise {
                    Some(otherwise) if was_ladder => SyntaxError::StepAfterElse {
                        span: span.into(),
                        otherwise: otherwise.span.into(),
                    },
                    _ => SyntaxError::SplitLadder {
                        span: span.into(),
                        first: ladder.span.into(),
                    },
                };
                self.errors.push(error);
            }
        }
    }

    fn stage_else(&mut self, item: Pair<'_, R>, was_ladder: bool) {
        let span = self.span_of(&item);
        let label = self.else_label(item);
        match &mut self.model.stage {
            Some(ladder) if was_ladder && ladder.otherwise.is_none() => {
                ladder.span = ladder.span.to(span);
                ladder.otherwise = label;
                self.in_ladder = true;
            }
            Some(ladder) if ladder.otherwise.is_some() => {
                let first = ladder.otherwise.as_ref().map_or(span, |o| o.span);
                self.errors.push(SyntaxError::DuplicateOption {
                    what: "else".into(),
                    span: span.into(),
                    first: first.into(),
                });
            }
            _ => self
                .errors
                .push(SyntaxError::ElseWithoutIf { span: span.into() }),
        }
    }

    fn step(&mut self, item: Pair<'_, R>) -> Step {
        let span = self.span_of(&item);
        let mut condition = None;
        let mut label = Spanned::new(String::new(), span);
        for part in children(item) {
            match part.as_rule() {
                R::expr => condition = Some(self.expr(part)),
                R::label => label = self.label(part),
                _ => {}
            }
        }
        Step {
            condition: condition.unwrap_or_else(|| Spanned::new(ExprKind::Invalid, span)),
            label,
            span,
        }
    }

    fn else_label(&mut self, item: Pair<'_, R>) -> Option<Spanned<String>> {
        let part = children(item).find(|p| p.as_rule() == R::label)?;
        Some(self.label(part))
    }

    fn label(&mut self, label: Pair<'_, R>) -> Spanned<String> {
        let span = self.span_of(&label);
        match children(label).next() {
            Some(p) if p.as_rule() == R::text => self.text(p),
            Some(p) => self.name(p),
            None => Spanned::new(String::new(), span),
        }
    }

    fn tier(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        let mut name = None;
        let mut ladder = Ladder {
            steps: Vec::new(),
            otherwise: None,
            span,
        };
        for part in children(item) {
            match part.as_rule() {
                R::ident | R::reserved_word => name = Some(self.name(part)),
                R::ladder_if => {
                    let step_span = self.span_of(&part);
                    let step = self.step(part);
                    if let Some(otherwise) = &ladder.otherwise {
                        self.errors.push(SyntaxError::StepAfterElse {
                            span: step_span.into(),
                            otherwise: otherwise.span.into(),
                        });
                    } else {
                        ladder.steps.push(step);
                    }
                }
                R::ladder_else => {
                    let else_span = self.span_of(&part);
                    let label = self.else_label(part);
                    self.tier_else(&mut ladder, label, else_span);
                }
                _ => {}
            }
        }
        if let Some(name) = name {
            self.model.tiers.push(Tier { name, ladder, span });
        }
    }

    fn tier_else(&mut self, ladder: &mut Ladder, label: Option<Spanned<String>>, span: Span) {
        if let Some(first) = &ladder.otherwise {
            self.errors.push(SyntaxError::DuplicateOption {
                what: "else".into(),
                span: span.into(),
                first: first.span.into(),
            });
        } else if ladder.steps.is_empty() {
            self.errors
                .push(SyntaxError::ElseWithoutIf { span: span.into() });
        } else {
            ladder.otherwise = label;
        }
    }

    fn test(&mut self, item: Pair<'_, R>) {
        let span = self.span_of(&item);
        let mut test = Test {
            name: Spanned::new(String::new(), span),
            as_of: None,
            given: Vec::new(),
            expects: Vec::new(),
            span,
        };
        for part in children(item) {
            match part.as_rule() {
                R::text => test.name = self.text(part),
                R::as_of => {
                    test.as_of = children(part)
                        .find(|p| p.as_rule() == R::date_lit)
                        .and_then(|p| self.date(&p));
                }
                R::given => {
                    for entry in children(part).filter(|p| p.as_rule() == R::given_entry) {
                        if let Some(given) = self.given_entry(entry) {
                            test.given.push(given);
                        }
                    }
                }
                R::expect => {
                    if let Some(expr) = children(part).find(|p| p.as_rule() == R::expr) {
                        test.expects.push(self.expr(expr));
                    }
                }
                _ => {}
            }
        }
        self.model.tests.push(test);
    }

    pub(crate) fn given_entry(&mut self, entry: Pair<'_, R>) -> Option<Given> {
        let mut inner = children(entry);
        let first = inner.next()?;
        let field = match first.as_rule() {
            R::account_ref => Spanned::new(first.as_str().to_string(), self.span_of(&first)),
            _ => self.name(first),
        };
        let value = inner.next()?.into_inner().next()?;
        let value = self.literal(value)?;
        Some(Given { field, value })
    }
}

/// The children of a pair that carry meaning: keywords and punctuation
/// tell nothing once the parse has succeeded.
pub(crate) fn children<'i>(pair: Pair<'i, R>) -> impl Iterator<Item = Pair<'i, R>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

/// Keyword and punctuation tokens.
fn is_token(rule: R) -> bool {
    matches!(
        rule,
        R::open_brace
            | R::close_brace
            | R::open_bracket
            | R::close_bracket
            | R::open_paren
            | R::close_paren
            | R::comma
            | R::colon
            | R::equals
            | R::kw_model
            | R::kw_version
            | R::kw_fields
            | R::kw_let
            | R::kw_group
            | R::kw_when
            | R::kw_if
            | R::kw_then
            | R::kw_else
            | R::kw_tier
            | R::kw_test
            | R::kw_as
            | R::kw_of
            | R::kw_given
            | R::kw_expect
            | R::kw_from
            | R::kw_sep
            | R::kw_events
            | R::kw_each
            | R::kw_decay
            | R::kw_since
            | R::kw_where
            | R::kw_max
            | R::kw_account
            | R::by_word
    )
}
