//! CSV and TSV readers: a header row names the columns; `--id-field` and
//! `--text-field` pick the id and text columns, and `title`, `url`, `source`,
//! `published` columns are carried through when present. A record's location
//! is the line it starts on.
//!
//! CSV fields may be quoted (RFC 4180: `""` is a quote inside quotes) and a
//! quoted field may span lines. A quote that is never closed, or closed only
//! where the record it swallowed no longer has the header's number of
//! fields or has text right after a closing quote, makes its first line a `malformed_csv` record, and reading goes
//! on from the next line: one stray quote costs one row, not the rest of the
//! file. TSV has no quoting (one record per line, as in IANA's
//! `text/tab-separated-values`): quotes are text. A line longer than the
//! record limit is skipped as it is read, never held whole in memory.
//!
//! Article-pair files (a header with `pair_id`, `text1`, `text2` and no text
//! column, as in SemEval-2022 task 8) give two documents per row, with ids
//! `pair_id` split at `_`; an article that appears in several pairs is read once.

use super::jsonl::read_line_capped;
use super::{Document, Location, ReadOptions, Record};
use crate::error::{Error, Problem, Result};
use std::io::BufRead;
use std::path::Path;

/// One row: its fields, or why it is not a row.
type Row = std::result::Result<Vec<Vec<u8>>, Problem>;

pub(crate) fn read_delimited<R: BufRead>(
    reader: R,
    delimiter: u8,
    path: &Path,
    opts: &ReadOptions,
    mut sink: impl FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    let mut rows = Rows::new(reader, delimiter, super::max_record_bytes(opts));
    let header_error = |problem: Problem| Error::Input {
        path: path.to_path_buf(),
        line: 1,
        problem,
    };
    let headers = match rows.next_row(None) {
        Ok(Some((_, Ok(h), _))) => h,
        Ok(Some((_, Err(problem), _))) => return Err(header_error(problem)),
        Ok(None) => return Ok(()),
        Err(e) => return Err(header_error(Problem::Unreadable(e.to_string()))),
    };
    let column = |name: &str| headers.iter().position(|h| h == name.as_bytes());
    if let (None, Some(pair), Some(t1), Some(t2)) = (
        column(&opts.text_field),
        column("pair_id"),
        column("text1"),
        column("text2"),
    ) {
        return read_pairs(rows, headers.len(), [pair, t1, t2], sink);
    }
    let text_col = column(&opts.text_field).ok_or_else(|| {
        header_error(Problem::MalformedCsv(format!(
            "the header has no {:?} column (use --text-field)",
            opts.text_field
        )))
    })?;
    let id_col = column(&opts.id_field);
    let [title, url, source, published] = ["title", "url", "source", "published"].map(column);
    while let Some((line, row, bytes)) = next_or_unreadable(&mut rows, headers.len(), &mut sink)? {
        let result = row.and_then(|row| {
            let field = |c: Option<usize>| -> Result<Option<String>, Problem> {
                match c.and_then(|c| row.get(c)) {
                    None => Ok(None),
                    Some(b) => std::str::from_utf8(b)
                        .map(|s| Some(s.to_string()))
                        .map_err(|e| Problem::InvalidUtf8(e.valid_up_to())),
                }
            };
            let text = field(Some(text_col))?
                .ok_or_else(|| Problem::MissingText(opts.text_field.clone()))?;
            let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
            Ok(Document {
                id: field(id_col)?.unwrap_or_default(),
                text,
                title: nonempty(field(title)?),
                url: nonempty(field(url)?),
                source: nonempty(field(source)?),
                published: nonempty(field(published)?),
                location: Location { file: 0, line },
            })
        });
        sink(line, Record { bytes, result })?;
    }
    Ok(())
}

/// The next row, or `None` at the end; a read error is reported as an
/// `unreadable` record at the line reached, and ends the file.
fn next_or_unreadable<R: BufRead>(
    rows: &mut Rows<R>,
    width: usize,
    sink: &mut impl FnMut(u64, Record) -> Result<()>,
) -> Result<Option<(u64, Row, usize)>> {
    match rows.next_row(Some(width)) {
        Ok(row) => Ok(row),
        Err(e) => {
            sink(
                rows.line + 1,
                Record::problem(0, Problem::Unreadable(e.to_string())),
            )?;
            Ok(None)
        }
    }
}

