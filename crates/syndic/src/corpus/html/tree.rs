//! A tolerant HTML tree builder: elements and text in one arena, in
//! document order (a node's parent always comes before it). It applies the
//! end-tag rules that matter for text (`<p>` closed by a block, `<li>` by the
//! next `<li>`, cells and rows by the next cell or row), skips the content of
//! `script`/`style`/`textarea` and comments, and never fails: a stray end tag
//! is ignored and unclosed elements end with the document. Costs one pass
//! over the bytes and one node per tag or text run.

use super::meta::PageMeta;

/// Index of a node in [`Tree::nodes`].
pub type NodeId = usize;

/// An element or a run of text.
#[derive(Debug, Default)]
pub struct Node {
    /// Lower-case tag name; empty for a text node.
    pub tag: String,
    /// The element's `id`, `class`, `role` and `itemprop` values, lower-cased
    /// and joined by spaces: what content heuristics look at.
    pub hint: String,
    /// `hidden`, `aria-hidden="true"` or an inline `display:none`.
    pub hidden: bool,
    /// A block element: starts and ends a line of text (see [`is_block`]).
    pub block: bool,
    /// Still open when the page ended (no end tag, none implied): broken
    /// markup, whose content is not known to belong to this element.
    pub unclosed: bool,
    /// Entity-decoded text, for a text node.
    pub text: String,
    /// The parent element; the root is its own parent.
    pub parent: NodeId,
    /// Child nodes in document order.
    pub children: Vec<NodeId>,
}

impl Node {
    /// True for a text node.
    pub fn is_text(&self) -> bool {
        self.tag.is_empty()
    }
}

/// A parsed page. Node 0 is a synthetic root, tagged `#document`, holding
/// the top-level nodes.
#[derive(Debug)]
pub struct Tree {
    /// All nodes; parents before children.
    pub nodes: Vec<Node>,
    /// The first non-empty `<title>`, whitespace collapsed.
    pub title: Option<String>,
    /// The publication time and address the page's markup gives.
    pub meta: PageMeta,
}

/// Elements with no content and no end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];

/// Elements whose content is raw text, skipped wholesale.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "xmp", "noembed", "noframes"];

/// Start tags that close an open `<p>` (HTML's "closes a p element").
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Elements that bound the search for an element to close implicitly.
const SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "body", "template", "object", "marquee", "applet",
    "ul", "ol", "dl",
];

impl Tree {
    /// Parses `html`. Never fails.
    pub fn parse(html: &str) -> Tree {
        let mut b = Builder {
            tree: Tree {
                nodes: vec![Node {
                    tag: "#document".into(),
                    ..Node::default()
                }],
                title: None,
                meta: PageMeta::default(),
            },
            open: vec![0],
        };
        let bytes = html.as_bytes();
        let mut i = 0;
        let mut run_start = 0;
        while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
            let lt = i + at;
            let next = bytes.get(lt + 1).copied().unwrap_or(b' ');
            if !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')) {
                i = lt + 1;
                continue;
            }
            b.text(&html[run_start..lt]);
            i = b.markup(html, lt);
            run_start = i;
        }
        b.text(&html[run_start..]);
        for &open in &b.open[1..] {
            b.tree.nodes[open].unclosed = true;
        }
        b.tree.meta.finish();
        b.tree
    }

    /// The text of `node` and its descendants as it reads: text runs joined,
    /// whitespace collapsed, block elements on their own lines.
    pub fn text_of(&self, node: NodeId, keep: &dyn Fn(NodeId) -> bool) -> String {
        let mut out = String::new();
        self.render(node, keep, &mut out);
        out.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn render(&self, node: NodeId, keep: &dyn Fn(NodeId) -> bool, out: &mut String) {
        let n = &self.nodes[node];
        if n.is_text() {
            push_text(&n.text, out);
            return;
        }
        let block = n.block;
        if block && !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        for &c in &n.children {
            if keep(c) {
                self.render(c, keep, out);
            }
        }
        if block && !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
    }
}

/// True for elements that start and end a line of text.
pub fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "section"
            | "article"
            | "blockquote"
            | "pre"
            | "dd"
            | "dt"
            | "dl"
            | "figcaption"
            | "figure"
            | "header"
            | "footer"
            | "main"
            | "hr"
            | "body"
            | "address"
            | "time"
            | "caption"
            | "details"
            | "summary"
            | "aside"
            | "nav"
            | "form"
            | "center"
            | "fieldset"
            | "option"
    )
}

struct Builder {
    tree: Tree,
    /// Open elements, innermost last; the root is always at the bottom.
    open: Vec<NodeId>,
}

