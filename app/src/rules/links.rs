//! FLT-1, FLT-2: finding links in text and reducing each to the one form the blocklist is
//! compared in, however it was written: `HTTPS://WWW.Bad.Example./x`, `bad.example/x`,
//! `http://good@bad.example`, `http://b%61d.example`, `http://bäd.example` (punycode), and IP
//! addresses in any notation (`http://3232235777`, `0xC0.0xA8.1.1`, `[::ffff:c0a8:101]`).
//!
//! The rule lives here for both targets; the blocklist itself stays on the server.

/// A link as the blocklist sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// As it appeared in the text, for the message that names it.
    pub original: String,
    /// Lower case, punycode, no trailing dot, no `www.`; an IP address in its usual form.
    pub host: String,
    /// The path, percent-decoded and lower case, starting with `/` (or empty).
    pub path: String,
}

/// Characters that end a link in running text or markup.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '`' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^'
        )
}

/// Every link in `text`, in order. Bare domains (`bad.example/x`) count as links when their
/// last label looks like a top-level domain.
pub fn find_links(text: &str) -> Vec<Link> {
    let mut links = Vec::new();
    // IPv6 literals keep their brackets: split on separators, except inside `[...]` after `//`.
    for raw in tokens(text) {
        let token = raw.trim_end_matches(['.', ',', ';', ':', '!', '?', '*']);
        let token = token.trim_start_matches(['*', '=']);
        // `URL=https://…` (a .url file) or `href=//…`: the link starts at its scheme.
        let token = match token.find("://") {
            Some(pos) => {
                let start = token[..pos]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
                    .map_or(0, |i| i + 1);
                &token[start..]
            }
            None => token,
        };
        if let Some(link) = parse(token) {
            links.push(link);
        }
    }
    links
}

fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut in_brackets = false;
    for (i, c) in text.char_indices() {
        let keep = !is_separator(c)
            || (in_brackets && c == ']')
            || (c == '[' && text[..i].ends_with("//"));
        if c == '[' && text[..i].ends_with("//") {
            in_brackets = true;
        } else if c == ']' {
            in_brackets = false;
        }
        match (keep, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// A single token as a link, if it is one.
pub fn parse(token: &str) -> Option<Link> {
    if token.len() < 4 || token.len() > 4096 {
        return None;
    }
    let lower = token.to_lowercase();
    let (rest, explicit) = if let Some(pos) = lower.find("://") {
        let scheme = &lower[..pos];
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return None;
        }
        (&token[pos + 3..], true)
    } else if let Some(rest) = token.strip_prefix("//") {
        (rest, true)
    } else {
        (token, false)
    };
    // Browsers treat a backslash like a slash.
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    // `user:password@` before the host is decoration; the host comes after the last `@`.
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if !explicit && authority.contains('@') {
        // An e-mail address, not a link.
        return None;
    }
    let raw_host = strip_port(host_port);
    let host = canonical_host(&percent_decode(raw_host))?;
    if !explicit && !looks_like_domain(raw_host, &host) {
        return None;
    }
    let path = percent_decode(&path.replace('\\', "/")).to_lowercase();
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    Some(Link {
        original: token.to_string(),
        host,
        path,
    })
}

fn strip_port(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return host_port
            .find(']')
            .map(|end| &host_port[..=end])
            .unwrap_or(host_port);
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A bare word counts as a domain when its last label is letters only (a top-level domain)
/// and there is something before it. A bare IP address must be written out in four parts:
/// "8.30" is a time, not 8.0.0.30.
fn looks_like_domain(raw: &str, host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return raw.split('.').count() == 4 && raw.chars().all(|c| c.is_ascii_digit() || c == '.');
    }
    match host.rsplit_once('.') {
        Some((before, tld)) => {
            !before.is_empty()
                && tld.len() >= 2
                && (tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--"))
        }
        None => false,
    }
}

/// The canonical form of a host: see [`Link::host`]. `None` when it cannot be a host.
pub fn canonical_host(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.').to_lowercase();
    if host.is_empty() {
        return None;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let v6: std::net::Ipv6Addr = inner.parse().ok()?;
        return Some(match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        });
    }
    if let Some(v4) = ipv4_any_notation(&host) {
        return Some(v4.to_string());
    }
    let ascii = idna::domain_to_ascii(&host).ok()?;
    let ascii = ascii.trim_end_matches('.');
    if ascii.is_empty()
        || ascii.len() > 253
        || !ascii
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return None;
    }
    Some(ascii.strip_prefix("www.").unwrap_or(ascii).to_string())
}

