//! ACC-3/ACC-4: class names as schools write them: a grade 1–4 and a letter, "1a" … "4d".

/// `" 2B "` → `("2b", 2)`.
pub fn parse(name: &str) -> Option<(String, i64)> {
    let name = name.trim().to_lowercase();
    let mut chars = name.chars();
    let grade = chars.next()?.to_digit(10)? as i64;
    let rest: String = chars.collect();
    let rest = rest.trim();
    let letter_ok = rest.chars().count() == 1 && rest.chars().all(|c| c.is_ascii_lowercase());
    ((1..=4).contains(&grade) && letter_ok).then(|| (format!("{grade}{rest}"), grade))
}

/// The same class one school year later: "1a" → "2a". `None` for the final grade.
pub fn next_year(name: &str) -> Option<String> {
    let (name, grade) = parse(name)?;
    (grade < 4).then(|| format!("{}{}", grade + 1, &name[1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc_3_class_names() {
        assert_eq!(parse(" 2B "), Some(("2b".into(), 2)));
        assert_eq!(parse("4 d"), Some(("4d".into(), 4)));
        for bad in ["", "5a", "0a", "a2", "2", "2ab", "2ä"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn acc_4_end_of_year_moves_classes_up() {
        assert_eq!(next_year("1a").as_deref(), Some("2a"));
        assert_eq!(next_year("3c").as_deref(), Some("4c"));
        assert_eq!(next_year("4d"), None, "the final grade leaves");
    }
}
