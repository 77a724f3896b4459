//! JSON readers: JSON Lines (one object per line, streamed) and JSON arrays of
//! objects (streamed element by element; each is located by the line it
//! starts on).
//! Only the configured fields are extracted (unknown fields are skipped
//! without being materialized), so the reader stays fast on wide records.

use super::{Document, Location, ReadOptions, Record};
use crate::error::{Problem, Result};
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::BufRead;

/// Streams `reader` line by line, calling `sink(line_number, record)` for
/// every non-blank line, in order. Lines are read in batches of about 4 MB;
/// each batch is parsed in parallel while the next one is read. A read error
/// (truncated gzip, I/O failure) is passed to the sink as an `Unreadable`
/// record after the lines before it, and ends the file.
pub(crate) fn read_records<R: BufRead + Send>(
    mut reader: R,
    opts: &ReadOptions,
    mut sink: impl FnMut(u64, Record) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let mut line = 0u64;
    let (mut current, mut spare) = (Batch::default(), Batch::default());
    let mut end = current.fill(&mut reader, &mut line, opts);
    loop {
        let (parsed, next_end) = match end {
            BatchEnd::More => {
                let (parsed, next) = rayon::join(
                    || current.parse(opts),
                    || spare.fill(&mut reader, &mut line, opts),
                );
                (parsed, Some(next))
            }
            _ => (current.parse(opts), None),
        };
        for (&(number, _, _), record) in current.lines.iter().zip(parsed) {
            if let Some(record) = record {
                sink(number, record)?;
            }
        }
        match (end, next_end) {
            (BatchEnd::More, Some(next)) => {
                std::mem::swap(&mut current, &mut spare);
                end = next;
            }
            (BatchEnd::Unreadable(record), _) => return sink(line + 1, record),
            _ => return Ok(()),
        }
    }
}

/// The start of a line's span that marks it as over
/// [`max_record_bytes`](super::max_record_bytes) (its end is then its length).
const TOO_LONG: usize = usize::MAX;

/// Reads one line, through its `\n`, onto `buf`; a line longer than `cap`
/// is consumed but not kept (`buf` is left as it was). Returns the bytes
/// consumed (0 at the end of the input).
pub(crate) fn read_line_capped<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<u64> {
    let start = buf.len();
    let (mut read, mut over) = (0u64, false);
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read);
        }
        let (done, used) = match memchr::memchr(b'\n', available) {
            Some(i) => (true, i + 1),
            None => (false, available.len()),
        };
        if !over && buf.len() - start + used > cap {
            over = true;
            buf.truncate(start);
            buf.shrink_to(start.max(BATCH_BYTES + (1 << 16)));
        }
        if !over {
            buf.extend_from_slice(&available[..used]);
        }
        reader.consume(used);
        read += used as u64;
        if done {
            return Ok(read);
        }
    }
}

/// About this many bytes of lines are read and parsed at a time...
const BATCH_BYTES: usize = 4 << 20;
/// ... and at most this many lines (each parsed line holds a record).
const BATCH_LINES: usize = 1 << 16;

/// A batch of JSON Lines: their bytes and each one's number and span.
#[derive(Default)]
struct Batch {
    buf: Vec<u8>,
    lines: Vec<(u64, usize, usize)>,
}

/// How reading a batch ended.
enum BatchEnd {
    /// The batch is full; more lines may follow.
    More,
    /// The end of the input.
    Eof,
    /// A read error, as the record to report after the batch's lines.
    Unreadable(Record),
}

impl Batch {
    /// Reads the next ~4 MB of lines, numbering them on from `line`.
    fn fill<R: BufRead>(&mut self, reader: &mut R, line: &mut u64, opts: &ReadOptions) -> BatchEnd {
        self.buf.clear();
        self.lines.clear();
        // Room for the batch and the line that crosses its end, once
        // (growing by doubling would copy it and take twice the memory).
        self.buf.reserve(BATCH_BYTES + (1 << 16));
        let cap = super::max_record_bytes(opts);
        while self.buf.len() < BATCH_BYTES && self.lines.len() < BATCH_LINES {
            let at = self.buf.len();
            match read_line_capped(reader, &mut self.buf, cap) {
                Ok(0) => return BatchEnd::Eof,
                Ok(read) => {
                    *line += 1;
                    if self.buf.len() == at {
                        // Over the cap: skipped as it was read.
                        self.lines.push((*line, TOO_LONG, read as usize));
                    } else if self.buf[at..].iter().all(u8::is_ascii_whitespace) {
                        // A blank line is counted, not kept: a file of
                        // newlines costs no memory per line.
                        self.buf.truncate(at);
                    } else {
                        self.lines.push((*line, at, self.buf.len()));
                    }
                }
                Err(e) => {
                    let partial = self.buf.len() - at;
                    return BatchEnd::Unreadable(Record::problem(
                        partial,
                        Problem::Unreadable(e.to_string()),
                    ));
                }
            }
        }
        BatchEnd::More
    }