/// What `inet_aton` accepts: one to four parts, each decimal, `0x` hex or `0` octal; the
/// last part fills the remaining bytes (`http://3232235777` is 192.168.1.1).
fn ipv4_any_notation(host: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| {
            if let Some(hex) = p.strip_prefix("0x") {
                u64::from_str_radix(hex, 16).ok()
            } else if p.len() > 1 && p.starts_with('0') {
                u64::from_str_radix(&p[1..], 8).ok()
            } else if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    let (last, first) = numbers.split_last()?;
    if first.iter().any(|&n| n > 255) {
        return None;
    }
    let room = 8 * (4 - first.len() as u32);
    if *last >= 1u64 << room {
        return None;
    }
    let mut value: u64 = 0;
    for (i, n) in first.iter().enumerate() {
        value |= n << (24 - 8 * i as u32);
    }
    value |= last;
    Some(std::net::Ipv4Addr::from(value as u32))
}

/// The host and each domain above it: `a.b.example`, `b.example`, `example`. A blocked domain
/// blocks all of its subdomains.
pub fn host_and_parents(host: &str) -> Vec<String> {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return vec![host.to_string()];
    }
    let mut out = vec![host.to_string()];
    let mut rest = host;
    while let Some((_, parent)) = rest.split_once('.') {
        out.push(parent.to_string());
        rest = parent;
    }
    out
}

/// One line of a list file as (host, path prefix): `bad.example`, `0.0.0.0 bad.example`
/// (hosts-file format), `https://bad.example/path`. Comments start with `#`.
pub fn parse_list_line(line: &str) -> Option<(String, String)> {
    let line = line.split('#').next().unwrap_or_default().trim();
    if line.is_empty() {
        return None;
    }
    let mut words = line.split_whitespace();
    let first = words.next()?;
    let entry = match words.next() {
        // Hosts-file format: the address that hosts resolve to, then the host.
        Some(second) if first.parse::<std::net::IpAddr>().is_ok() => second,
        _ => first,
    };
    let link = parse(entry).or_else(|| parse(&format!("http://{entry}")))?;
    // A list entry names a domain (with a dot) or an address, never a single word.
    if !link.host.contains(['.', ':']) {
        return None;
    }
    if matches!(
        link.host.as_str(),
        "localhost" | "0.0.0.0" | "127.0.0.1" | "::1" | "broadcasthost"
    ) {
        return None;
    }
    Some((link.host, link.path.trim_end_matches('/').to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(text: &str) -> Vec<String> {
        find_links(text).into_iter().map(|l| l.host).collect()
    }

    #[test]
    fn flt_2_links_are_canonicalised_before_matching() {
        assert_eq!(
            hosts("Schau mal: HTTPS://WWW.Bad.Example./Spiel"),
            ["bad.example"]
        );
        assert_eq!(
            hosts("bad.example/x und noch www.bad.example"),
            ["bad.example", "bad.example"]
        );
        assert_eq!(hosts("http://good.example@bad.example/"), ["bad.example"]);
        assert_eq!(hosts("http://user:pw@bad.example:8080/x"), ["bad.example"]);
        assert_eq!(hosts("http://b%61d.example"), ["bad.example"]);
        assert_eq!(hosts("http://bäd.example"), ["xn--bd-via.example"]);
        assert_eq!(hosts("http://3232235777/"), ["192.168.1.1"]);
        assert_eq!(hosts("http://0xC0.0xA8.1.1"), ["192.168.1.1"]);
        assert_eq!(hosts("http://0300.0250.0.01"), ["192.168.0.1"]);
        assert_eq!(hosts("http://192.168.257"), ["192.168.1.1"]);
        assert_eq!(hosts("http://[::ffff:c0a8:101]/"), ["192.168.1.1"]);
        assert_eq!(hosts("http://[2001:DB8::1]:80/"), ["2001:db8::1"]);
        assert_eq!(hosts("<a href=\"//bad.example\">x</a>"), ["bad.example"]);
        assert_eq!(
            hosts("[InternetShortcut]\r\nURL=https://bad.example/"),
            ["bad.example"]
        );
        assert_eq!(hosts("https:\\\\bad.example\\x"), Vec::<String>::new());
        assert_eq!(hosts("http://bad.example\\x"), ["bad.example"]);
        assert_eq!(
            find_links("http://bad.example/Spiele/%41bc?x=1")[0].path,
            "/spiele/abc"
        );
    }

    #[test]
    fn flt_1_ordinary_text_has_no_links() {
        assert!(find_links("Wir treffen uns um 8.30 Uhr. Ende.").is_empty());
        assert!(find_links("Mail an lena.m@paulusschule.example bitte").is_empty());
        assert!(find_links("Seite 3.5 und z.B. Aufgabe 1.2").is_empty());
        assert_eq!(hosts("Server 10.0.0.7/admin"), ["10.0.0.7"]);
        assert_eq!(hosts("(siehe kinder.example)."), ["kinder.example"]);
    }

    #[test]
    fn flt_1_subdomains_and_list_lines() {
        assert_eq!(
            host_and_parents("a.b.example"),
            ["a.b.example", "b.example", "example"]
        );
        assert_eq!(host_and_parents("10.0.0.1"), ["10.0.0.1"]);
        assert_eq!(
            parse_list_line("0.0.0.0 Bad.Example # ads"),
            Some(("bad.example".into(), String::new()))
        );
        assert_eq!(parse_list_line("127.0.0.1 localhost"), None);
        assert_eq!(parse_list_line("# comment"), None);
        assert_eq!(parse_list_line("kein link"), None);
        assert_eq!(
            parse_list_line("https://www.bad.example/spiele/"),
            Some(("bad.example".into(), "/spiele".into()))
        );
        assert_eq!(
            parse_list_line("bad.example"),
            Some(("bad.example".into(), String::new()))
        );
    }
}
