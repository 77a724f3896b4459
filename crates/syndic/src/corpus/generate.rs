//! A labeled syndication corpus generator: from a folder of articles it builds
//! the corpus a news scraper really collects, with ground truth.
//!
//! Every article is published on one site (the *origin*) and re-appears as:
//! * `syndicated`: the same text on other sites, typography changed (curly
//!   quotes, dashes, spacing), wrapped in that site's chrome;
//! * `edited`: 3–8% of words replaced, deleted or inserted;
//! * `excerpt`: the first paragraphs plus a "Read more at ..." line;
//! * `ocr`: character noise in 3–6% of words (rn→m, l→1, o→0, dropped letters);
//! * `rewrite`: a different outlet's own report of the event, when the folder has
//!   one (`NAME.rewrite.txt` beside `NAME.txt`). Same *story*, different *cluster*.
//!
//! Each page is wrapped in its site's chrome: navigation, a promo line, related
//! links naming other articles, a footer. Labels give `id, cluster, story, kind`.
//! Output is deterministic for a seed.

use crate::error::{Error, Result};
use crate::shingle::{fmix64, reduce};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// One source article.
#[derive(Debug, Clone)]
pub struct Article {
    /// File stem, e.g. `01-harbor-bridge`.
    pub key: String,
    /// Headline.
    pub title: String,
    /// Paragraphs of the body.
    pub paragraphs: Vec<String>,
    /// Publication time (RFC 3339), if known.
    pub published: Option<String>,
    /// Other outlets' own reports of the same event.
    pub rewrites: Vec<Article>,
}

/// A generated page with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Page id.
    pub id: String,
    /// Headline as published.
    pub title: String,
    /// Page text: site chrome around the article.
    pub text: String,
    /// Page URL.
    pub url: String,
    /// Publishing site.
    pub source: String,
    /// Publication time (RFC 3339).
    pub published: String,
    #[serde(skip)]
    /// The page's gold labels.
    pub label: Label,
}

/// Ground truth of one page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Label {
    /// Gold near-duplicate cluster.
    pub cluster: String,
    /// Gold story.
    pub story: String,
    /// How the page was made: origin, syndicated, edited, excerpt, ocr, rewrite.
    pub kind: String,
}

/// Deterministic pseudo-random numbers (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        fmix64(self.0)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        reduce(self.next_u64(), n)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// A uniformly chosen element of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Words of the opening that identify a source article for de-duplication.
const LEAD_TOKENS: usize = 30;

/// A corpus's own documentation (`README.TXT`, `LICENSE.txt`, ...), which an
/// article folder may hold beside its articles.
fn is_documentation(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    ["readme", "license", "licence", "copying"]
        .iter()
        .any(|d| name.starts_with(d))
}

fn txt_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            txt_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt") && !is_documentation(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether `dir` is a folder of `.txt` articles for [`read_article_dir`]: every
/// file directly in it is a `.txt` file or documentation, every folder in it
/// is taken as a topic folder of articles.
pub fn is_article_dir(dir: &Path) -> bool {
    dir.is_dir()
        && fs::read_dir(dir).is_ok_and(|entries| {
            entries.filter_map(|e| e.ok()).all(|e| {
                let p = e.path();
                p.is_dir() || is_documentation(&p) || p.extension().is_some_and(|x| x == "txt")
            })
        })
}

/// Reads a folder (and its sub-folders) of `.txt` articles: line 1 is the
/// title, an optional `Published: <time>` line follows, paragraphs are
/// separated by blank lines. `NAME.rewrite.txt` is attached to `NAME.txt` as a
/// rewrite. Articles whose folded text, or whose first 30 folded words, repeat
/// an earlier one's are skipped, so that labels do not call two filings of one
/// article different stories (a check independent of syndic's own detector).
pub fn read_article_dir(dir: &Path) -> Result<Vec<Article>> {
    let mut files = Vec::new();
    txt_files(dir, &mut files)?;
    files.sort();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut articles: BTreeMap<String, Article> = BTreeMap::new();
    let mut rewrites: Vec<(String, Article)> = Vec::new();
    for path in files {
        let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        let rel = path.strip_prefix(dir).unwrap_or(&path).with_extension("");
        let stem = rel.to_string_lossy().replace(['/', '\\'], "-");
        let Some(article) = parse_article(&stem, &text) else {
            continue;
        };
        if !remember(&mut seen, &article.paragraphs) {
            continue;
        }
        match stem.strip_suffix(".rewrite") {
            Some(base) => rewrites.push((base.to_string(), article)),
            None => {
                articles.insert(stem, article);
            }
        }
    }
    for (base, r) in rewrites {
        if let Some(a) = articles.get_mut(&base) {
            a.rewrites.push(r);
        }
    }
    Ok(articles.into_values().collect())
}

