//! Main-content extraction: which part of a page is the article. The method
//! is Readability's (Mozilla's reader view): chrome is pruned by tag, by
//! `hidden` markers and by class/id names (`sidebar`, `comment`, `related`,
//! ...); every paragraph scores its ancestors by its length and commas; the
//! best-scoring container, less its links, is the article, joined by the
//! siblings that score near it; inside it, lists, tables and blocks that are
//! mostly links, images or form fields are cleaned away.
//!
//! Input: a parsed [`Tree`]. Output: the article's text, one line per
//! block, or `None` when no container holds enough text to be an article
//! (the caller then keeps the page's whole visible text, so that nothing is
//! lost on pages that are not articles).

use super::tree::{collapse, NodeId, Tree};

/// Elements never part of an article.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "button", "select", "input",
    "textarea", "nav", "aside", "footer", "object", "embed", "canvas", "head", "menu", "dialog",
    "label", "option", "math", "audio", "video", "picture", "map",
];

/// Class/id words of containers that are chrome, unless [`MAYBE`] also matches.
static UNLIKELY: Words = Words::new(&[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
    "newsletter",
    "cookie",
    "subscribe",
    "promo",
    "outbrain",
    "taboola",
    "share",
]);

/// Class/id words that keep a container despite an [`UNLIKELY`] word.
static MAYBE: Words = Words::new(&[
    "and", "article", "body", "column", "content", "main", "shadow",
]);

/// Class/id words of containers that hold articles.
static POSITIVE: Words = Words::new(&[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story",
]);

/// Class/id words of containers that do not.
static NEGATIVE: Words = Words::new(&[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
    "byline",
    "caption",
    "newsletter",
    "subscribe",
    "author",
]);

/// ARIA roles of chrome.
const UNLIKELY_ROLES: &[&str] = &[
    "menu",
    "menubar",
    "complementary",
    "navigation",
    "alert",
    "alertdialog",
    "dialog",
    "banner",
    "contentinfo",
    "search",
];

/// Fewest characters of text for an article; less and the page is kept whole.
const MIN_ARTICLE_CHARS: usize = 250;

/// An article shorter than this is looked for again without pruning
/// containers by name, and the longer of the two is kept (Readability's
/// `charThreshold`).
const RETRY_BELOW_CHARS: usize = 500;

/// Counts over a node and its kept descendants.
#[derive(Clone, Copy, Default)]
struct Stats {
    chars: usize,
    link_chars: usize,
    heading_chars: usize,
    list_chars: usize,
    commas: usize,
    paragraphs: usize,
    images: usize,
    items: usize,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.chars += o.chars;
        self.link_chars += o.link_chars;
        self.heading_chars += o.heading_chars;
        self.list_chars += o.list_chars;
        self.commas += o.commas;
        self.paragraphs += o.paragraphs;
        self.images += o.images;
        self.items += o.items;
    }

    fn link_density(&self) -> f64 {
        self.link_chars as f64 / self.chars.max(1) as f64
    }
}

/// The text of the article in `tree`, or `None` if there is no article.
pub fn article_text(tree: &Tree) -> Option<String> {
    let mut best: Option<String> = None;
    for strip_unlikely in [true, false] {
        let Some(text) = find_article(tree, &prune(tree, strip_unlikely)) else {
            continue;
        };
        let chars = text.chars().count();
        if chars >= RETRY_BELOW_CHARS {
            return Some(text);
        }
        if chars >= MIN_ARTICLE_CHARS && best.as_ref().is_none_or(|b| b.chars().count() < chars) {
            best = Some(text);
        }
    }
    best
}

/// One attempt: score, choose, clean, render.
fn find_article(tree: &Tree, pruned: &[bool]) -> Option<String> {
    let stats = count(tree, &mut pruned.to_vec(), None);
    let scores = score(tree, pruned, &stats);
    let top = choose_top(tree, &scores)?;
    let parts = with_siblings(tree, pruned, &stats, &scores, top);
    let mut removed = pruned.to_vec();
    let mut in_article = vec![false; tree.nodes.len()];
    for &p in &parts {
        in_article[p] = true;
    }
    for i in 1..tree.nodes.len() {
        in_article[i] |= in_article[tree.nodes[i].parent];
    }
    count(tree, &mut removed, Some(&in_article));
    drop_title_headings(tree, &mut removed, &in_article);
    let keep = |n: NodeId| !removed[n];
    let text: Vec<String> = parts
        .iter()
        .map(|&p| tree.text_of(p, &keep))
        .filter(|t| !t.is_empty())
        .collect();
    Some(text.join("\n"))
}

