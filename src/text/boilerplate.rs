//! Boilerplate: site chrome (navigation, "join our Telegram channel" promos,
//! subscribe and cookie lines, related-links footers) removed before shingling.
//!
//! Why: the same wire story on two sites has whole-page shingle Jaccard of only
//! ~0.5 because each site wraps it in its own chrome, while two different short
//! stories from one site look alike through the chrome they share.
//!
//! How: lines are learned per *group* (the `source` field, else the URL host,
//! else the whole corpus). A folded line is boilerplate when it recurs in at
//! least `min_stories` **different stories** of its group. The catch is that a
//! wire story's paragraphs also recur, in every copy of that story. So recurring
//! documents are first merged into stories: two documents containing the line
//! are the same story when they share a title or one of their longest lines
//! (the line under test excluded). A navigation line recurs across many
//! stories; a quoted paragraph recurs across copies of one story and is kept.
//!
//! Cost: two hash passes over all lines, plus a union-find over the documents
//! of each recurring line.

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Boilerplate settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoilerplateConfig {
    /// Learn and remove recurring lines (`--boilerplate on|off`).
    pub enabled: bool,
    /// A line is boilerplate when it appears in at least this many different stories of its group.
    pub min_stories: usize,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            enabled: true,
            min_stories: 3,
        }
    }
}

/// How many of a document's longest lines identify its story.
const STORY_LINES: usize = 3;
const LINE_SEED: u64 = 0x6c69_6e65;

/// A document as seen by the boilerplate learner.
#[derive(Debug, Clone, Copy)]
pub struct PageRef<'a> {
    /// Group index (see [`group_key`]).
    pub group: u32,
    /// Folded text, lines separated by `\n`.
    pub folded: &'a str,
    /// Folded title, if any.
    pub title: Option<&'a str>,
}

/// The learned boilerplate: (group, line hash) pairs.
#[derive(Debug, Default, Clone)]
pub struct Boilerplate {
    lines: AHashSet<(u32, u64)>,
}

/// The group a page's boilerplate is learned in: its source, else its URL
/// host (without `www.`), else the empty string (corpus-wide).
pub fn group_key<'a>(source: Option<&'a str>, url: Option<&'a str>) -> &'a str {
    if let Some(s) = source.filter(|s| !s.trim().is_empty()) {
        return s.trim();
    }
    url.and_then(url_host).unwrap_or("")
}

fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

fn line_hash(line: &str) -> u64 {
    xxh3_64_with_seed(line.as_bytes(), LINE_SEED)
}

struct PageLines {
    /// Distinct line hashes with the line's length, longest first.
    lines: Vec<(usize, u64)>,
    /// Hashes identifying the page's story (see [`story_hashes`]).
    story: Vec<u64>,
}

fn page_lines(page: &PageRef) -> PageLines {
    let mut lines: Vec<(usize, u64)> = page
        .folded
        .split('\n')
        .map(|l| (l.len(), line_hash(l)))
        .collect();
    lines.sort_unstable_by(|a, b| b.cmp(a));
    lines.dedup_by_key(|l| l.1);
    PageLines {
        lines,
        story: Vec::new(),
    }
}

/// A page's story identity: its longest lines that do not recur in its group
/// (recurring ones may be chrome), or its longest lines of all when every line
/// recurs (a wire copy whose paragraphs recur in the other copies), plus its title.
fn story_hashes(
    page: &PageRef,
    pl: &PageLines,
    recurring: &AHashMap<(u32, u64), Vec<u32>>,
) -> Vec<u64> {
    let own = |&&(_, h): &&(usize, u64)| !recurring.contains_key(&(page.group, h));
    let mut story: Vec<u64> = pl
        .lines
        .iter()
        .filter(own)
        .take(STORY_LINES)
        .map(|&(_, h)| h)
        .collect();
    if story.is_empty() {
        story = pl
            .lines
            .iter()
            .take(STORY_LINES + 1)
            .map(|&(_, h)| h)
            .collect();
    }
    if let Some(t) = page.title.filter(|t| !t.is_empty()) {
        story.push(line_hash(t) ^ 0x0074_6974_6c65);
    }
    story
}

impl Boilerplate {
    /// Learns the boilerplate lines of a corpus. Deterministic.
    pub fn learn(pages: &[PageRef], cfg: &BoilerplateConfig) -> Boilerplate {
        if !cfg.enabled || pages.is_empty() {
            return Boilerplate::default();
        }
        let min = cfg.min_stories.max(2);
        let mut per_page: Vec<PageLines> = pages.par_iter().map(page_lines).collect();
        let mut counts: AHashMap<(u32, u64), u32> = AHashMap::new();
        for (page, pl) in pages.iter().zip(&per_page) {
            for &(_, h) in &pl.lines {
                *counts.entry((page.group, h)).or_insert(0) += 1;
            }
        }
        let mut holders: AHashMap<(u32, u64), Vec<u32>> = counts
            .into_iter()
            .filter(|&(_, n)| n as usize >= min)
            .map(|(k, n)| (k, Vec::with_capacity(n as usize)))
            .collect();
        for (i, (page, pl)) in pages.iter().zip(&per_page).enumerate() {
            for &(_, h) in &pl.lines {
                if let Some(v) = holders.get_mut(&(page.group, h)) {
                    v.push(i as u32);
                }
            }
        }
        per_page
            .par_iter_mut()
            .zip(pages)
            .for_each(|(pl, page)| pl.story = story_hashes(page, pl, &holders));
        let holders: Vec<((u32, u64), Vec<u32>)> = holders.into_iter().collect();
        let lines: Vec<(u32, u64)> = holders
            .par_iter()
            .filter(|((_, line), docs)| distinct_stories(*line, docs, &per_page) >= min)
            .map(|&(k, _)| k)
            .collect();
        Boilerplate {
            lines: lines.into_iter().collect(),
        }
    }

