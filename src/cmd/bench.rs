//! `syndic bench`: time the pipeline (and score it, given labels) on a corpus.

use crate::flags::ResourceArgs;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use syndic::{Config, Corpus, ReadOptions};

/// Time the pipeline (and score it, given labels) on a corpus; prints Markdown.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Corpus inputs [default: corpora/sample/articles.jsonl].
    pub inputs: Vec<PathBuf>,
    /// Gold labels (TSV `id cluster [story] [kind]`) [default: labels.tsv beside a single input].
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Pipeline runs to take the median of.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Settings file (TOML).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Plain-text inputs: take the first line as the title.
    #[arg(long)]
    pub title_first_line: bool,
}

pub fn bench(args: &BenchArgs) -> Result<()> {
    let inputs = match args.inputs.is_empty() {
        true => vec![PathBuf::from("corpora/sample/articles.jsonl")],
        false => args.inputs.clone(),
    };
    let beside = match inputs.as_slice() {
        [one] => one
            .parent()
            .map(|d| d.join("labels.tsv"))
            .filter(|p| p.exists()),
        _ => None,
    };
    let labels = args.labels.clone().or(beside);
    let config = match &args.config {
        Some(p) => Config::from_toml_file(p)?,
        None => Config::default(),
    };
    let pool = ResourceArgs {
        threads: args.threads,
        memory: None,
        temp_dir: None,
    }
    .pool()?;
    let opts = ReadOptions {
        title_first_line: args.title_first_line,
        ..ReadOptions::default()
    };
    let start = std::time::Instant::now();
    let corpus = Corpus::read(&inputs, &opts)?;
    let read_seconds = start.elapsed().as_secs_f64();
    let gold = labels.as_deref().map(syndic::eval::read_gold).transpose()?;
    let name: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let report = pool.install(|| {
        syndic::bench::run(
            &name.join(" "),
            &corpus,
            read_seconds,
            &config,
            args.repeat as usize,
            gold.as_deref(),
        )
    })?;
    super::print(&report.render())
}
