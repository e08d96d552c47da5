//! MAIL-1: what a message body may contain. Whatever comes in (typed text with a little
//! formatting, or HTML from an API client) leaves through ammonia with a short allow-list:
//! bold, italic, lists, paragraphs and links. Script, style, images and event handlers never
//! survive.
use std::collections::HashSet;

fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from([
            "p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "a",
        ]))
        .tag_attributes(std::collections::HashMap::from([(
            "a",
            HashSet::from(["href"]),
        )]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean_content_tags(HashSet::from(["script", "style"]));
    builder
}

/// Safe HTML from untrusted HTML.
pub fn clean_html(html: &str) -> String {
    sanitiser().clean(html).to_string()
}

/// Typed text with `**bold**`, `*italic*`, `- lists` and links, every line break kept.
pub fn from_typed(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, html};
    let events = Parser::new(text).map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    clean_html(&linkify(&out))
}

/// Bare web addresses in text become links (inside already-made links they are left alone).
fn linkify(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_link = false;
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with("<a ") {
            in_link = true;
        } else if rest.starts_with("</a>") {
            in_link = false;
        }
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        if in_link {
            out.push_str(text);
        } else {
            for (i, word) in text.split(' ').enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if (word.starts_with("https://") || word.starts_with("http://")) && word.len() > 8 {
                    out.push_str(&format!("<a href=\"{word}\">{word}</a>"));
                } else {
                    out.push_str(word);
                }
            }
        }
        rest = &rest[end..];
    }
    out
}

/// The plain text of sanitised HTML, for search and for the `.eml` export.
pub fn to_text(html: &str) -> String {
    let spaced = html
        .replace("<br>", "\n")
        .replace("</p>", "\n\n")
        .replace("</li>", "\n");
    let stripped = ammonia::Builder::empty().clean(&spaced).to_string();
    stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Plain text as HTML: escaped, line breaks kept (notices and quoted replies).
pub fn from_plain(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    format!("<p>{}</p>", escaped.replace('\n', "<br>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_1_typed_formatting_survives_and_nothing_else_does() {
        let html = from_typed(
            "Hallo **Klasse**,\n*bitte* lesen:\n\n- Brot\n- Apfel\n\nhttps://schule.example/plan",
        );
        assert!(html.contains("<strong>Klasse</strong>"), "{html}");
        assert!(html.contains("<em>bitte</em>"), "{html}");
        assert!(html.contains("<li>Brot</li>"), "{html}");
        assert!(html.contains("<br>"), "{html}");
        assert!(
            html.contains("href=\"https://schule.example/plan\""),
            "{html}"
        );
        let typed_html = from_typed("<script>alert(1)</script><img src=x onerror=alert(1)>");
        assert!(!typed_html.contains("<script"), "{typed_html}");
        assert!(!typed_html.contains("<img"), "{typed_html}");
        assert_eq!(to_text("<p>a &amp; b</p><p>c</p>"), "a & b\n\nc");
    }
}
