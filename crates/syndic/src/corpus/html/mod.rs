//! HTML pages: decoding (BOM, declared charset, detection), a tolerant tree
//! ([`tree`]), and the article's text ([`content`]), with the `<title>` as
//! the title and the publication time and address the markup gives
//! ([`meta`]). Site chrome that survives extraction (promos in the article
//! container) is left to the boilerplate stage.

pub mod content;
pub mod meta;
pub mod tree;

use tree::Tree;

/// Decodes the bytes of a page into text. The encoding is, in order: the one
/// a byte-order mark names; UTF-8 when the bytes are valid UTF-8 (a page
/// saved as UTF-8 by a scraper often still declares its original charset);
/// the charset the page declares in its first 4 KB (`<meta charset>` or
/// `http-equiv="Content-Type"`); otherwise the one `chardetng` guesses from
/// the bytes. Never fails: bytes that are invalid in the chosen encoding
/// become U+FFFD.
pub fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned()
            .into();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.into();
    }
    let encoding = declared_charset(&bytes[..bytes.len().min(4096)]).unwrap_or_else(|| {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        detector.guess(None, chardetng::Utf8Detection::Deny)
    });
    encoding
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
        .into()
}

/// The encoding named by a `charset=` in the head of a page, if it is one
/// encoding_rs knows (labels as the WHATWG Encoding Standard maps them, so
/// `iso-8859-1` is windows-1252). UTF-16 labels are ignored, as browsers do
/// for a declaration read from ASCII-compatible bytes.
fn declared_charset(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&lower[from..], b"charset") {
        let mut i = from + at + b"charset".len();
        from = i;
        while i < lower.len() && lower[i].is_ascii_whitespace() {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < lower.len() && matches!(lower[i], b' ' | b'\t' | b'"' | b'\'') {
            i += 1;
        }
        let end = lower[i..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
            .map_or(lower.len(), |p| i + p);
        if let Some(encoding) = encoding_rs::Encoding::for_label(&lower[i..end]) {
            if encoding != encoding_rs::UTF_16LE && encoding != encoding_rs::UTF_16BE {
                return Some(encoding);
            }
        }
    }
    None
}

/// What [`extract`] reads from a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The `<title>`.
    pub title: Option<String>,
    /// The article's text.
    pub text: String,
    /// The publication time its markup gives ([`meta`]).
    pub published: Option<String>,
    /// Its own URL, as its markup gives it ([`meta`]).
    pub url: Option<String>,
}

/// Extracts a [`Page`] from HTML: the `<title>`, the text of the article
/// ([`content::article_text`]) or, on a page with no article-sized
/// container, all its visible text, and the publication time and URL of
/// its markup ([`meta`]). Never fails.
pub fn extract(html: &str) -> Page {
    let tree = Tree::parse(html);
    let text = content::article_text(&tree).unwrap_or_else(|| content::visible_text(&tree));
    Page {
        title: tree.title,
        text,
        published: tree.meta.published,
        url: tree.meta.url,
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
        let page = extract(html);
        assert_eq!(page.title.as_deref(), Some("Bridge & Tunnel"));
        assert_eq!(
            page.text,
            "Bridge to close\nThe Northgate bridge will close.\nSecond\u{2019}s para"
        );
    }

    #[test]
    fn decodes_the_declared_or_detected_charset() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><p>caf\xe9 cr\xe8me</p>";
        assert!(decode(latin1).contains("caf\u{e9} cr\u{e8}me"));
        let equiv = b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>";
        assert!(decode(equiv).contains("\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}"));
        // Saved as UTF-8 by a scraper, still declaring its old charset.
        let resaved = "<meta charset=iso-8859-1><p>caf\u{e9}</p>";
        assert!(decode(resaved.as_bytes()).contains("caf\u{e9}"));
        // No declaration: guessed from the bytes.
        let undeclared =
            b"<p>Le caf\xe9 est tr\xe8s r\xe9put\xe9 \xe0 Paris, pr\xe8s de l'\xe9glise.</p>";
        assert!(decode(undeclared).contains("caf\u{e9} est tr\u{e8}s"));
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("<p>caf\u{e9}</p>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), "<p>caf\u{e9}</p>");
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
        assert_eq!(extract("<a href='x>y'>link</a> text").text, "link text");
        assert_eq!(
            extract("<nav>Menu<p>Story text").text,
            "Menu\nStory text",
            "unclosed nav is kept"
        );
        assert_eq!(
            extract("<head><script>x='<head>'</script></head><p>Body").text,
            "Body"
        );
    }
}