/// Articles from documents of any input format (Reuters SGML, JSONL, CSV, ...):
/// the title is the document's title (else its first line); a paragraph starts
/// at a blank line or an indented line, other line breaks are soft wraps.
/// Documents with fewer than `min_words` words, or repeating an earlier
/// article's text or opening, are skipped (see [`read_article_dir`]).
pub fn articles_from_documents(docs: &[super::Document], min_words: usize) -> Vec<Article> {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for d in docs {
        let mut paragraphs: Vec<String> = Vec::new();
        let mut current = String::new();
        for line in d.text.lines() {
            let starts_paragraph =
                line.trim().is_empty() || line.starts_with("  ") || line.starts_with('\t');
            if starts_paragraph && !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            if !line.trim().is_empty() {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(line.trim());
            }
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
        let words: usize = paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum();
        if words < min_words || !remember(&mut seen, &paragraphs) {
            continue;
        }
        let title = d
            .title
            .clone()
            .unwrap_or_else(|| paragraphs[0].chars().take(80).collect());
        let key: String =
            d.id.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
        out.push(Article {
            key,
            title,
            paragraphs,
            published: d.published.clone(),
            rewrites: Vec::new(),
        });
    }
    out
}

/// Records an article's folded text and opening; false when either was seen.
fn remember(seen: &mut std::collections::HashSet<String>, paragraphs: &[String]) -> bool {
    let folded = crate::text::normalize(&paragraphs.join("\n"));
    let lead: Vec<&str> = folded.split([' ', '\n']).take(LEAD_TOKENS).collect();
    let lead = (lead.len() == LEAD_TOKENS).then(|| lead.join(" "));
    if seen.contains(&folded) || lead.as_ref().is_some_and(|l| seen.contains(l)) {
        return false;
    }
    seen.insert(folded);
    seen.extend(lead);
    true
}

/// Parses one article file; `None` when it has no body.
pub fn parse_article(key: &str, text: &str) -> Option<Article> {
    let mut lines = text.lines();
    let title = lines.next()?.trim().to_string();
    let mut published = None;
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = line.trim();
        if let Some(t) = line.strip_prefix("Published:") {
            published = Some(t.trim().to_string());
        } else if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    (!paragraphs.is_empty()).then(|| Article {
        key: key.to_string(),
        title,
        paragraphs,
        published,
        rewrites: Vec::new(),
    })
}

/// A fictional outlet and its chrome.
struct Site {
    name: &'static str,
    host: &'static str,
    header: &'static [&'static str],
    promo: &'static str,
    footer: &'static [&'static str],
}

const SITES: &[Site] = &[
    Site {
        name: "Daily Meridian",
        host: "dailymeridian.example",
        header: &["Home | World | Business | Sport | Opinion", "Sign in"],
        promo: "Join our brand new verified Meridian Telegram channel and get important news uncensored!",
        footer: &["Share this article", "© Daily Meridian Media Group. All rights reserved."],
    },
    Site {
        name: "The Courier Post",
        host: "courierpost.example",
        header: &["Navigation", "Subscribe"],
        promo: "Get our morning briefing: the five stories you need, straight to your inbox.",
        footer: &["Advertisement", "Copyright The Courier Post. This material may not be republished without permission."],
    },
    Site {
        name: "Metro Wire",
        host: "metrowire.example",
        header: &["MENU", "Search", "Latest News"],
        promo: "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        footer: &["Follow us on Facebook and X", "Metro Wire is an independent news service."],
    },
    Site {
        name: "Northern Ledger",
        host: "northernledger.example",
        header: &["Skip to content", "News  ·  Local  ·  Weather  ·  Events"],
        promo: "Support independent journalism: become a member from just 3 a month.",
        footer: &["Comments are closed.", "Northern Ledger, 12 Quay Street. Tips: newsdesk@northernledger.example"],
    },
    Site {
        name: "Globe Dispatch",
        host: "globedispatch.example",
        header: &["Top Stories", "Video", "Podcasts"],
        promo: "Download the Globe Dispatch app for breaking news alerts.",
        footer: &["Related topics", "Terms of use | Privacy policy | Contact us"],
    },
    Site {
        name: "Valley Times",
        host: "valleytimes.example",
        header: &["Valley Times", "Log in / Register"],
        promo: "Read more stories like this: sign up for Valley Times Plus today.",
        footer: &["Print this page", "All content © Valley Times Publishing."],
    },
];