/// Marks the nodes that cannot be article text: dropped tags (unless left
/// unclosed by broken markup, when what follows them is not known to be
/// theirs), hidden elements, and (when `unlikely`) containers named like
/// chrome.
fn prune(tree: &Tree, unlikely: bool) -> Vec<bool> {
    let mut pruned = vec![false; tree.nodes.len()];
    for (i, n) in tree.nodes.iter().enumerate().skip(1) {
        pruned[i] = pruned[n.parent]
            || (!n.is_text()
                && (n.hidden
                    || (DROPPED.contains(&n.tag.as_str()) && !n.unclosed)
                    || (unlikely && is_unlikely(&n.tag, &n.hint))));
    }
    pruned
}

fn is_unlikely(tag: &str, hint: &str) -> bool {
    if hint.is_empty() || matches!(tag, "body" | "html" | "article" | "main" | "a") {
        return false;
    }
    let role = hint.split(' ').any(|w| UNLIKELY_ROLES.contains(&w));
    role || (has_any(hint, &UNLIKELY) && !has_any(hint, &MAYBE))
}

/// A list of class/id words, matched anywhere in a hint in one pass.
struct Words {
    words: &'static [&'static str],
    matcher: std::sync::OnceLock<aho_corasick::AhoCorasick>,
}

impl Words {
    const fn new(words: &'static [&'static str]) -> Words {
        Words {
            words,
            matcher: std::sync::OnceLock::new(),
        }
    }

    fn found_in(&self, hint: &str) -> bool {
        self.matcher
            .get_or_init(|| {
                aho_corasick::AhoCorasick::new(self.words).expect("plain words are valid patterns")
            })
            .is_match(hint)
    }
}

fn has_any(hint: &str, words: &Words) -> bool {
    !hint.is_empty() && words.found_in(hint)
}

/// Readability's class weight: +25 for an article-like name, -25 for chrome.
fn class_weight(hint: &str) -> f64 {
    let mut w = 0.0;
    if has_any(hint, &NEGATIVE) {
        w -= 25.0;
    }
    if has_any(hint, &POSITIVE) {
        w += 25.0;
    }
    w
}

fn text_chars(text: &str) -> usize {
    collapse(text).chars().count()
}

/// Bottom-up counts for every node not in `removed`. With `clean`, the
/// blocks inside the article that look like chrome (see [`is_clutter`]) are
/// also marked removed, innermost first, and left out of their parents'
/// counts.
fn count(tree: &Tree, removed: &mut [bool], clean: Option<&[bool]>) -> Vec<Stats> {
    let mut stats = vec![Stats::default(); tree.nodes.len()];
    let mut has_block = vec![false; tree.nodes.len()];
    for i in (1..tree.nodes.len()).rev() {
        if removed[i] {
            continue;
        }
        let n = &tree.nodes[i];
        let mut s = stats[i];
        if n.is_text() {
            s.chars = text_chars(&n.text);
            s.commas = n
                .text
                .matches([',', '\u{ff0c}', '\u{3001}', '\u{060c}'])
                .count();
        } else {
            match n.tag.as_str() {
                "a" => s.link_chars = s.chars,
                // A div of inline text reads as a paragraph (Readability
                // turns such divs into `p`).
                "p" => s.paragraphs += 1,
                "div" if !has_block[i] && s.chars > 0 => s.paragraphs += 1,
                "img" => s.images += 1,
                "li" => {
                    s.items += 1;
                    s.list_chars = s.chars;
                }
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => s.heading_chars = s.chars,
                _ => {}
            }
            // A div of inline text is a paragraph: clutter only when it is
            // a short line named like chrome (a byline, a caption).
            let clutter = if n.tag == "div" && !has_block[i] {
                s.chars < 100 && class_weight(&n.hint) < 0.0
            } else {
                is_clutter(tree, i, &s)
            };
            if clean.is_some_and(|c| c[i]) && clutter {
                removed[i] = true;
                continue;
            }
        }
        stats[i] = s;
        let p = n.parent;
        has_block[p] |= n.block;
        let child = stats[i];
        stats[p].add(&child);
    }
    stats
}