fn read_pairs<R: BufRead>(
    mut rows: Rows<R>,
    width: usize,
    [pair, t1, t2]: [usize; 3],
    mut sink: impl FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    while let Some((line, row, bytes)) = next_or_unreadable(&mut rows, width, &mut sink)? {
        let row = match row {
            Ok(r) => r,
            Err(problem) => {
                sink(line, Record::problem(bytes, problem))?;
                continue;
            }
        };
        let get = |c: usize| {
            std::str::from_utf8(row.get(c).map_or(&[][..], Vec::as_slice))
                .map_err(|e| Problem::InvalidUtf8(e.valid_up_to()))
        };
        let ids = match get(pair) {
            Ok(p) => p
                .split_once('_')
                .map(|(a, b)| [a.to_string(), b.to_string()]),
            Err(e) => {
                sink(line, Record::problem(bytes, e))?;
                continue;
            }
        };
        let Some(ids) = ids else {
            let problem = Problem::MalformedCsv("pair_id is not of the form ID1_ID2".into());
            sink(line, Record::problem(bytes, problem))?;
            continue;
        };
        for (id, col) in ids.into_iter().zip([t1, t2]) {
            if !seen.insert(id.clone()) {
                continue;
            }
            let result = get(col).map(|text| Document::new(id, text));
            sink(
                line,
                Record {
                    bytes: bytes / 2,
                    result,
                },
            )?;
        }
    }
    Ok(())
}

/// Where a field's parse is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: `""` (a quote) or the field's end.
    QuoteInQuoted,
}

/// Parses one record from its lines, fed one at a time.
struct RecordParser {
    fields: Vec<Vec<u8>>,
    field: Vec<u8>,
    state: State,
    delimiter: u8,
    quoting: bool,
    /// Text followed a closing quote (`"a"b`): lenient on one line, but in
    /// a record spanning lines the sign of a quote paired with the wrong one.
    stray: bool,
    /// Whether field bytes are kept; off, the parser only finds where the
    /// record ends and how many fields it has.
    keep: bool,
}

impl RecordParser {
    fn new(delimiter: u8) -> RecordParser {
        RecordParser {
            fields: Vec::new(),
            field: Vec::new(),
            state: State::FieldStart,
            delimiter,
            // TSV has no quoting.
            quoting: delimiter != b'\t',
            stray: false,
            keep: true,
        }
    }

    /// Feeds one line (with its line break, if any); true when the record
    /// ends with it.
    fn feed(&mut self, line: &[u8]) -> bool {
        for &b in line {
            match (self.state, b) {
                (State::Quoted, b'"') => self.state = State::QuoteInQuoted,
                (State::Quoted, _) => self.keep(b),
                (State::QuoteInQuoted, b'"') => {
                    self.keep(b'"');
                    self.state = State::Quoted;
                }
                (State::QuoteInQuoted, b'\r') => {}
                (_, b'\n') => {
                    if self.state == State::Unquoted && self.field.last() == Some(&b'\r') {
                        self.field.pop();
                    }
                    self.end_field();
                    return true;
                }
                (_, d) if d == self.delimiter => self.end_field(),
                (State::FieldStart, b'"') if self.quoting => self.state = State::Quoted,
                (State::FieldStart | State::Unquoted | State::QuoteInQuoted, _) => {
                    // Text after a closing quote is kept, as the csv crate does.
                    self.stray |= self.state == State::QuoteInQuoted;
                    self.keep(b);
                    self.state = State::Unquoted;
                }
            }
        }
        false
    }

    fn keep(&mut self, b: u8) {
        if self.keep {
            self.field.push(b);
        }
    }

    fn end_field(&mut self) {
        self.fields.push(std::mem::take(&mut self.field));
        self.state = State::FieldStart;
    }

