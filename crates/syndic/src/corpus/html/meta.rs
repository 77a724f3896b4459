//! What a page says about itself in its markup: when it was published and
//! its address. A scraped page carries both in its head as news sites
//! write them for search engines and social cards: `<meta
//! property="article:published_time">`, schema.org's `datePublished` (as
//! `itemprop` or in JSON-LD), `<link rel="canonical">`, `og:url`. The
//! publication time gives a page its place in time (the story window, the
//! origin of a group); the address's host is its site, whose pages the
//! boilerplate stage learns together.
//!
//! Only a value syndic can read is taken ([`crate::corpus::parse_time`] for
//! a time; an absolute `http(s)` URL), and of several the most specific
//! kind wins (the first of a kind). A `<time>` element counts only when it
//! says it is the publication time (`pubdate`, `itemprop="datePublished"`):
//! a page's first `<time>` is as often a comment's or an update's. A page
//! whose head gives no time but whose address holds a date
//! (`https://www.cnn.com/2019/11/18/health/...`) is dated by it, at
//! midnight UTC ([`PageMeta::finish`]).

/// A page's publication time and address, as its markup gives them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageMeta {
    /// The publication time as written (e.g. `2019-11-19T14:05:00Z`).
    pub published: Option<String>,
    /// The page's own URL.
    pub url: Option<String>,
    /// How specific the kinds that gave them are (lower is better).
    published_rank: u8,
    url_rank: u8,
}

/// `<meta>` names (`property`, `name` or `itemprop`, lower-cased) that give
/// the publication time, with their rank: Open Graph's and schema.org's
/// first, then the names of common publishing systems.
const PUBLISHED_NAMES: &[(&str, u8)] = &[
    ("article:published_time", 0),
    ("og:article:published_time", 0),
    ("datepublished", 0),
    ("pubdate", 2),
    ("publishdate", 2),
    ("publish-date", 2),
    ("publish_date", 2),
    ("article.published", 2),
    ("original-publish-date", 2),
    ("parsely-pub-date", 2),
    ("sailthru.date", 2),
    ("dc.date.issued", 2),
    ("dc.date", 2),
    ("dcterms.created", 2),
    ("date", 2),
];

/// The rank of schema.org's `datePublished` in JSON-LD.
const JSON_LD_RANK: u8 = 1;

/// The rank of a date in the page's URL ([`PageMeta::finish`]).
const URL_RANK: u8 = 3;

impl PageMeta {
    /// Reads a `<meta>`, `<link>` or `<time>` tag's attributes (names
    /// lower-cased, values as written).
    pub(super) fn tag(&mut self, name: &str, attrs: &[(String, &str)]) {
        let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        match name {
            "meta" => {
                let Some(content) = get("content") else {
                    return;
                };
                for key in ["property", "name", "itemprop"] {
                    let Some(field) = get(key) else { continue };
                    let field = field.trim().to_ascii_lowercase();
                    if let Some(&(_, rank)) = PUBLISHED_NAMES.iter().find(|(n, _)| *n == field) {
                        self.offer_published(content, rank);
                    } else if field == "og:url" {
                        self.offer_url(content, 1);
                    }
                }
            }
            "link" => {
                let canonical = get("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                });
                if let (true, Some(href)) = (canonical, get("href")) {
                    self.offer_url(href, 0);
                }
            }
            "time" => {
                let published = get("pubdate").is_some()
                    || get("itemprop")
                        .is_some_and(|p| p.trim().eq_ignore_ascii_case("datepublished"));
                if let (true, Some(t)) = (published, get("datetime")) {
                    self.offer_published(t, 2);
                }
            }
            _ => {}
        }
    }

    /// Reads a JSON-LD block's first `"datePublished"` that parses (the
    /// article's own comes first; a page's list of related articles, if
    /// any, after it).
    pub(super) fn json_ld(&mut self, text: &str) {
        let key = "\"datePublished\"";
        let mut rest = text;
        while let Some(at) = rest.find(key) {
            rest = &rest[at + key.len()..];
            let value = rest
                .trim_start()
                .strip_prefix(':')
                .map(str::trim_start)
                .and_then(|v| v.strip_prefix('"'))
                .and_then(|v| v.find('"').map(|end| &v[..end]));
            if let Some(v) = value {
                if self.offer_published(v, JSON_LD_RANK) {
                    return;
                }
            }
        }
    }

    /// Ends the page: with no publication time in its markup, the date its
    /// URL's path holds as `/YYYY/MM/DD/` (or `/YYYY/MM/DD` at the end),
    /// the least specific kind.
    pub(super) fn finish(&mut self) {
        if self.published.is_some() {
            return;
        }
        let Some(url) = self.url.clone() else { return };
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let parts: Vec<&str> = path.split('/').skip(3).collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        // The first that is a date (`offer_published` refuses 2019/02/30).
        for w in parts.windows(3) {
            if digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2) {
                let date = format!("{}-{}-{}", w[0], w[1], w[2]);
                if self.offer_published(&date, URL_RANK) {
                    return;
                }
            }
        }
    }

