//! The closest known name by edit distance (the "did you mean …?" words
//! are in `error.rs`).

/// The candidate nearest to `wanted` by edit distance, ignoring case, however
/// far: for naming the column a user probably meant. The first of equals wins.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&wanted, &c.to_lowercase()), c))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// The candidate closest to `wanted`, if it is close enough to be a typo.
/// Of equally close ones, the first by name: callers pass names from hash
/// maps, and the same model must get the same message every run.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_folded = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .map(|c| (strsim::levenshtein(&wanted_folded, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, name)| (*distance, *name))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_but_not_strangers() {
        let names = ["job_title", "employees", "industry"];
        assert_eq!(closest("job_titel", names), Some("job_title"));
        assert_eq!(closest("Employes", names), Some("employees"));
        assert_eq!(closest("revenue", names), None);
        assert_eq!(closest("x", names), None);
    }

    #[test]
    fn of_equally_close_names_the_first_by_name_wins_in_any_order() {
        assert_eq!(closest("fir", ["fit", "fix"]), Some("fit"));
        assert_eq!(closest("fir", ["fix", "fit"]), Some("fit"));
    }
}