/// Readability's conditional cleaning: a list, table or block inside the
/// article that is mostly links, images, list items or form fields, with
/// few commas, is not article text.
fn is_clutter(tree: &Tree, node: NodeId, s: &Stats) -> bool {
    let n = &tree.nodes[node];
    let tag = n.tag.as_str();
    if matches!(tag, "h1") {
        return true;
    }
    if matches!(tag, "h2" | "h3" | "h4" | "h5" | "h6") {
        return class_weight(&n.hint) < 0.0 || s.link_density() > 0.5;
    }
    if !matches!(
        tag,
        "table"
            | "ul"
            | "ol"
            | "div"
            | "section"
            | "form"
            | "fieldset"
            | "header"
            | "figure"
            | "dl"
    ) {
        return false;
    }
    let weight = class_weight(&n.hint);
    if weight < 0.0 || (n.hint.contains("share") && s.chars < 500) {
        return true;
    }
    if s.commas >= 10 {
        return false;
    }
    let is_list = matches!(tag, "ul" | "ol") || s.list_chars as f64 > 0.9 * s.chars as f64;
    let paragraphs = s.paragraphs as f64;
    let heading_density = s.heading_chars as f64 / s.chars.max(1) as f64;
    let link_density = s.link_density();
    (s.images > 1 && paragraphs / (s.images as f64) < 0.5 && tag != "figure")
        || (!is_list && s.items as f64 - 100.0 > paragraphs)
        || (!is_list
            && heading_density < 0.9
            && s.chars < 25
            && (s.images == 0 || s.images > 2)
            && tag != "figure")
        || (!is_list && weight < 25.0 && link_density > 0.2)
        || (weight >= 25.0 && link_density > 0.5)
        || (is_list && link_density > 0.5)
}

/// Each run of inline text scores its block and that block's ancestors.
fn score(tree: &Tree, pruned: &[bool], stats: &[Stats]) -> Vec<Option<f64>> {
    let mut scores: Vec<Option<f64>> = vec![None; tree.nodes.len()];
    for (i, n) in tree.nodes.iter().enumerate() {
        if pruned[i] || !n.block && i != 0 {
            continue;
        }
        let (own_chars, own_commas, has_block) = own_inline_text(tree, pruned, stats, i);
        if own_chars < 25 {
            continue;
        }
        let points = 1.0 + own_commas as f64 + (own_chars / 100).min(3) as f64;
        // A block of text alone is a paragraph: its container scores. Text
        // beside other blocks is a paragraph of its own block.
        let paragraph_like = !has_block || matches!(n.tag.as_str(), "p" | "pre" | "td");
        let mut at = if paragraph_like { n.parent } else { i };
        for level in 0..5 {
            if at == 0 && i != 0 {
                break;
            }
            let base = scores[at].unwrap_or_else(|| initial_score(tree, at));
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            scores[at] = Some(base + points / divider);
            if at == 0 {
                break;
            }
            at = tree.nodes[at].parent;
        }
    }
    for (i, s) in scores.iter_mut().enumerate() {
        if let Some(v) = s {
            *v *= 1.0 - stats[i].link_density();
        }
    }
    scores
}

/// Length and commas of the inline text directly in `node`, and whether it
/// has block children.
fn own_inline_text(
    tree: &Tree,
    pruned: &[bool],
    stats: &[Stats],
    node: NodeId,
) -> (usize, usize, bool) {
    let (mut chars, mut commas, mut has_block) = (0, 0, false);
    for &c in &tree.nodes[node].children {
        if pruned[c] {
            continue;
        }
        let child = &tree.nodes[c];
        if child.block {
            has_block = true;
        } else {
            chars += stats[c].chars;
            commas += stats[c].commas;
        }
    }
    (chars, commas, has_block)
}

