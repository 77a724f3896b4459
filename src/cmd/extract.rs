//! `syndic extract`: the text syndic reads from each document, as JSON Lines.
//! For checking what an HTML page gives (the article, not the site's
//! chrome), or what a CSV column or JSON field holds, before clustering.

use super::{input_paths, Reading};
use crate::flags::{InputArgs, ResourceArgs, TitleArgs};
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use syndic::corpus::write::Output;

/// Write the text read from every document (HTML: the article's text) as JSON Lines.
#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub titles: TitleArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    /// Where to write one JSON object per document (`id`, `title`, `url`,
    /// `source`, `published`, `text`; absent fields omitted), in input
    /// order; `-` for stdout.
    #[arg(short, long, help_heading = "Output")]
    pub output: PathBuf,
    /// Print nothing on stderr except errors.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
}

#[derive(serde::Serialize)]
struct Extracted<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    text: &'a str,
}

pub fn extract(args: &ExtractArgs) -> Result<()> {
    let reading = Reading::start(&args.input, &args.titles, &args.resources, args.quiet)?;
    let corpus = &reading.corpus;
    reading.progress.finish();
    let texts = corpus.texts();
    let mut out = Output::create(&args.output, &input_paths(corpus))?;
    for (i, doc) in corpus.docs.iter().enumerate() {
        let text = texts.text(i)?;
        let record = Extracted {
            id: &doc.id,
            title: doc.title.as_deref(),
            url: doc.url.as_deref(),
            source: doc.source.as_deref(),
            published: doc.published.as_deref(),
            text: &text,
        };
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    out.commit()?;
    if !args.quiet {
        eprintln!(
            "extract: {} documents written to {} ({})",
            corpus.docs.len(),
            args.output.display(),
            reading.resources_note()
        );
    }
    Ok(())
}
