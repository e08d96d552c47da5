//! ACC-1: a school's mail domain, e.g. `paulusschule.example`.

/// Lower-cases and checks a domain name: labels of letters, digits and inner hyphens, at
/// least two of them, 253 characters at most.
pub fn normalise(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    (domain.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok)).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn acc_1_school_domains() {
        assert_eq!(
            normalise(" Paulusschule.Example. ").as_deref(),
            Some("paulusschule.example")
        );
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.b",
            "schule .de",
            "ä.de",
            "a/b.de",
        ] {
            assert_eq!(normalise(bad), None, "{bad:?}");
        }
    }
}