/// What to generate per article.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Seed of every random choice.
    pub seed: u64,
    /// Syndicated copies per article.
    pub syndicated: usize,
    /// Edited copies per article.
    pub edited: usize,
    /// Excerpts per article.
    pub excerpts: usize,
    /// OCR-noisy copies per article.
    pub ocr: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 7,
            syndicated: 3,
            edited: 1,
            excerpts: 1,
            ocr: 1,
        }
    }
}

const BASE_TIME: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Generates the labeled corpus. Pages are in a shuffled (but seeded) order.
pub fn generate(articles: &[Article], opts: &GenerateOptions) -> Vec<Page> {
    let mut rng = Rng::new(opts.seed);
    let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
    let mut out = Emitter {
        pages: Vec::new(),
        titles: &titles,
    };
    for (n, a) in articles.iter().enumerate() {
        let t0 = a
            .published
            .as_deref()
            .and_then(crate::corpus::parse_time)
            .unwrap_or(BASE_TIME + n as i64 * 86_400);
        let origin_site = rng.below(SITES.len());
        let story = Story {
            t0,
            story: &a.key,
            cluster: &a.key,
            article: a,
        };
        out.emit(
            &mut rng,
            &story,
            "origin",
            origin_site,
            a.paragraphs.clone(),
            0,
        );
        let others = other_sites(&mut rng, origin_site);
        copies(&mut rng, &mut out, &story, opts, origin_site, &others);
        rewrites(&mut rng, &mut out, &story, &others);
    }
    let mut pages = out.pages;
    for i in (1..pages.len()).rev() {
        let j = rng.below(i + 1);
        pages.swap(i, j);
    }
    pages
}

/// One cluster being generated: its article, labels and publication time.
struct Story<'a> {
    article: &'a Article,
    story: &'a str,
    cluster: &'a str,
    t0: i64,
}

/// Collects the generated pages.
struct Emitter<'t> {
    pages: Vec<Page>,
    titles: &'t [&'t str],
}

impl Emitter<'_> {
    /// Wraps `body` in `site`'s chrome and adds the page, published `lag`
    /// seconds after the story's time.
    fn emit(
        &mut self,
        rng: &mut Rng,
        s: &Story,
        kind: &str,
        site: usize,
        body: Vec<String>,
        lag: i64,
    ) {
        let article = s.article;
        let id = format!("{}-{}-{}", article.key, kind, self.pages.len());
        let page = wrap(rng, &SITES[site], &article.title, &body, self.titles, &id);
        self.pages.push(Page {
            id: id.clone(),
            title: article.title.clone(),
            text: page,
            url: format!("https://www.{}/news/{}", SITES[site].host, id),
            source: SITES[site].name.to_string(),
            published: rfc3339(s.t0 + lag),
            label: Label {
                cluster: s.cluster.to_string(),
                story: s.story.to_string(),
                kind: kind.to_string(),
            },
        });
    }
}