    /// Each line's record (`None` for a blank line), parsed in parallel.
    fn parse(&self, opts: &ReadOptions) -> Vec<Option<Record>> {
        self.lines
            .par_iter()
            .map(|&(_, start, stop)| {
                if start == TOO_LONG {
                    let problem = Problem::RecordTooLong {
                        size: stop as u64,
                        limit: super::max_record_bytes(opts),
                    };
                    return Some(Record::problem(stop, problem));
                }
                let content = trim_line_end(&self.buf[start..stop]);
                (!content.iter().all(u8::is_ascii_whitespace)).then(|| Record {
                    bytes: stop - start,
                    result: parse_line(content, opts),
                })
            })
            .collect()
    }
}

/// Reads a JSON array of objects, streamed: the array is split into its
/// elements by a scan that follows strings and brackets, and each element
/// is parsed as a JSON Lines record is, so one element is in memory at a
/// time and an element larger than the record limit is skipped as it is
/// read (a `too_large` record; reading goes on with the next element). Each
/// element is located by the line it starts on. Bytes outside the array
/// structure, or an array that never closes, are one problem at the line
/// reached and end the file; the elements before are read.
pub(crate) fn read_array<R: BufRead>(
    mut reader: R,
    opts: &ReadOptions,
    mut sink: impl FnMut(u64, Record) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let mut split = ArraySplit::new(super::max_record_bytes(opts));
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return sink(
                    split.line,
                    Record::problem(0, Problem::Unreadable(e.to_string())),
                )
            }
        };
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        split.feed(chunk, &mut |line, element| match element {
            Ok(bytes) => sink(
                line,
                Record {
                    bytes: bytes.len(),
                    result: parse_line(bytes, opts),
                },
            ),
            Err(p) => sink(line, Record::problem(0, p)),
        })?;
        reader.consume(n);
        if split.state == Split::Broken {
            return Ok(());
        }
    }
    match split.state {
        Split::Done => Ok(()),
        _ => {
            let problem = Problem::MalformedJson("the array is not closed with `]`".into());
            sink(
                split.start_line,
                Record::problem(split.element.len(), problem),
            )
        }
    }
}

/// Where the scan of an array is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Split {
    /// Before the `[`.
    Start,
    /// After `[` or `,`: an element or `]` comes next.
    BeforeElement,
    /// Inside an element.
    Element,
    /// After an element: `,` or `]` comes next.
    AfterElement,
    /// After the closing `]`.
    Done,
    /// After bytes that are not JSON array structure.
    Broken,
}

/// Receives each element of an array (or why it is not read) with its line.
type Emit<'a> = dyn FnMut(u64, Result<&[u8], Problem>) -> crate::error::Result<()> + 'a;

/// Splits an array into elements across chunks of input.
struct ArraySplit {
    state: Split,
    /// The current element's bytes (emptied, not grown, once over `cap`).
    element: Vec<u8>,
    over: bool,
    depth: u32,
    in_string: bool,
    escape: bool,
    cap: usize,
    line: u64,
    start_line: u64,
    at_start: bool,
}

impl ArraySplit {
    fn new(cap: usize) -> ArraySplit {
        ArraySplit {
            state: Split::Start,
            element: Vec::new(),
            over: false,
            depth: 0,
            in_string: false,
            escape: false,
            cap,
            line: 1,
            start_line: 1,
            at_start: true,
        }
    }

