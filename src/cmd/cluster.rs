//! `syndic cluster` and `syndic dedup`: the whole pipeline over a corpus.

use super::{exit_without_freeing, input_paths, write_cluster_file, FormatArg, RunArgs};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use syndic::corpus::write::{commit_together, write_syndication, Output};

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
    let (run, mut out) = args.run.execute(false, |corpus| {
        Ok(Output::create(&args.output, &input_paths(corpus))?)
    })?;
    let written = write_cluster_file(&mut out, args.format, &run)
        .and_then(|_| out.commit().map_err(Into::into));
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
    let named = [
        Some(&args.output),
        args.clusters.as_ref(),
        args.report.as_ref(),
    ];
    let files: Vec<&PathBuf> = named
        .into_iter()
        .flatten()
        .filter(|p| p.as_os_str() != "-")
        .collect();
    let resolved: Vec<PathBuf> = files.iter().map(|p| resolved(p)).collect();
    if let Some(same) = (0..files.len()).find(|&i| resolved[..i].contains(&resolved[i])) {
        anyhow::bail!("{} is given as two outputs", files[same].display());
    }
    // The outputs are opened before the run (a folder that is missing
    // fails now, not after it) and replaced together after it.
    let (run, (mut out, clusters, report)) = args.run.execute(true, |corpus| {
        #[cfg(feature = "parquet")]
        if args.format == FormatArg::Parquet {
            corpus.parquet_copy_schema()?;
        }
        let inputs = input_paths(corpus);
        let open = |path: &Option<PathBuf>| {
            path.as_ref()
                .map(|p| Output::create(p, &inputs))
                .transpose()
        };
        Ok((
            Output::create(&args.output, &inputs)?,
            open(&args.clusters)?,
            open(&args.report)?,
        ))
    })?;
    let mut outputs = Vec::new();
    if let Some(mut clusters) = clusters {
        write_cluster_file(&mut clusters, args.format, &run)?;
        outputs.push(clusters);
    }
    if let Some(mut report) = report {
        write_syndication(&mut report, &run.corpus.docs, &run.outcome.docs)?;
        outputs.push(report);
    }
    let keep = run.outcome.kept();
    let kept = match args.format {
        #[cfg(feature = "parquet")]
        FormatArg::Parquet => run.corpus.copy_records_parquet(&keep, &mut out)?,
        _ => run.corpus.copy_records(&keep, &mut out)?,
    };
    outputs.push(out);
    commit_together(outputs)?;
    if !args.run.report.quiet {
        eprintln!("dedup: kept {kept} of {} documents", run.corpus.docs.len());
    }
    exit_without_freeing(run);
    Ok(())
}

/// The file an output path names, however it is spelled (`out.jsonl`,
/// `./out.jsonl`, a symlink to it, a path through `..`): the canonical
/// path of the file if it exists, else of its folder plus its name.
fn resolved(path: &std::path::Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    match (std::fs::canonicalize(dir), path.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => path.to_path_buf(),
    }
}