/// The syndicated, edited, excerpted and OCR-noisy copies of an article,
/// on sites other than the origin's.
fn copies(
    rng: &mut Rng,
    out: &mut Emitter,
    s: &Story,
    opts: &GenerateOptions,
    origin_site: usize,
    others: &[usize],
) {
    let paragraphs = &s.article.paragraphs;
    for i in 0..opts.syndicated {
        let body = paragraphs.iter().map(|p| retype(rng, p)).collect();
        let lag = 600 + rng.below(12 * 3600) as i64;
        out.emit(rng, s, "syndicated", others[i % others.len()], body, lag);
    }
    for i in 0..opts.edited {
        let share = 0.03 + 0.05 * (i as f64 / opts.edited.max(1) as f64);
        let body = paragraphs
            .iter()
            .map(|p| edit_words(rng, p, share))
            .collect();
        let lag = 3600 + rng.below(24 * 3600) as i64;
        out.emit(rng, s, "edited", others[(i + 1) % others.len()], body, lag);
    }
    for i in 0..opts.excerpts {
        let site = others[(i + 2) % others.len()];
        let keep = (paragraphs.len() / 2).max(2).min(paragraphs.len());
        let mut body: Vec<String> = paragraphs[..keep].to_vec();
        body.push(format!("Read more at {}.", SITES[origin_site].name));
        let lag = 1800 + rng.below(6 * 3600) as i64;
        out.emit(rng, s, "excerpt", site, body, lag);
    }
    for i in 0..opts.ocr {
        let rate = 0.03 + 0.03 * (i as f64 / opts.ocr.max(1) as f64);
        let body = paragraphs.iter().map(|p| ocr_noise(rng, p, rate)).collect();
        let lag = 86_400 * 30 + rng.below(86_400) as i64;
        out.emit(rng, s, "ocr", others[(i + 3) % others.len()], body, lag);
    }
}

/// Each rewrite of an article (another outlet's report of the story, its
/// own cluster) and one syndicated copy of it.
fn rewrites(rng: &mut Rng, out: &mut Emitter, s: &Story, others: &[usize]) {
    let a = s.article;
    for (j, r) in a.rewrites.iter().enumerate() {
        let t = r
            .published
            .as_deref()
            .and_then(crate::corpus::parse_time)
            .unwrap_or(s.t0 + 7200);
        let keyed = Article {
            key: format!("{}-r{j}", a.key),
            ..r.clone()
        };
        let cluster = format!("{}-rewrite{j}", a.key);
        let rewrite = Story {
            article: &keyed,
            story: s.story,
            cluster: &cluster,
            t0: s.t0,
        };
        let site = others[(j + 4) % others.len()];
        out.emit(
            rng,
            &rewrite,
            "rewrite",
            site,
            r.paragraphs.clone(),
            t - s.t0,
        );
        let body = r.paragraphs.iter().map(|p| retype(rng, p)).collect();
        let site = others[(j + 5) % others.len()];
        out.emit(rng, &rewrite, "syndicated", site, body, t - s.t0 + 5400);
    }
}

fn other_sites(rng: &mut Rng, origin: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..SITES.len()).filter(|&s| s != origin).collect();
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
    v
}

/// Wraps an article body in a site's chrome.
fn wrap(
    rng: &mut Rng,
    site: &Site,
    title: &str,
    body: &[String],
    titles: &[&str],
    id: &str,
) -> String {
    let mut lines: Vec<String> = site.header.iter().map(|s| s.to_string()).collect();
    lines.push(site.promo.to_string());
    lines.push(String::new());
    lines.push(title.to_string());
    lines.push(String::new());
    for p in body {
        lines.push(p.clone());
        lines.push(String::new());
    }
    lines.push("Related:".to_string());
    for _ in 0..2 {
        let t = rng.pick(titles);
        if *t != title {
            lines.push(format!("» {t}"));
        }
    }
    lines.extend(site.footer.iter().map(|s| s.to_string()));
    lines.push(format!("Article ID {}", &id[id.len().saturating_sub(4)..]));
    lines.join("\n")
}

/// Typographic variation: curly quotes and apostrophes, em dashes, spacing.
fn retype(rng: &mut Rng, p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut open = true;
    for c in p.chars() {
        match c {
            '"' => {
                out.push(if open { '“' } else { '”' });
                open = !open;
            }
            '\'' => out.push('’'),
            ' ' if rng.chance(0.02) => out.push_str("  "),
            _ => out.push(c),
        }
    }
    out.replace(" - ", " — ").replace("...", "…")
}

const FILLER: &[&str] = &[
    "also",
    "now",
    "reportedly",
    "officially",
    "still",
    "recently",
    "however",
    "further",
];