    /// Scans `chunk`, calling `emit(line, element)` for each element ended
    /// in it, or `emit(line, Err(problem))` for one too large or for bytes
    /// that break the array (after which the rest is ignored).
    fn feed(&mut self, mut chunk: &[u8], emit: &mut Emit<'_>) -> crate::error::Result<()> {
        if self.at_start {
            self.at_start = false;
            chunk = chunk.strip_prefix(b"\xef\xbb\xbf").unwrap_or(chunk);
        }
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            if self.state == Split::Element {
                let (run, ended) = self.scan_element(&chunk[i..]);
                self.keep(&chunk[i..i + run]);
                i += run;
                if ended {
                    self.end_element(emit)?;
                }
                continue;
            }
            if b == b'\n' {
                self.line += 1;
            }
            i += 1;
            if b.is_ascii_whitespace() || self.state == Split::Broken {
                continue;
            }
            self.state = match (self.state, b) {
                (Split::Start, b'[') => Split::BeforeElement,
                (Split::BeforeElement, b']') | (Split::AfterElement, b']') => Split::Done,
                (Split::AfterElement, b',') => Split::BeforeElement,
                (Split::BeforeElement, _) => {
                    self.start_line = self.line;
                    i -= 1;
                    Split::Element
                }
                (state, _) => {
                    let expected = match state {
                        Split::Start => "`[`",
                        Split::AfterElement => "`,` or `]`",
                        _ => "nothing after the array's `]`",
                    };
                    let message = format!("expected {expected}, found {:?}", b as char);
                    emit(self.line, Err(Problem::MalformedJson(message)))?;
                    Split::Broken
                }
            };
        }
        Ok(())
    }

    /// Scans the element from the start of `bytes`; returns how many bytes
    /// belong to it, and whether it ends there.
    fn scan_element(&mut self, bytes: &[u8]) -> (usize, bool) {
        for (k, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
            }
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        return (k + 1, true);
                    }
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return (k + 1, true);
                    }
                }
                // The end of a bare value (a number, `null`): left for
                // the structure scan.
                b',' | b']' if self.depth == 0 => return (k, true),
                _ => {}
            }
        }
        (bytes.len(), false)
    }

    fn keep(&mut self, bytes: &[u8]) {
        if self.over {
            return;
        }
        if self.element.len() + bytes.len() > self.cap {
            self.over = true;
            self.element = Vec::new();
            return;
        }
        self.element.extend_from_slice(bytes);
    }

    fn end_element(&mut self, emit: &mut Emit<'_>) -> crate::error::Result<()> {
        self.state = Split::AfterElement;
        if std::mem::take(&mut self.over) {
            let problem = Problem::RecordTooLong {
                size: self.cap as u64 + 1,
                limit: self.cap,
            };
            emit(self.start_line, Err(problem))
        } else {
            let element = std::mem::take(&mut self.element);
            emit(self.start_line, Ok(&element))
        }
    }
}

fn trim_line_end(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && (buf[end - 1] == b'\n' || buf[end - 1] == b'\r') {
        end -= 1;
    }
    &buf[..end]
}

/// Parses one JSONL line into a document (location and empty id are filled in
/// by the caller).
pub(crate) fn parse_line(bytes: &[u8], opts: &ReadOptions) -> Result<Document, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| Problem::InvalidUtf8(e.valid_up_to()))?;
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = RecordSeed { opts }
        .deserialize(&mut de)
        .and_then(|f| de.end().map(|_| f))
        .map_err(|e| Problem::MalformedJson(e.to_string()))?;
    fields.into_document(opts)
}

/// A JSON value reduced to what syndic needs from a field.
#[derive(Debug, Default)]
enum Scalar {
    #[default]
    Absent,
    Null,
    Str(String),
    Num(String),
    Other,
}

#[derive(Default)]
struct Fields {
    id: Scalar,
    text: Scalar,
    title: Scalar,
    url: Scalar,
    source: Scalar,
    published: Scalar,
}

impl Fields {
    fn into_document(self, opts: &ReadOptions) -> Result<Document, Problem> {
        let text = match self.text {
            Scalar::Str(s) => s,
            Scalar::Absent | Scalar::Null => {
                return Err(Problem::MissingText(opts.text_field.clone()))
            }
            Scalar::Num(_) | Scalar::Other => {
                return Err(Problem::NotAString(opts.text_field.clone()))
            }
        };
        let id = match self.id {
            Scalar::Str(s) | Scalar::Num(s) => s,
            Scalar::Absent | Scalar::Null => String::new(),
            Scalar::Other => return Err(Problem::NotAString(opts.id_field.clone())),
        };
        Ok(Document {
            id,
            text,
            title: self.title.into_string(),
            url: self.url.into_string(),
            source: self.source.into_string(),
            published: self.published.into_string(),
            location: Location { file: 0, line: 0 },
        })
    }
}

impl Scalar {
    fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) | Scalar::Num(s) => Some(s),
            _ => None,
        }
    }
}

struct RecordSeed<'a> {
    opts: &'a ReadOptions,
}

#[derive(Clone, Copy)]
enum Key {
    Id,
    Text,
    Title,
    Url,
    Source,
    Published,
    Other,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Fields;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Fields, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Fields;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key_seed(KeySeed { opts: self.opts })? {
            let slot = match key {
                Key::Id => &mut fields.id,
                Key::Text => &mut fields.text,
                Key::Title => &mut fields.title,
                Key::Url => &mut fields.url,
                Key::Source => &mut fields.source,
                Key::Published => &mut fields.published,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = match key {
                // Ids keep a number's digits as written: through f64, two
                // 20-digit ids could become one.
                Key::Id => map.next_value_seed(ExactSeed)?,
                _ => map.next_value_seed(ScalarSeed)?,
            };
        }
        Ok(fields)
    }
}

struct KeySeed<'a> {
    opts: &'a ReadOptions,
}