impl Builder {
    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let text = if raw.contains('&') {
            html_escape::decode_html_entities(raw).into_owned()
        } else {
            raw.to_string()
        };
        let parent = *self.open.last().unwrap_or(&0);
        self.add(Node {
            text,
            parent,
            ..Node::default()
        });
    }

    fn add(&mut self, node: Node) -> NodeId {
        let id = self.tree.nodes.len();
        let parent = node.parent;
        self.tree.nodes.push(node);
        self.tree.nodes[parent].children.push(id);
        id
    }

    /// Handles the markup starting at `lt` (a `<`); returns where text resumes.
    fn markup(&mut self, html: &str, lt: usize) -> usize {
        let bytes = html.as_bytes();
        if html[lt..].starts_with("<!--") {
            return memchr::memmem::find(&bytes[lt + 4..], b"-->")
                .map_or(bytes.len(), |e| lt + 4 + e + 3);
        }
        if matches!(bytes[lt + 1], b'!' | b'?') {
            return memchr::memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |e| lt + e + 1);
        }
        let end = tag_end(bytes, lt);
        let inner = &html[lt + 1..if bytes[end - 1] == b'>' { end - 1 } else { end }];
        let closing = inner.starts_with('/');
        let body = inner.trim_start_matches('/');
        let name_len = body
            .bytes()
            .position(|c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b':'))
            .unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        if name.is_empty() {
            return end;
        }
        if closing {
            self.close(&name);
            return end;
        }
        if RAW_TEXT.contains(&name.as_str()) || name == "title" {
            let json_ld = name == "script"
                && attributes(&body[name_len..]).iter().any(|(k, v)| {
                    k == "type" && v.trim().eq_ignore_ascii_case("application/ld+json")
                });
            return self.raw_text(html, end, &name, json_ld);
        }
        self.start(&name, &body[name_len..]);
        if inner.ends_with('/') && !VOID.contains(&name.as_str()) && name != "p" {
            // `<div/>` in XHTML-style markup: nothing inside.
            self.close(&name);
        }
        end
    }

    /// Skips the raw text of `name` that starts at `from`, keeping a title
    /// and reading a JSON-LD script's publication time.
    fn raw_text(&mut self, html: &str, from: usize, name: &str, json_ld: bool) -> usize {
        let close = find_ci(html.as_bytes(), from, format!("</{name}").as_bytes());
        let stop = close.unwrap_or(html.len());
        if name == "title" && self.tree.title.is_none() {
            let t = collapse(&html_escape::decode_html_entities(&html[from..stop]));
            self.tree.title = (!t.is_empty()).then_some(t);
        }
        if json_ld {
            self.tree.meta.json_ld(&html[from..stop]);
        }
        close.map_or(html.len(), |c| tag_end(html.as_bytes(), c))
    }

    fn start(&mut self, name: &str, attrs: &str) {
        self.close_implied(name);
        let parent = *self.open.last().unwrap_or(&0);
        let attrs = attributes(attrs);
        if matches!(name, "meta" | "link" | "time") {
            self.tree.meta.tag(name, &attrs);
        }
        let (hint, hidden) = read_attrs(&attrs);
        let id = self.add(Node {
            tag: name.to_string(),
            block: is_block(name),
            hint,
            hidden,
            parent,
            ..Node::default()
        });
        if !VOID.contains(&name) {
            self.open.push(id);
        }
    }

    /// Closes what the start of `name` closes without an end tag.
    fn close_implied(&mut self, name: &str) {
        let closes: &[&str] = match name {
            "li" => &["li"],
            "dt" | "dd" => &["dt", "dd"],
            "tr" => &["tr"],
            "td" | "th" => &["td", "th"],
            "option" => &["option"],
            _ if CLOSES_P.contains(&name) => &["p"],
            _ => &[],
        };
        if closes.is_empty() {
            return;
        }
        for (depth, &open) in self.open.iter().enumerate().rev() {
            let tag = self.tree.nodes[open].tag.as_str();
            if closes.contains(&tag) {
                self.open.truncate(depth);
                return;
            }
            let bound = match name {
                "tr" => tag == "table",
                "p" => tag != "p" && is_block(tag),
                _ => SCOPE.contains(&tag),
            };
            if open == 0 || bound {
                return;
            }
        }
    }

    /// An end tag: closes the innermost open `name`, if any is open.
    fn close(&mut self, name: &str) {
        if let Some(depth) = self
            .open
            .iter()
            .rposition(|&n| n != 0 && self.tree.nodes[n].tag == name)
        {
            self.open.truncate(depth);
        }
    }
}

/// A tag's attributes in order: each name lower-cased, with its value as
/// written (entities not decoded; empty for a bare attribute).
pub fn attributes(attrs: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    let bytes = attrs.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'/')
        {
            i += 1;
        }
        let name = attrs[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let (start, stop) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let s = i + 1;
                    let e = memchr::memchr(q, &bytes[s..]).map_or(bytes.len(), |p| s + p);
                    i = (e + 1).min(bytes.len());
                    (s, e)
                }
                _ => {
                    let s = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    (s, i)
                }
            };
            value = &attrs[start..stop];
        }
        if !name.is_empty() {
            out.push((name, value));
        }
        if i == name_start {
            i += 1;
        }
    }
    out
}