    /// The fields of a record the input ended in: `None` inside quotes.
    fn finish(mut self) -> Option<Vec<Vec<u8>>> {
        if self.state == State::Quoted {
            return None;
        }
        if self.state == State::Unquoted && self.field.last() == Some(&b'\r') {
            self.field.pop();
        }
        self.end_field();
        Some(self.fields)
    }
}

/// Lines held in chunks of about a megabyte: those of a record being
/// assembled, or those given back after a bad quote. Not one allocation per
/// line (a quote left open in a gzip of 100-byte lines holds millions of
/// them, up to the record limit), and not one growing buffer (whose every
/// doubling holds the old and the new copy at once). A chunk is freed once
/// its lines are read again.
#[derive(Default)]
struct HeldLines {
    chunks: Vec<Vec<u8>>,
    /// The number of the first line (they are consecutive).
    first: u64,
    /// Each line's chunk and end in it (a line longer than a chunk has
    /// its own, and `--max-doc-bytes` has no ceiling); [`OVER`] for a line
    /// over the cap (consumed, not kept).
    lines: Vec<(u32, u64)>,
    /// The next line to give back, and where it starts (chunk, offset).
    next: usize,
    at: (u32, u64),
}

const CHUNK: usize = 1 << 20;
const OVER: (u32, u64) = (u32::MAX, u64::MAX);

impl HeldLines {
    fn push(&mut self, n: u64, line: Option<&[u8]>) {
        if self.lines.is_empty() {
            self.first = n;
        }
        debug_assert_eq!(n, self.first + self.lines.len() as u64);
        let place = match line {
            None => OVER,
            Some(l) => {
                let room = self
                    .chunks
                    .last()
                    .is_some_and(|c| c.capacity() - c.len() >= l.len());
                if !room {
                    self.chunks.push(Vec::with_capacity(CHUNK.max(l.len())));
                }
                let k = self.chunks.len() - 1;
                self.chunks[k].extend_from_slice(l);
                (k as u32, self.chunks[k].len() as u64)
            }
        };
        self.lines.push(place);
    }

    /// Where the line at `place` starts, after the line that ended at `at`.
    fn start(at: (u32, u64), place: (u32, u64)) -> usize {
        match at.0 == place.0 {
            true => at.1 as usize,
            false => 0,
        }
    }

    fn pop(&mut self) -> Option<(u64, Option<Vec<u8>>)> {
        let &place = self.lines.get(self.next)?;
        let n = self.first + self.next as u64;
        self.next += 1;
        let line = (place != OVER).then(|| {
            if place.0 != self.at.0 && self.at.0 != OVER.0 {
                // The lines of the previous chunk are all given back.
                self.chunks[self.at.0 as usize] = Vec::new();
            }
            let start = Self::start(self.at, place);
            self.at = place;
            self.chunks[place.0 as usize][start..place.1 as usize].to_vec()
        });
        if self.next == self.lines.len() {
            *self = HeldLines::default();
        }
        Some((n, line))
    }

    fn is_empty(&self) -> bool {
        self.next == self.lines.len()
    }

    /// The lines held, from the first (a line over the cap ends them).
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let mut at = OVER;
        self.lines.iter().map_while(move |&place| {
            if place == OVER {
                return None;
            }
            let start = Self::start(at, place);
            at = place;
            Some(&self.chunks[place.0 as usize][start..place.1 as usize])
        })
    }

    /// `self`'s lines, then `rest`'s.
    fn followed_by(mut self, mut rest: HeldLines) -> HeldLines {
        while let Some((n, line)) = rest.pop() {
            self.push(n, line.as_deref());
        }
        self
    }
}

/// Rows of a delimited file, each with the line it starts on and its size.
struct Rows<R> {
    reader: R,
    delimiter: u8,
    cap: usize,
    /// Lines read but given back, after a bad quote, to be read again.
    again: HeldLines,
    /// The last line read from `reader` (1-based).
    line: u64,
}

impl<R: BufRead> Rows<R> {
    fn new(reader: R, delimiter: u8, cap: usize) -> Rows<R> {
        Rows {
            reader,
            delimiter,
            cap,
            again: HeldLines::default(),
            line: 0,
        }
    }