impl KeySeed<'_> {
    fn classify(&self, k: &str) -> Key {
        if k == self.opts.text_field {
            Key::Text
        } else if k == self.opts.id_field {
            Key::Id
        } else {
            match k {
                "title" => Key::Title,
                "url" => Key::Url,
                "source" => Key::Source,
                "published" => Key::Published,
                _ => Key::Other,
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(self.classify(v))
    }
}

/// A value as [`ScalarSeed`] reads it, except that a number is its text
/// exactly as written (`12345678901234567890123`, `1.50`).
struct ExactSeed;

impl<'de> DeserializeSeed<'de> for ExactSeed {
    type Value = Scalar;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        let raw: &RawValue = de::Deserialize::deserialize(d)?;
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Scalar::Num(text.to_owned()),
            _ => ScalarSeed
                .deserialize(&mut serde_json::Deserializer::from_str(text))
                .map_err(de::Error::custom)?,
        })
    }
}

struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Num(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Num(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Num(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Document, Problem> {
        parse_line(s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn reads_known_fields_and_skips_others() {
        let d = parse(r#"{"id":7,"x":{"deep":[1,2]},"text":"Hello","source":"a.com","published":"2020-01-02","title":null}"#).unwrap();
        assert_eq!(d.id, "7");
        // Big integer and decimal ids keep their digits (not through f64).
        for id in [
            "12345678901234567890123",
            "12345678901234567890124",
            "1.50",
            "-0",
            "1e3",
        ] {
            let d = parse(&format!(r#"{{"id":{id},"text":"x"}}"#)).unwrap();
            assert_eq!(d.id, id);
        }
        assert_eq!(parse(r#"{"id":"a\u00e9","text":"x"}"#).unwrap().id, "aé");
        assert!(matches!(
            parse(r#"{"id":true,"text":"x"}"#),
            Err(Problem::NotAString(_))
        ));
        assert_eq!(parse(r#"{"id":null,"text":"x"}"#).unwrap().id, "");
        assert_eq!(d.text, "Hello");
        assert_eq!(d.source.as_deref(), Some("a.com"));
        assert_eq!(d.published.as_deref(), Some("2020-01-02"));
        assert_eq!(d.title, None);
    }

    #[test]
    fn names_each_problem() {
        assert!(matches!(
            parse(r#"{"id":1,"text":"x""#),
            Err(Problem::MalformedJson(_))
        ));
        assert!(matches!(parse(r#"[1,2]"#), Err(Problem::MalformedJson(_))));
        assert!(matches!(parse(r#"{"id":1}"#), Err(Problem::MissingText(_))));
        assert!(matches!(
            parse(r#"{"id":1,"text":null}"#),
            Err(Problem::MissingText(_))
        ));
        assert!(matches!(
            parse(r#"{"id":1,"text":5}"#),
            Err(Problem::NotAString(_))
        ));
        assert!(matches!(
            parse(r#"{"id":[1],"text":"a"}"#),
            Err(Problem::NotAString(_))
        ));
        assert_eq!(
            parse_line(b"{\"text\":\"a\xff\"}", &ReadOptions::default()),
            Err(Problem::InvalidUtf8(10))
        );
    }

    #[test]
    fn arrays_locate_elements_by_line() {
        let input = b"[\n {\"id\":\"a\",\"text\":\"x\"},\n\n {\"id\":\"b\"}\n]";
        let mut got = Vec::new();
        read_array(&input[..], &ReadOptions::default(), |line, r| {
            got.push((line, r.result.map(|d| d.id)));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            got,
            vec![
                (2, Ok("a".to_string())),
                (4, Err(Problem::MissingText("text".into())))
            ]
        );
        let mut problems = Vec::new();
        read_array(
            &b"[{\"id\":1},\n{"[..],
            &ReadOptions::default(),
            |line, r| {
                problems.push((line, r.result.is_err()));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            problems,
            vec![(1, true), (2, true)],
            "the element before the error is read"
        );
        let mut got = Vec::new();
        read_array(
            &b"\xef\xbb\xbf[{\"id\":\"a]\\\"}\",\"text\":\"x{[\"},\n 7,\n{\"id\":\"c\",\"text\":\"y\",\"n\":[1,{}]}]\n"[..],
            &ReadOptions::default(),
            |line, r| {
                got.push((line, r.result.map(|d| d.id).map_err(|p| p.kind())));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                (1, Ok("a]\"}".to_string())),
                (2, Err("malformed_json")),
                (3, Ok("c".to_string()))
            ]
        );
    }

    #[test]
    fn custom_field_names() {
        let opts = ReadOptions {
            id_field: "doc_id".into(),
            text_field: "body".into(),
            ..ReadOptions::default()
        };
        let d = parse_line(br#"{"doc_id":"a","body":"b","text":"ignored"}"#, &opts).unwrap();
        assert_eq!((d.id.as_str(), d.text.as_str()), ("a", "b"));
    }
}