/// Replaces, deletes or inserts about `rate` of the words.
fn edit_words(rng: &mut Rng, p: &str, rate: f64) -> String {
    let words: Vec<&str> = p.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 4);
    for w in &words {
        if rng.chance(rate) {
            match rng.below(3) {
                0 => out.push(rng.pick(FILLER).to_string()),
                1 => {}
                _ => {
                    out.push(w.to_string());
                    out.push(rng.pick(FILLER).to_string());
                }
            }
        } else {
            out.push(w.to_string());
        }
    }
    out.join(" ")
}

/// OCR-style character noise in about `rate` of the words.
fn ocr_noise(rng: &mut Rng, p: &str, rate: f64) -> String {
    let words: Vec<&str> = p.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        if w.len() < 3 || !rng.chance(rate) {
            out.push(w.to_string());
            continue;
        }
        let noisy = match rng.below(5) {
            0 if w.contains('m') => w.replacen('m', "rn", 1),
            1 if w.contains('l') => w.replacen('l', "1", 1),
            2 if w.contains('o') => w.replacen('o', "0", 1),
            3 if w.contains('e') => w.replacen('e', "c", 1),
            _ => {
                let cut = 1 + rng.below(w.chars().count() - 1);
                w.chars()
                    .enumerate()
                    .filter(|&(i, _)| i != cut)
                    .map(|(_, c)| c)
                    .collect()
            }
        };
        out.push(noisy);
    }
    out.join(" ")
}

/// Writes `articles.jsonl` and `labels.tsv` (id, cluster, story, kind) to `out`.
pub fn write_corpus(pages: &[Page], out: &Path) -> Result<()> {
    fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut jsonl = String::new();
    let mut labels = String::from("id\tcluster\tstory\tkind\n");
    for p in pages {
        jsonl.push_str(&serde_json::to_string(p).map_err(|e| Error::Config(e.to_string()))?);
        jsonl.push('\n');
        labels.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            p.id, p.label.cluster, p.label.story, p.label.kind
        ));
    }
    let path = out.join("articles.jsonl");
    fs::write(&path, jsonl).map_err(|e| Error::io(&path, e))?;
    let path = out.join("labels.tsv");
    fs::write(&path, labels).map_err(|e| Error::io(&path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> Article {
        parse_article(
            "a",
            "Title here\nPublished: 2026-01-02T00:00:00Z\n\nFirst \"para\" - one.\nstill first\n\nSecond para is here with some more words.\n\nThird.",
        )
        .unwrap()
    }

    #[test]
    fn parses_article_files() {
        let a = article();
        assert_eq!(a.title, "Title here");
        assert_eq!(a.paragraphs.len(), 3);
        assert_eq!(a.paragraphs[0], "First \"para\" - one. still first");
        assert_eq!(a.published.as_deref(), Some("2026-01-02T00:00:00Z"));
    }

    #[test]
    fn articles_from_documents_split_indented_paragraphs_and_skip_repeats() {
        let doc = |id: &str, text: &str| crate::corpus::Document {
            title: Some("T".into()),
            ..crate::corpus::Document::new(id, text)
        };
        let wire =
            "First paragraph wraps\nonto a second line.\n    Second paragraph starts indented.";
        let docs = vec![doc("r/1", wire), doc("r/2", wire), doc("r/3", "too short")];
        let arts = articles_from_documents(&docs, 5);
        assert_eq!(arts.len(), 1);
        assert_eq!(arts[0].key, "r-1");
        assert_eq!(
            arts[0].paragraphs,
            vec![
                "First paragraph wraps onto a second line.",
                "Second paragraph starts indented."
            ]
        );
    }

    #[test]
    fn generation_is_deterministic_and_labeled() {
        let arts = vec![article()];
        let a = generate(&arts, &GenerateOptions::default());
        let b = generate(&arts, &GenerateOptions::default());
        assert_eq!(a.len(), 7);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert!(a.iter().all(|p| p.label.cluster == "a"));
        let syn = a.iter().find(|p| p.label.kind == "syndicated").unwrap();
        assert!(syn.text.contains("“para”"), "{}", syn.text);
    }
}