    /// Takes `value` as the publication time if it parses and no kind as
    /// specific gave one before; whether it parsed.
    fn offer_published(&mut self, value: &str, rank: u8) -> bool {
        let value = html_escape::decode_html_entities(value);
        let value = value.trim();
        // A bare number is no date here: `parse_time` reads it as epoch
        // seconds (as a feed's field may give them), but in a page's head
        // it is a year ("2019") or a compact date ("20191119"), which
        // would date the page to 1970.
        let number = value.bytes().all(|b| b.is_ascii_digit());
        if number || crate::corpus::parse_time(value).is_none() {
            return false;
        }
        if self.published.is_none() || rank < self.published_rank {
            self.published = Some(value.to_string());
            self.published_rank = rank;
        }
        true
    }

    /// Takes `value` as the page's URL if it is an absolute `http(s)` URL
    /// and no kind as specific gave one before.
    fn offer_url(&mut self, value: &str, rank: u8) {
        let value = html_escape::decode_html_entities(value);
        let value = value.trim();
        let scheme = |s: &str| {
            value.len() > s.len()
                && value
                    .get(..s.len())
                    .is_some_and(|v| v.eq_ignore_ascii_case(s))
        };
        let absolute = scheme("http://") || scheme("https://");
        if absolute && (self.url.is_none() || rank < self.url_rank) {
            self.url = Some(value.to_string());
            self.url_rank = rank;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::extract;

    #[test]
    fn the_most_specific_time_and_address_win() {
        let page = r#"<html><head>
<meta name="date" content="2019-11-20">
<meta property="article:published_time" content="2019-11-19T14:05:00+00:00">
<meta property="og:url" content="https://www.example.com/news/story?utm=x&amp;a=1">
<link rel="canonical" href="https://www.example.com/news/story">
<script type="application/ld+json">{"@type":"NewsArticle","datePublished" : "2019-11-18T09:00:00Z"}</script>
</head><body><time datetime="2019-12-01">Updated</time><p>Text.</p></body></html>"#;
        let p = extract(page);
        assert_eq!(p.published.as_deref(), Some("2019-11-19T14:05:00+00:00"));
        assert_eq!(p.url.as_deref(), Some("https://www.example.com/news/story"));
        assert_eq!(p.text, "Updated\nText.");
    }

    #[test]
    fn json_ld_then_other_names_and_unreadable_values_are_left() {
        let ld = r#"<meta name="pubdate" content="2019-11-20"><script type="application/ld+json">
{"datePublished": "soon", "x": {"datePublished":"2019-11-18T09:00:00.000Z"}}</script>
<meta property="og:url" content="/relative/path"><p>Text.</p>"#;
        let p = extract(ld);
        assert_eq!(p.published.as_deref(), Some("2019-11-18T09:00:00.000Z"));
        assert_eq!(p.url, None, "a relative address is no site");
        let named = r#"<meta name="sailthru.date" content="2019-11-20 10:30:00">
<meta property="og:url" content="HTTPS://News.Example.org/a"><p>Text.</p>"#;
        let p = extract(named);
        assert_eq!(p.published.as_deref(), Some("2019-11-20 10:30:00"));
        assert_eq!(p.url.as_deref(), Some("HTTPS://News.Example.org/a"));
        let none = r#"<meta property="article:published_time" content="yesterday">
<script>var x = {"datePublished": "2019-11-18"};</script><time datetime="2019-11-18">x</time><p>Text.</p>"#;
        let p = extract(none);
        assert_eq!(
            (p.published, p.url),
            (None, None),
            "an unreadable time, a script that is not JSON-LD and a plain <time> say nothing"
        );
        for number in ["2019", "20191119", "1574150400"] {
            let head = format!(r#"<meta name="date" content="{number}"><p>Text.</p>"#);
            assert_eq!(extract(&head).published, None, "{number}");
        }
        let time =
            r#"<p>By A. Writer, <time pubdate datetime="2019-11-18T08:00">Nov 18</time></p>"#;
        assert_eq!(extract(time).published.as_deref(), Some("2019-11-18T08:00"));
    }

    #[test]
    fn a_date_in_the_address_dates_a_page_whose_head_gives_none() {
        let page = |url: &str, head: &str| {
            extract(&format!(
                r#"<link rel="canonical" href="{url}">{head}<p>Text.</p>"#
            ))
            .published
        };
        let cnn = "https://www.cnn.com/2019/11/18/health/feather-down-duvet/index.html";
        assert_eq!(page(cnn, "").as_deref(), Some("2019-11-18"));
        assert_eq!(
            page(cnn, r#"<meta name="date" content="2019-11-19 10:00">"#).as_deref(),
            Some("2019-11-19 10:00"),
            "the head wins"
        );
        assert_eq!(
            page("https://ex.com/news/2019/11/18", "").as_deref(),
            Some("2019-11-18")
        );
        for undated in [
            "https://ex.com/2019/11/story.html",
            "https://ex.com/2019/13/40/story",
            "https://ex.com/a/2019/02/30/b",
            "https://ex.com/story?d=/2019/11/18/",
            "https://2019.11.18.example.com/x",
            "https://ex.com/123456/2019/11/181/",
        ] {
            assert_eq!(page(undated, ""), None, "{undated}");
        }
    }
}
