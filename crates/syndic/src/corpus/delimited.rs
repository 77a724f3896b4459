//! CSV and TSV readers: a header row names the columns; `--id-field` and
//! `--text-field` pick the id and text columns, and `title`, `url`, `source`,
//! `published` columns are carried through when present. A record's location
//! is the line it starts on (quoted fields may span lines).
//!
//! Article-pair files (a header with `pair_id`, `text1`, `text2` and no text
//! column, as in SemEval-2022 task 8) give two documents per row, with ids
//! `pair_id` split at `_`; an article that appears in several pairs is read once.

use super::{Document, Location, ReadOptions, Record};
use crate::error::{Error, Problem, Result};
use std::io::Read;
use std::path::Path;

pub(crate) fn read_delimited<R: Read>(
    reader: R,
    delimiter: u8,
    path: &Path,
    opts: &ReadOptions,
    mut sink: impl FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(reader);
    let header_error = |message: String| Error::Input {
        path: path.to_path_buf(),
        line: 1,
        problem: Problem::MalformedCsv(message),
    };
    let headers = rdr
        .byte_headers()
        .map_err(|e| header_error(e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name.as_bytes());
    if let (None, Some(pair), Some(t1), Some(t2)) = (
        column(&opts.text_field),
        column("pair_id"),
        column("text1"),
        column("text2"),
    ) {
        return read_pairs(rdr, [pair, t1, t2], sink);
    }
    let text_col = column(&opts.text_field).ok_or_else(|| {
        header_error(format!(
            "the header has no {:?} column (use --text-field)",
            opts.text_field
        ))
    })?;
    let id_col = column(&opts.id_field);
    let [title, url, source, published] = ["title", "url", "source", "published"].map(column);
    for row in rdr.byte_records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let problem = match e.kind() {
                    csv::ErrorKind::Io(io) => Problem::Unreadable(io.to_string()),
                    _ => Problem::MalformedCsv(e.to_string()),
                };
                let stop = matches!(problem, Problem::Unreadable(_));
                sink(line, Record::problem(0, problem))?;
                if stop {
                    return Ok(());
                }
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let field = |c: Option<usize>| -> Result<Option<String>, Problem> {
            match c.and_then(|c| row.get(c)) {
                None => Ok(None),
                Some(b) => std::str::from_utf8(b)
                    .map(|s| Some(s.to_string()))
                    .map_err(|e| Problem::InvalidUtf8(e.valid_up_to())),
            }
        };
        let result = (|| {
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
        })();
        sink(
            line,
            Record {
                bytes: row.as_slice().len(),
                result,
            },
        )?;
    }
    Ok(())
}

fn read_pairs<R: Read>(
    mut rdr: csv::Reader<R>,
    [pair, t1, t2]: [usize; 3],
    mut sink: impl FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for row in rdr.byte_records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                sink(
                    line,
                    Record::problem(0, Problem::MalformedCsv(e.to_string())),
                )?;
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let get = |c: usize| {
            std::str::from_utf8(row.get(c).unwrap_or_default())
                .map_err(|e| Problem::InvalidUtf8(e.valid_up_to()))
        };
        let ids = match get(pair) {
            Ok(p) => p
                .split_once('_')
                .map(|(a, b)| [a.to_string(), b.to_string()]),
            Err(e) => {
                sink(line, Record::problem(0, e))?;
                continue;
            }
        };
        let Some(ids) = ids else {
            let problem = Problem::MalformedCsv("pair_id is not of the form ID1_ID2".into());
            sink(line, Record::problem(0, problem))?;
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
                    bytes: row.as_slice().len() / 2,
                    result,
                },
            )?;
        }
    }
    Ok(())
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