fn initial_score(tree: &Tree, node: NodeId) -> f64 {
    let n = &tree.nodes[node];
    let by_tag = match n.tag.as_str() {
        "div" | "article" | "main" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    by_tag + class_weight(&n.hint)
}

/// The best-scoring container, moved up to an ancestor where several
/// near-best containers meet, or where the scores still rise.
fn choose_top(tree: &Tree, scores: &[Option<f64>]) -> Option<NodeId> {
    let mut ranked: Vec<(NodeId, f64)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let &(mut top, best) = ranked.first()?;
    let near: Vec<NodeId> = ranked[1..ranked.len().min(5)]
        .iter()
        .filter(|&&(n, s)| s >= 0.75 * best && !is_ancestor(tree, n, top))
        .map(|&(n, _)| n)
        .collect();
    if near.len() >= 3 {
        let mut at = tree.nodes[top].parent;
        while at != 0 {
            if near.iter().filter(|&&n| is_ancestor(tree, at, n)).count() >= 3 {
                top = at;
                break;
            }
            at = tree.nodes[at].parent;
        }
    }
    let mut last = scores[top].unwrap_or(0.0);
    let mut at = tree.nodes[top].parent;
    while at != 0 {
        let Some(s) = scores[at] else { break };
        if s < last / 3.0 {
            break;
        }
        if s > last {
            top = at;
        }
        last = s;
        at = tree.nodes[at].parent;
    }
    while top != 0
        && tree.nodes[tree.nodes[top].parent]
            .children
            .iter()
            .filter(|&&c| !tree.nodes[c].is_text())
            .count()
            == 1
    {
        top = tree.nodes[top].parent;
    }
    Some(top)
}

fn is_ancestor(tree: &Tree, ancestor: NodeId, mut node: NodeId) -> bool {
    while node != 0 {
        node = tree.nodes[node].parent;
        if node == ancestor {
            return true;
        }
    }
    ancestor == 0
}

/// The top container and those of its siblings that score near it or read
/// as paragraphs of the same article, in document order.
fn with_siblings(
    tree: &Tree,
    pruned: &[bool],
    stats: &[Stats],
    scores: &[Option<f64>],
    top: NodeId,
) -> Vec<NodeId> {
    if top == 0 {
        return vec![0];
    }
    let top_score = scores[top].unwrap_or(0.0);
    let threshold = (top_score * 0.2).max(10.0);
    let top_hint = &tree.nodes[top].hint;
    tree.nodes[tree.nodes[top].parent]
        .children
        .iter()
        .copied()
        .filter(|&s| {
            if s == top {
                return true;
            }
            if pruned[s] || tree.nodes[s].is_text() {
                return false;
            }
            let n = &tree.nodes[s];
            let bonus = if !top_hint.is_empty() && n.hint == *top_hint {
                top_score * 0.2
            } else {
                0.0
            };
            if scores[s].is_some_and(|v| v + bonus >= threshold) {
                return true;
            }
            if !reads_as_paragraph(tree, pruned, s) {
                return false;
            }
            let st = &stats[s];
            (st.chars > 80 && st.link_density() < 0.25)
                || (st.chars > 0 && st.link_density() == 0.0 && {
                    // Rendered only for short paragraphs without links.
                    let text = tree.text_of(s, &|c| !pruned[c]);
                    text.ends_with('.') || text.contains(". ")
                })
        })
        .collect()
}

/// A `p`, or a `div` with no block inside (Readability reads such a div as
/// a paragraph).
fn reads_as_paragraph(tree: &Tree, pruned: &[bool], node: NodeId) -> bool {
    let n = &tree.nodes[node];
    n.tag == "p"
        || (n.tag == "div"
            && !n
                .children
                .iter()
                .any(|&c| !pruned[c] && tree.nodes[c].block))
}

/// Leaves out headings inside the article that repeat the page title.
fn drop_title_headings(tree: &Tree, removed: &mut [bool], in_article: &[bool]) {
    let Some(title) = tree.title.as_deref() else {
        return;
    };
    let title = collapse(title).to_lowercase();
    for (i, n) in tree.nodes.iter().enumerate() {
        if in_article[i] && !removed[i] && matches!(n.tag.as_str(), "h2" | "h3") {
            let heading = tree.text_of(i, &|c| !removed[c]).to_lowercase();
            if heading.len() >= 15 && title.contains(&heading) {
                removed[i] = true;
            }
        }
    }
}

/// All the visible text of a page: what is kept when a page has no article.
pub fn visible_text(tree: &Tree) -> String {
    let pruned = prune(tree, false);
    tree.text_of(0, &|n| !pruned[n])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"<html><head><title>Harbour bridge to close for repairs | The Northgate Courier</title></head>
<body class="single-post">
<header class="site-header"><a href="/">The Northgate Courier</a><ul class="nav-menu"><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></header>
<div class="wrapper">
 <div class="main-column">
  <article class="post">
   <h1>Harbour bridge to close for repairs</h1>
   <div class="byline">By Jane Doe · 3 March 2026</div>
   <div class="article-lead">The Harbour bridge will close for six weeks from Monday, the city council said, while engineers replace its corroded expansion joints.</div>
   <div class="entry-content">
    <p>Commuters face detours of up to 40 minutes, and the council has asked employers to allow staff to work from home where they can.</p>
    <p>“We know this is disruptive,” said councillor Ana Ruiz, who chairs the transport committee. “But the joints are at the end of their life, and waiting would only mean a longer closure later.”</p>
    <div class="share-buttons"><a href="#">Share on Facebook</a><a href="#">Share on X</a></div>
    <p>Ferries will run every 15 minutes at peak hours, and bus lanes will be added on the Eastern Road, the council said.</p>
    <ul class="related-links"><li><a href="/a">Council approves budget</a></li><li><a href="/b">Ferry fares to rise</a></li><li><a href="/c">New cycle lanes</a></li></ul>
   </div>
  </article>
  <section id="comments"><h3>3 comments</h3><p>Finally, about time they fixed it, it has been rusting for years, honestly.</p></section>
 </div>
 <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Storm warning for the coast tonight</a></li><li><a href="/y">Local team wins the cup</a></li></ul></aside>
</div>
<div class="newsletter">Sign up for our newsletter, and get the news every morning in your inbox, for free.</div>
<footer>© 2026 The Northgate Courier. All rights reserved.</footer>
</body></html>"##;

    fn article(html: &str) -> Option<String> {
        article_text(&Tree::parse(html))
    }

    #[test]
    fn finds_the_article_and_leaves_the_chrome() {
        let text = article(PAGE).expect("an article");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("The Harbour bridge will close"));
        assert!(lines[1].starts_with("Commuters face detours"));
        assert!(lines[2].starts_with("\u{201c}We know this is disruptive,\u{201d}"));
        assert!(lines[3].starts_with("Ferries will run"));
    }

    #[test]
    fn no_article_on_a_page_of_links() {
        let page = r#"<html><body><h1>Sections</h1><ul>
            <li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
            <li><a href="/culture">Culture</a></li></ul><p>Welcome.</p></body></html>"#;
        assert_eq!(article(page), None);
        let text = super::super::extract(page).text;
        assert_eq!(text, "Sections\nNews\nSport\nCulture\nWelcome.");
    }

    #[test]
    fn a_paragraph_of_divs_is_text_not_clutter() {
        // A blog post written as divs of text between images: the images
        // do not make the block clutter, and the lead beside the body joins.
        let paragraph = |s: &str| format!("<div><span>{s}</span></div>");
        let mut body = String::from(r#"<div class="lead">"#);
        body += "The museum reopened on Saturday after two years of work on its roof, its curators said.</div>";
        body += r#"<div class="post-body">"#;
        for i in 0..4 {
            body += &format!(
                r#"<div class="separator"><a href="/p{i}.jpg"><img src="/p{i}.jpg"></a></div>"#
            );
            body += &paragraph(&format!(
                "Paragraph {i} describes the new galleries, the restored ceiling, and the light that falls on the paintings."
            ));
        }
        body += "</div>";
        let text = article(&format!("<html><body><div>{body}</div></body></html>")).unwrap();
        assert!(text.starts_with("The museum reopened"), "{text}");
        for i in 0..4 {
            assert!(text.contains(&format!("Paragraph {i} describes")), "{text}");
        }
    }
}
