//! `--events NAME=FILE` as written: which block each value gives the
//! file of, and what is wrong with a value that names none (spec: CLI.md,
//! `tally score`: `--events FILE` when the model has exactly one).

use super::events::{EventsArgs, EventsFailure};
use crate::plan::Plan;

impl EventsArgs {
    /// The file of each source of the plan, in order.
    pub fn files(&self, plan: &Plan) -> Result<Vec<String>, EventsFailure> {
        self.files_among(plan, &[plan])
    }

    /// The file of each source of `plan`, one of the models `all` that
    /// the command reads: the option may name the blocks of any of them
    /// (`diff OLD NEW` where only NEW reads events), and the blocks
    /// of the same name share their file.
    pub fn files_among(&self, plan: &Plan, all: &[&Plan]) -> Result<Vec<String>, EventsFailure> {
        let fail = EventsFailure::run;
        let mut names: Vec<&str> = Vec::new();
        for source in all.iter().flat_map(|p| p.events.iter()) {
            if !names.contains(&source.name.as_str()) {
                names.push(&source.name);
            }
        }
        if names.is_empty() && !self.events.is_empty() {
            let which = if all.len() > 1 {
                "neither model has an"
            } else {
                "the model has no"
            };
            return Err(fail(format!(
                "`--events` was given, but {which} `events` block"
            )));
        }
        let mut files: Vec<Option<String>> = vec![None; names.len()];
        for given in &self.events {
            let (index, path) = resolve(given, &names).map_err(fail)?;
            let Some(slot) = files.get_mut(index) else {
                continue;
            };
            if slot.is_some() {
                return Err(fail(format!(
                    "`--events` gives the file of `{}` twice",
                    names.get(index).unwrap_or(&"")
                )));
            }
            *slot = Some(path.to_string());
        }
        if files.iter().flatten().filter(|f| *f == "-").count() > 1 {
            return Err(fail(
                "only one `--events` file can be standard input: give the others by name".into(),
            ));
        }
        let file_of = |name: &str| {
            let at = names.iter().position(|n| *n == name);
            at.and_then(|i| files.get(i).cloned().flatten())
        };
        (plan.events.iter())
            .map(|source| (source.name.as_str(), file_of(&source.name)))
            .map(|(name, file)| {
                file.ok_or_else(|| {
                    fail(format!(
                        "the model reads the events `{name}`: give their file with `--events {name}=FILE`"
                    ))
                })
            })
            .collect()
    }
}

/// Which source an `--events` value gives the file of (its index among
/// `names`, the model's blocks), and the file's path.
fn resolve<'g>(given: &'g str, names: &[&str]) -> Result<(usize, &'g str), String> {
    let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
    let listed = listed.join(", ");
    // `NAME=FILE` when NAME is a word (a path may hold `=` too: `./a=b`).
    let word = |name: &str| name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let example = |name: &str, path: &str| match path {
        "" => format!("`--events {name}={name}.csv`"),
        _ => format!("`--events {name}={path}`"),
    };
    match (given.split_once('='), names) {
        (Some((name, "")), _) if names.contains(&name) => Err(format!(
            "`--events {given}` names no file: write the file of the events `{name}` after \
             `=`, as {}",
            example(name, "")
        )),
        (Some((name, path)), _) if names.contains(&name) => names
            .iter()
            .position(|n| *n == name)
            .map(|i| (i, path))
            .ok_or_else(String::new),
        (Some(("", path)), [only]) => Err(format!(
            "`--events {given}` names no events block before `=`: write {}",
            example(only, path)
        )),
        (Some(("", _)), _) => Err(format!(
            "`--events {given}` names no events block before `=`: write `--events NAME=FILE` \
             with NAME one of {listed}"
        )),
        (Some((name, _)), _) if word(name) => Err(format!(
            "cannot tell which events `{given}` are: the model has no events block `{name}`; \
             its blocks: {listed}"
        )),
        (_, [_]) if given.is_empty() => Err(format!(
            "`--events` names no file: write {}",
            example(names.first().unwrap_or(&"NAME"), "")
        )),
        (_, [_]) => Ok((0, given)),
        _ => Err(format!(
            "cannot tell which events `{given}` are: the model has several events blocks \
             ({listed}): write `--events NAME=FILE` for each"
        )),
    }
}
