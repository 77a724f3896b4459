//! Reuters-21578 SGML (`.sgm`): one document per `<REUTERS>` element, with
//! `NEWID` as id, `<DATE>` as publication time, `<TITLE>` as title and
//! `<BODY>` as text (the whole `<TEXT>` for stories without a body). Files are
//! Latin-1 where they are not UTF-8. A document's location is the line of its
//! `<REUTERS` tag.

use super::{Document, Record};
use crate::error::{Problem, Result};
use std::io::BufRead;

pub(crate) fn read_sgml<R: BufRead>(
    mut reader: R,
    mut sink: impl FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        return sink(
            1,
            Record::problem(bytes.len(), Problem::Unreadable(e.to_string())),
        );
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    let (mut line, mut counted) = (1u64, 0usize);
    let mut pos = 0;
    while let Some(start) = text[pos..].find("<REUTERS").map(|s| pos + s) {
        line += text[counted..start].matches('\n').count() as u64;
        counted = start;
        let end = text[start..]
            .find("</REUTERS>")
            .map_or(text.len(), |e| start + e);
        let element = &text[start..end];
        pos = end.max(start + 1);
        let result = parse_element(element);
        sink(
            line,
            Record {
                bytes: element.len(),
                result,
            },
        )?;
    }
    Ok(())
}

fn parse_element(element: &str) -> Result<Document, Problem> {
    let open_tag = &element[..element.find('>').unwrap_or(element.len())];
    let id = attribute(open_tag, "NEWID")
        .ok_or_else(|| Problem::MalformedSgml("no NEWID attribute".into()))?;
    let title = inner(element, "TITLE")
        .map(decode)
        .filter(|t| !t.is_empty());
    let text = match inner(element, "BODY") {
        Some(body) => decode(body),
        None => inner(element, "TEXT")
            .map(|t| decode(&strip_tags(t)))
            .unwrap_or_default(),
    };
    Ok(Document {
        title,
        published: inner(element, "DATE").and_then(reuters_time),
        ..Document::new(id, text)
    })
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
    tag[at..].split('"').next()
}

fn inner<'a>(element: &'a str, tag: &str) -> Option<&'a str> {
    let open = element.find(&format!("<{tag}"))?;
    let body_start = open + element[open..].find('>')? + 1;
    let close = element[body_start..]
        .find(&format!("</{tag}>"))
        .map_or(element.len(), |c| body_start + c);
    Some(&element[body_start..close])
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Decodes SGML entities and drops the control characters Reuters uses as
/// markers (`&#2;`, `&#3;`, ..., which the HTML decoder leaves alone).
fn decode(s: &str) -> String {
    let mut cleaned = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("&#") {
        cleaned.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let control = digits > 0
            && tail[digits..].starts_with(';')
            && tail[..digits]
                .parse::<u32>()
                .is_ok_and(|n| n < 32 && n != 10);
        if control {
            rest = &tail[digits + 1..];
        } else {
            cleaned.push_str("&#");
            rest = tail;
        }
    }
    cleaned.push_str(rest);
    let decoded = html_escape::decode_html_entities(&cleaned);
    decoded
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

/// `26-FEB-1987 15:01:01.79` → `1987-02-26T15:01:01Z`.
fn reuters_time(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let (date, time) = raw.split_once(' ')?;
    let mut parts = date.split('-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let months = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let m = months.iter().position(|&x| x.eq_ignore_ascii_case(month))? + 1;
    let hms = time.split('.').next()?;
    Some(format!(
        "{year}-{m:02}-{:02}T{hms}Z",
        day.trim().parse::<u32>().ok()?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stories_and_briefs() {
        let sgml = "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS TOPICS=\"YES\" NEWID=\"1\">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TEXT>&#2;\n<TITLE>BAHIA COCOA REVIEW</TITLE>\n<BODY>Showers continued &lt;all&gt; week.\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n<REUTERS NEWID=\"2\">\n<TEXT TYPE=\"BRIEF\">&#2;\n******<TITLE>SHORT NOTE</TITLE>\n&#3;</TEXT>\n</REUTERS>\n";
        let mut docs = Vec::new();
        read_sgml(sgml.as_bytes(), |line, r| {
            docs.push((line, r.result.unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(docs.len(), 2);
        let (line, d) = &docs[0];
        assert_eq!(
            (*line, d.id.as_str(), d.title.as_deref()),
            (2, "1", Some("BAHIA COCOA REVIEW"))
        );
        assert_eq!(d.text, "Showers continued <all> week.\n Reuter");
        assert_eq!(d.published.as_deref(), Some("1987-02-26T15:01:01Z"));
        assert_eq!(
            (docs[1].0, docs[1].1.text.as_str()),
            (10, "****** SHORT NOTE")
        );
    }
}