    /// The next line and its number; `Some(None)` for a line over the cap
    /// (consumed, not kept).
    fn next_line(&mut self) -> std::io::Result<Option<(u64, Option<Vec<u8>>)>> {
        if let Some(l) = self.again.pop() {
            return Ok(Some(l));
        }
        let mut buf = Vec::new();
        let read = read_line_capped(&mut self.reader, &mut buf, self.cap)?;
        if read == 0 {
            return Ok(None);
        }
        self.line += 1;
        if buf.is_empty() {
            return Ok(Some((self.line, None)));
        }
        if self.line == 1 && buf.starts_with(b"\xef\xbb\xbf") {
            buf.drain(..3);
        }
        Ok(Some((self.line, Some(buf))))
    }

    /// The next row. A record spanning lines must have `width` fields
    /// (when given); if it has not, or its quote never closes, its first
    /// line is a malformed row and the lines after it are read again.
    fn next_row(&mut self, width: Option<usize>) -> std::io::Result<Option<(u64, Row, usize)>> {
        loop {
            let Some((start, first)) = self.next_line()? else {
                return Ok(None);
            };
            let Some(first) = first else {
                let problem = Problem::RecordTooLong {
                    size: self.cap as u64 + 1,
                    limit: self.cap,
                };
                return Ok(Some((start, Err(problem), 0)));
            };
            if first.iter().all(|&b| b == b'\r' || b == b'\n') {
                continue;
            }
            let mut parser = RecordParser::new(self.delimiter);
            let mut bytes = first.len();
            let mut more = HeldLines::default();
            let (mut ended, mut eof) = (parser.feed(&first), false);
            // A record spanning lines is parsed twice: first only to find
            // its end (the lines are held, their bytes not copied again),
            // then, if it is a row, for its fields.
            parser.keep = false;
            while !ended && !eof {
                match self.next_line()? {
                    Some((n, Some(l))) if bytes + l.len() <= self.cap => {
                        bytes += l.len();
                        ended = parser.feed(&l);
                        more.push(n, Some(&l));
                    }
                    Some((n, over)) => {
                        more.push(n, over.as_deref());
                        break;
                    }
                    None => eof = true,
                }
            }
            let stray = parser.stray;
            let fields = if ended {
                Some(parser.fields)
            } else if eof {
                parser.finish()
            } else {
                None
            };
            let fields = match fields {
                Some(f) if more.is_empty() => Some(f),
                Some(f) if !stray && width.is_none_or(|w| f.len() == w) => {
                    let mut parser = RecordParser::new(self.delimiter);
                    let ended = std::iter::once(&first[..])
                        .chain(more.iter())
                        .fold(false, |_, line| parser.feed(line));
                    if ended {
                        Some(parser.fields)
                    } else {
                        parser.finish()
                    }
                }
                _ => None,
            };
            match fields {
                Some(f) => return Ok(Some((start, Ok(f), bytes))),
                None => {
                    self.again = more.followed_by(std::mem::take(&mut self.again));
                    let problem = Problem::MalformedCsv(format!(
                        "a quote opened on this line is not closed where a row of {} fields \
                         ends (read again from the next line)",
                        width.unwrap_or(0)
                    ));
                    return Ok(Some((start, Err(problem), first.len())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, delimiter: u8) -> Vec<(u64, Result<Document, Problem>)> {
        let mut out = Vec::new();
        read_delimited(
            input.as_bytes(),
            delimiter,
            Path::new("t.csv"),
            &ReadOptions::default(),
            |line, r| {
                out.push((line, r.result));
                Ok(())
            },
        )
        .unwrap();
        out
    }

    fn texts(rows: &[(u64, Result<Document, Problem>)]) -> Vec<(u64, String)> {
        rows.iter()
            .map(|(line, r)| match r {
                Ok(d) => (*line, d.text.clone()),
                Err(p) => (*line, format!("<{}>", p.kind())),
            })
            .collect()
    }

    #[test]
    fn reads_rows_with_multiline_fields() {
        let rows = read("id,text,source\n1,\"two\nlines\",a.com\n2,plain,\n", b',');
        assert_eq!(rows.len(), 2);
        let first = rows[0].1.as_ref().unwrap();
        assert_eq!(
            (rows[0].0, first.text.as_str(), first.source.as_deref()),
            (2, "two\nlines", Some("a.com"))
        );
        assert_eq!(rows[1].0, 4);
        assert_eq!(rows[1].1.as_ref().unwrap().source, None);
    }

    #[test]
    fn quotes_escapes_and_line_ends() {
        let rows = read(
            "\u{feff}id,text\r\n1,\"She said \"\"no\"\", twice\"\r\n2,5\" screen\r\n\r\n3,\"a\"b\n4,last",
            b',',
        );
        assert_eq!(
            texts(&rows),
            [
                (2, "She said \"no\", twice".to_string()),
                (3, "5\" screen".into()),
                (5, "ab".into()),
                (6, "last".into())
            ]
        );
        assert_eq!(
            rows[0].1.as_ref().unwrap().id,
            "1",
            "BOM stripped from the header"
        );
    }

    /// An unbalanced quote costs its own row, not the rows after it.
    #[test]
    fn an_unclosed_quote_costs_one_row() {
        let csv = "id,text,source\n1,\"broken text,a.com\n2,fine,b.com\n3,\"quoted, ok\",c.com\n4,also fine,d.com\n";
        assert_eq!(
            texts(&read(csv, b',')),
            [
                (2, "<malformed_csv>".to_string()),
                (3, "fine".into()),
                (4, "quoted, ok".into()),
                (5, "also fine".into())
            ]
        );
        // Never closed before the end of the file.
        let csv = "id,text\n1,fine\n2,\"never closed\n3,after\n";
        assert_eq!(
            texts(&read(csv, b',')),
            [
                (2, "fine".to_string()),
                (3, "<malformed_csv>".into()),
                (4, "after".into())
            ]
        );
    }

    #[test]
    fn tsv_keeps_quotes_as_text() {
        let tsv = "id\ttext\n1\t\"Quoted\" start\n2\thalf \"open\n3\t\"unbalanced\n4\tlast\n";
        assert_eq!(
            texts(&read(tsv, b'\t')),
            [
                (2, "\"Quoted\" start".to_string()),
                (3, "half \"open".into()),
                (4, "\"unbalanced".into()),
                (5, "last".into())
            ]
        );
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_unread() {
        let opts = ReadOptions {
            max_doc_bytes: 16,
            ..ReadOptions::default()
        };
        let long = "x".repeat(super::super::max_record_bytes(&opts) + 10);
        let csv = format!("id,text\n1,{long}\n2,short\n");
        let mut out = Vec::new();
        read_delimited(
            csv.as_bytes(),
            b',',
            Path::new("t.csv"),
            &opts,
            |line, r| {
                out.push((line, r.result));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            texts(&out),
            [(2, "<too_large>".to_string()), (3, "short".into())]
        );
    }

    #[test]
    fn article_pairs_give_each_article_once() {
        let rows = read(
            "pair_id,text1,text2,Overall\n1_2,one,two,1.0\n2_3,two,three,4.0\n",
            b',',
        );
        let ids: Vec<String> = rows
            .iter()
            .map(|(_, r)| r.as_ref().unwrap().id.clone())
            .collect();
        assert_eq!(ids, vec!["1", "2", "3"]);
        assert_eq!(rows[2].0, 3);
    }

    #[test]
    fn tsv_and_missing_columns() {
        let rows = read("text\tid\nhello\tx\nshort-row\n", b'\t');
        assert_eq!(rows[0].1.as_ref().unwrap().id, "x");
        assert_eq!(
            rows[1].1.as_ref().unwrap().id,
            "",
            "missing id becomes file:line later"
        );
        let err = read_delimited(
            "id,body\n1,x\n".as_bytes(),
            b',',
            Path::new("t.csv"),
            &ReadOptions::default(),
            |_, _| Ok(()),
        );
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("t.csv:1: malformed CSV: the header has no \"text\" column"));
    }
}