    /// Number of learned boilerplate lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The folded body of a page: its lines minus the boilerplate of its group.
    /// When every line is boilerplate the whole folded text is kept (a page is
    /// never reduced to nothing by this stage).
    pub fn strip(&self, group: u32, folded: &str) -> String {
        if self.lines.is_empty() {
            return folded.to_owned();
        }
        let mut body = String::with_capacity(folded.len());
        for line in folded.split('\n') {
            if !self.lines.contains(&(group, line_hash(line))) {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(line);
            }
        }
        if body.is_empty() {
            folded.to_owned()
        } else {
            body
        }
    }
}

/// Counts the stories among `docs` (all containing `line`):
/// documents sharing a story hash other than `line` itself are one story.
fn distinct_stories(line: u64, docs: &[u32], pages: &[PageLines]) -> usize {
    let mut parent: Vec<usize> = (0..docs.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut owner: AHashMap<u64, usize> = AHashMap::new();
    let mut stories = 0usize;
    for (i, &d) in docs.iter().enumerate() {
        let mut joined = false;
        for &h in pages[d as usize].story.iter().filter(|&&h| h != line) {
            match owner.get(&h) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                        if joined {
                            stories -= 1;
                        }
                    }
                    joined = true;
                }
                None => {
                    owner.insert(h, i);
                }
            }
        }
        if !joined {
            stories += 1;
        }
    }
    stories
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn pages(texts: &[(u32, String)]) -> Vec<PageRef<'_>> {
        texts
            .iter()
            .map(|(g, t)| PageRef {
                group: *g,
                folded: t,
                title: None,
            })
            .collect()
    }

    fn story(i: usize) -> String {
        format!(
            "story number {i} begins here with a long paragraph about topic {i} and its many details\n\
             a second paragraph {i} follows with quotes from officials about event {i}"
        )
    }

    #[test]
    fn removes_site_chrome_keeps_bodies() {
        let chrome = "navigation\njoin our telegram channel for news";
        let texts: Vec<(u32, String)> = (0..5)
            .map(|i| (0, format!("{chrome}\n{}", story(i))))
            .collect();
        let bp = Boilerplate::learn(&pages(&texts), &BoilerplateConfig::default());
        assert_eq!(bp.len(), 2);
        assert_eq!(bp.strip(0, &texts[3].1), story(3));
        assert_eq!(
            bp.strip(1, &texts[3].1),
            texts[3].1,
            "other groups are untouched"
        );
    }

    #[test]
    fn keeps_paragraphs_shared_by_copies_of_one_story() {
        // One wire story on five sites with the same chrome-free body, plus two
        // other stories: the wire paragraphs recur in 5 documents but 1 story.
        let mut texts: Vec<(u32, String)> = (0..5).map(|_| (0, story(99))).collect();
        texts.push((0, story(1)));
        texts.push((0, story(2)));
        let bp = Boilerplate::learn(&pages(&texts), &BoilerplateConfig::default());
        assert!(bp.is_empty());
    }

    #[test]
    fn disabled_learns_nothing() {
        let texts: Vec<(u32, String)> =
            (0..5).map(|i| (0, format!("menu\n{}", story(i)))).collect();
        let cfg = BoilerplateConfig {
            enabled: false,
            ..Default::default()
        };
        assert!(Boilerplate::learn(&pages(&texts), &cfg).is_empty());
    }

    #[test]
    fn all_boilerplate_page_keeps_its_text() {
        let texts: Vec<(u32, String)> =
            (0..5).map(|i| (0, format!("menu\n{}", story(i)))).collect();
        let bp = Boilerplate::learn(&pages(&texts), &BoilerplateConfig::default());
        assert_eq!(bp.strip(0, "menu"), "menu");
        assert_eq!(normalize("Menu"), "menu");
    }

    #[test]
    fn group_keys() {
        assert_eq!(group_key(Some("AMN"), Some("https://x.com/a")), "AMN");
        assert_eq!(group_key(None, Some("https://www.x.com:8080/a?b")), "x.com");
        assert_eq!(group_key(Some(" "), Some("x.org/path")), "x.org");
        assert_eq!(group_key(None, None), "");
    }
}
