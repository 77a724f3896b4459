//! `syndic corpora generate`: labelled syndication corpora from source articles.

use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use syndic::corpus::generate::{self, GenerateOptions};
use syndic::{Corpus, ReadOptions};

#[derive(Subcommand, Debug)]
pub enum CorporaCommand {
    /// Generate a labeled syndication corpus from source articles.
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// A folder of .txt articles (title on line 1, paragraphs separated by
    /// blank lines, NAME.rewrite.txt for rewrites), or any inputs syndic
    /// reads (e.g. 'reuters21578/reut2-*.sgm'), one article per document.
    #[arg(long, required = true, num_args = 1..)]
    pub from: Vec<PathBuf>,
    /// With other inputs: skip documents shorter than this many words.
    #[arg(long, default_value_t = 80)]
    pub min_words: usize,
    /// Output folder: articles.jsonl and labels.tsv.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

pub fn corpora(command: &CorporaCommand) -> Result<()> {
    let CorporaCommand::Generate(args) = command;
    let from = &args.from;
    let articles = match from.as_slice() {
        [dir] if generate::is_article_dir(dir) => generate::read_article_dir(dir)?,
        _ => {
            let corpus = Corpus::read(from, &ReadOptions::default())?;
            generate::articles_from_documents(&corpus.docs, args.min_words)
        }
    };
    anyhow::ensure!(!articles.is_empty(), "no articles found in {from:?}");
    let options = GenerateOptions {
        seed: args.seed,
        ..GenerateOptions::default()
    };
    let pages = generate::generate(&articles, &options);
    generate::write_corpus(&pages, &args.out)?;
    eprintln!(
        "generated {} pages from {} articles into {}",
        pages.len(),
        articles.len(),
        args.out.display()
    );
    Ok(())
}
