//! `syndic cluster` and `syndic dedup`: the whole pipeline over a corpus.

use super::{exit_without_freeing, input_paths, write_cluster_file, FormatArg, RunArgs};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use syndic::corpus::write::{write_syndication, Output};

/// Assign every input document to a cluster of near-duplicates.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Where to write one line per input document (`-` for stdout).
    #[arg(short, long, help_heading = "Output")]
    pub output: PathBuf,
    /// Layout of the cluster file.
    #[arg(long, value_enum, default_value = "jsonl", help_heading = "Output")]
    pub format: FormatArg,
}

pub fn cluster(args: &ClusterArgs) -> Result<()> {
    let run = args.run.execute()?;
    let written = write_cluster_file(&args.output, args.format, &run);
    exit_without_freeing(run);
    written
}

/// Keep one representative per cluster: its input line, byte for byte.
#[derive(Args, Debug)]
pub struct DedupArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Where to write the kept input records (`-` for stdout).
    #[arg(short, long, help_heading = "Output")]
    pub output: PathBuf,
    /// Also write the cluster assignment of every document here.
    #[arg(long, help_heading = "Output")]
    pub clusters: Option<PathBuf>,
    /// Layout of the outputs: `parquet` writes the kept records (with a
    /// Parquet input's own columns) and the --clusters file as Parquet;
    /// `csv` and `tsv` apply to the --clusters file (kept records stay
    /// JSON Lines).
    #[arg(long, value_enum, default_value = "jsonl", help_heading = "Output")]
    pub format: FormatArg,
    /// Also write the syndication report (origin and copies per cluster) here.
    #[arg(long, help_heading = "Output")]
    pub report: Option<PathBuf>,
}

pub fn dedup(args: &DedupArgs) -> Result<()> {
    if matches!(args.format, FormatArg::Csv | FormatArg::Tsv) && args.clusters.is_none() {
        anyhow::bail!("--format csv and tsv are layouts of the --clusters file; give --clusters FILE (kept records are JSON Lines or Parquet)");
    }
    let run = args.run.execute_checked(|corpus| {
        #[cfg(feature = "parquet")]
        if args.format == FormatArg::Parquet {
            corpus.parquet_copy_schema()?;
        }
        let _ = corpus;
        Ok(())
    })?;
    if let Some(path) = &args.clusters {
        write_cluster_file(path, args.format, &run)?;
    }
    let inputs = input_paths(&run.corpus);
    if let Some(path) = &args.report {
        let mut out = Output::create(path, &inputs)?;
        write_syndication(&mut out, &run.corpus.docs, &run.outcome.docs)?;
        out.commit()?;
    }
    let mut out = Output::create(&args.output, &inputs)?;
    let keep = run.outcome.kept();
    let kept = match args.format {
        #[cfg(feature = "parquet")]
        FormatArg::Parquet => run.corpus.copy_records_parquet(&keep, &mut out)?,
        _ => run.corpus.copy_records(&keep, &mut out)?,
    };
    out.commit()?;
    if !args.run.report.quiet {
        eprintln!("dedup: kept {kept} of {} documents", run.corpus.docs.len());
    }
    exit_without_freeing(run);
    Ok(())
}