/// The hint (id, class, role, itemprop) and hidden flag of a tag's
/// attributes ([`attributes`]).
fn read_attrs(attrs: &[(String, &str)]) -> (String, bool) {
    let mut hint = String::new();
    let mut hidden = false;
    for &(ref name, value) in attrs {
        match name.as_str() {
            "id" | "class" | "role" | "itemprop" => {
                if !hint.is_empty() {
                    hint.push(' ');
                }
                hint.push_str(&value.to_ascii_lowercase());
            }
            "hidden" => hidden = true,
            "aria-hidden" => hidden |= value.eq_ignore_ascii_case("true"),
            "style" => {
                let style: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                hidden |= style.contains("display:none") || style.contains("visibility:hidden");
            }
            _ => {}
        }
    }
    (hint, hidden)
}

/// Index just past the `>` closing the tag that starts at `start`, honouring
/// quotes inside the tag.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut k = start + 1;
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &bytes[k..]) {
        let at = k + p;
        let b = bytes[at];
        if b == b'>' {
            return at + 1;
        }
        k = at + 1;
        // An attribute value (after `=` or a space), not an apostrophe in
        // broken markup: skip to its closing quote.
        if bytes[at - 1] == b'=' || bytes[at - 1].is_ascii_whitespace() {
            match memchr::memchr(b, &bytes[k..]) {
                Some(q) => k += q + 1,
                None => return bytes.len(),
            }
        }
    }
    bytes.len()
}

/// Where `needle` (which starts with `<`) next occurs in `haystack` from
/// `from`, ignoring ASCII case.
fn find_ci(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut at = from.min(haystack.len());
    while let Some(p) = memchr::memchr(needle[0], &haystack[at..]) {
        let start = at + p;
        if haystack[start..]
            .get(..needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

/// `s` with runs of whitespace as single spaces, trimmed.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Appends a text run to `out`, collapsing whitespace but keeping one space
/// where the run starts or ends with whitespace.
fn push_text(raw: &str, out: &mut String) {
    let collapsed = collapse(raw);
    let after_space = out.is_empty() || out.ends_with([' ', '\n']);
    if collapsed.is_empty() {
        if !raw.is_empty() && !after_space {
            out.push(' ');
        }
        return;
    }
    if raw.starts_with(char::is_whitespace) && !after_space {
        out.push(' ');
    }
    out.push_str(&collapsed);
    if raw.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(tree: &Tree, node: NodeId) -> String {
        let n = &tree.nodes[node];
        if n.is_text() {
            return n.text.trim().to_string();
        }
        let inner: Vec<String> = n.children.iter().map(|&c| shape(tree, c)).collect();
        let tag = if node == 0 { "" } else { n.tag.as_str() };
        format!("{tag}({})", inner.join(","))
    }

    #[test]
    fn implied_end_tags() {
        let t = Tree::parse("<div><p>one<p>two<ul><li>a<li>b</ul></div><table><tr><td>x<td>y<tr><td>z<table><tr><td>in</table></table>");
        assert_eq!(
            shape(&t, 0),
            "(div(p(one),p(two),ul(li(a),li(b))),table(tr(td(x),td(y)),tr(td(z,table(tr(td(in)))))))"
        );
    }

    #[test]
    fn stray_and_missing_end_tags() {
        let t = Tree::parse("<div><span>a</b></div></div>tail<section>open");
        assert_eq!(shape(&t, 0), "(div(span(a)),tail,section(open))");
        let unclosed: Vec<&str> = t
            .nodes
            .iter()
            .filter(|n| n.unclosed)
            .map(|n| n.tag.as_str())
            .collect();
        assert_eq!(unclosed, ["section"]);
    }

    #[test]
    fn attributes_raw_text_and_comments() {
        let t = Tree::parse(
            "<title>T &amp; U</title><div id=Main class='Story body' style='display: none'>x</div>\
             <script>if (a<b) { '<p>' }</script><!-- <p>c</p> --><p aria-hidden=\"true\" data-x='>'>y</p> 3 < 4",
        );
        assert_eq!(t.title.as_deref(), Some("T & U"));
        let div = &t.nodes[1];
        assert_eq!((div.hint.as_str(), div.hidden), ("main story body", true));
        assert_eq!(shape(&t, 0), "(div(x),p(y),3 < 4)");
        assert!(t.nodes.iter().any(|n| n.tag == "p" && n.hidden));
    }

    #[test]
    fn text_reads_as_lines() {
        let t = Tree::parse("<p>The <b>bridge</b>&nbsp;closes.</p><p>Second<br>line</p>");
        assert_eq!(t.text_of(0, &|_| true), "The bridge closes.\nSecond\nline");
    }
}
