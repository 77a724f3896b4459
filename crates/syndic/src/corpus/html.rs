//! HTML pages: the visible text of a page, one line per block element, with
//! scripts, styles, navigation, forms, asides and footers dropped, entities
//! decoded, and the `<title>` kept as the title. A tolerant scanner, not a full
//! HTML5 parser: it never fails, whatever the markup. Site chrome that survives
//! (menus in plain `div`s, promos) is left to the boilerplate stage.

/// Elements whose content is raw text (never markup), skipped wholesale.
const RAW_TEXT: &[&str] = &["script", "style"];

/// Elements whose content is never article text. If one is left unclosed
/// (broken markup), the page is extracted again without skipping it, so that
/// no article text is lost to it.
const SKIPPED: &[&str] = &[
    "noscript", "template", "svg", "nav", "iframe", "form", "button", "select", "aside", "footer",
];

/// Elements that end a line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "figure",
    "header",
    "main",
    "hr",
    "body",
    "address",
    "time",
];

/// Extracts `(title, text)` from an HTML document.
pub fn extract(html: &str) -> (Option<String>, String) {
    let mut skipped: Vec<&str> = SKIPPED.to_vec();
    loop {
        match extract_skipping(html, &skipped) {
            Ok(found) => return found,
            Err(unclosed) => skipped.retain(|s| *s != unclosed),
        }
    }
}

/// One extraction pass; `Err(name)` when skipped element `name` never closes.
fn extract_skipping(html: &str, skipped: &[&str]) -> Result<(Option<String>, String), String> {
    let bytes = html.as_bytes();
    let mut text = String::with_capacity(html.len() / 3);
    let mut title: Option<String> = None;
    let mut skip: Option<(String, usize)> = None;
    let mut i = 0;
    let mut run_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if skip.is_none() {
            push_text(&html[run_start..i], &mut text);
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
            run_start = i;
            continue;
        }
        let end = tag_end(bytes, i);
        let inner_end = if bytes[end - 1] == b'>' && end - 1 > i {
            end - 1
        } else {
            end
        };
        let tag = &html[i + 1..inner_end];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let self_closing = tag.ends_with('/');
        i = end;
        run_start = i;
        if !closing && (RAW_TEXT.contains(&name.as_str()) || (name == "title" && title.is_none())) {
            let close = find_ci(html, i, &format!("</{name}")).unwrap_or(bytes.len());
            if name == "title" {
                let t = collapse(&html_escape::decode_html_entities(&html[i..close]));
                title = (!t.is_empty()).then_some(t);
            }
            i = if close < bytes.len() {
                tag_end(bytes, close)
            } else {
                close
            };
            run_start = i;
            continue;
        }
        match &mut skip {
            Some((skipped, depth)) => {
                if name == *skipped {
                    if closing {
                        *depth -= 1;
                        if *depth == 0 {
                            skip = None;
                        }
                    } else if !self_closing {
                        *depth += 1;
                    }
                }
            }
            None => {
                if !closing && !self_closing && skipped.contains(&name.as_str()) {
                    skip = Some((name, 1));
                } else if BLOCKS.contains(&name.as_str())
                    && !text.ends_with('\n')
                    && !text.is_empty()
                {
                    text.push('\n');
                }
            }
        }
    }
    if let Some((unclosed, _)) = skip {
        return Err(unclosed);
    }
    if run_start < bytes.len() {
        push_text(&html[run_start..], &mut text);
    }
    let text = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Ok((title, text))
}

/// Index just past the `>` closing the tag that starts at `start`, honouring quotes.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (k, &b) in bytes.iter().enumerate().skip(start + 1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return k + 1,
            None => {}
        }
    }
    bytes.len()
}

fn find_ci(haystack: &str, from: usize, needle: &str) -> Option<usize> {
    let lower_needle = needle.as_bytes();
    haystack.as_bytes()[from..]
        .windows(lower_needle.len())
        .position(|w| w.eq_ignore_ascii_case(lower_needle))
        .map(|p| from + p)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn push_text(raw: &str, out: &mut String) {
    if raw.trim().is_empty() {
        if !raw.is_empty() && !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        return;
    }
    let decoded = html_escape::decode_html_entities(raw);
    if decoded.starts_with(char::is_whitespace) && !out.ends_with([' ', '\n']) && !out.is_empty() {
        out.push(' ');
    }
    out.push_str(&collapse(&decoded));
    if decoded.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_visible_text_drops_chrome() {
        let html = r#"<!DOCTYPE html><html><head><title>Bridge &amp; Tunnel</title><style>p{}</style></head>
<body><nav><ul><li>Home</li><li>World</li></ul></nav>
<script>var x = "<p>not text</p>";</script>
<article><h1>Bridge to close</h1><p>The <b>Northgate</b> bridge&nbsp;will close.</p><!-- ad --><p>Second&#8217;s para</p></article>
<aside>Related</aside><footer>© Site</footer></body></html>"#;
        let (title, text) = extract(html);
        assert_eq!(title.as_deref(), Some("Bridge & Tunnel"));
        assert_eq!(
            text,
            "Bridge to close\nThe Northgate bridge will close.\nSecond\u{2019}s para"
        );
    }

    #[test]
    fn never_fails_on_broken_markup() {
        for html in [
            "<",
            "<p",
            "<script>unterminated",
            "text <b>bold",
            "<div><nav>open",
            "<a href='>'>x</a>",
        ] {
            let _ = extract(html);
        }
        assert_eq!(extract("<a href='x>y'>link</a> text").1, "link text");
        assert_eq!(
            extract("<nav>Menu<p>Story text").1,
            "Menu\nStory text",
            "unclosed nav is kept"
        );
        assert_eq!(
            extract("<head><script>x='<head>'</script></head><p>Body").1,
            "Body"
        );
    }
}
