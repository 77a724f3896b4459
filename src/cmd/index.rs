//! `syndic index`: a persistent index on disk (build, add, query, remove,
//! stats, clusters).

use super::Reading;
use crate::flags::{InputArgs, MatchArgs, ResourceArgs, TitleArgs};
use anyhow::Context;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use syndic::index::{ChangeReport, Index, IndexSettings};

#[derive(Subcommand, Debug)]
pub enum IndexCommand {
    /// Create an index from the inputs (prints new clusters as JSON lines).
    Build(BuildArgs),
    /// Add the inputs to an index atomically (prints new and changed clusters as JSON lines).
    Add(AddArgs),
    /// Print the matches of each input document (one JSON line per document).
    Query(QueryArgs),
    /// Print the index's size, counts and settings as JSON.
    Stats {
        #[command(flatten)]
        index: IndexDir,
        /// Also decompress every stored text (opening already checks every checksum).
        #[arg(long)]
        verify: bool,
    },
    /// Remove documents by id (their clusters are recomputed).
    Remove {
        #[command(flatten)]
        index: IndexDir,
        #[command(flatten)]
        wait: WaitArg,
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Rewrite the live documents into one segment, reclaiming removed ones (prints a JSON summary).
    Compact {
        #[command(flatten)]
        index: IndexDir,
        #[command(flatten)]
        wait: WaitArg,
    },
    /// Print every document's cluster, story and thread (JSON lines `id`, `cluster`, `story`, `thread`: representatives' ids), as `syndic eval --pred` reads.
    Clusters {
        #[command(flatten)]
        index: IndexDir,
    },
}

#[derive(Args, Debug)]
#[command(next_help_heading = "Index")]
pub struct IndexDir {
    /// Index folder.
    #[arg(long)]
    pub index: PathBuf,
}

/// How long a writer waits for another.
#[derive(Args, Debug)]
pub struct WaitArg {
    /// Wait up to this long for another writer of the index to finish
    /// (`0`, `30s`, `10m`, `2h`), then fail naming it.
    #[arg(long, value_parser = syndic::index::parse_wait, default_value = "10m", help_heading = "Index")]
    pub wait: Duration,
}

impl WaitArg {
    /// Says on stderr whom the command waits for, when the index is locked.
    fn announce(&self, dir: &Path) {
        if let Some(who) = syndic::index::lock_holder(dir) {
            if !self.wait.is_zero() {
                eprintln!(
                    "syndic index: {} is being changed by {who}; waiting up to {:.0?}",
                    dir.display(),
                    self.wait
                );
            }
        }
    }
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub titles: TitleArgs,
    #[command(flatten)]
    pub matching: MatchArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    /// Index folder (created; must not hold an index yet).
    #[arg(long, help_heading = "Index")]
    pub index: PathBuf,
    /// Match only articles published within this time of each other
    /// (`7d`, `36h`, `90m`), when both have dates. Fixed at build.
    #[arg(long, value_parser = syndic::index::parse_window, help_heading = "Index")]
    pub window: Option<f64>,
    #[command(flatten)]
    pub wait: WaitArg,
    /// Print nothing on stderr except errors.
    #[arg(short, long, help_heading = "Report")]
    pub quiet: bool,
}

/// The settings of an index are fixed at build, so `add` takes no matching flags.
#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub titles: TitleArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    #[command(flatten)]
    pub index: IndexDir,
    #[command(flatten)]
    pub wait: WaitArg,
    /// Print nothing on stderr except errors.
    #[arg(short, long, help_heading = "Report")]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    #[command(flatten)]
    pub index: IndexDir,
    /// Print nothing on stderr except errors.
    #[arg(short, long, help_heading = "Report")]
    pub quiet: bool,
}

/// Prints a change as JSON lines on stdout and a one-line summary on
/// stderr; the change is committed by then, so a failure to print says so
/// (an `add` retried after it is harmless: what the index holds is skipped).
fn print_report(report: &ChangeReport, resources: &str, quiet: bool) -> Result<()> {
    write_report(report, resources, quiet).with_context(|| {
        format!(
            "the change is committed ({} added, {} removed), but its report could not be written",
            report.added, report.removed
        )
    })
}

fn write_report(report: &ChangeReport, resources: &str, quiet: bool) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let by_rep = |of: &'_ [(String, String)]| -> std::collections::HashMap<String, String> {
        of.iter().cloned().collect()
    };
    let (story, thread) = (by_rep(&report.stories), by_rep(&report.threads));
    for (rep, members) in &report.new_clusters {
        let line = serde_json::json!({"event": "new_cluster", "representative": rep,
            "story": story.get(rep), "thread": thread.get(rep), "members": members});
        writeln!(out, "{line}")?;
    }
    for (rep, joined) in &report.changed_clusters {
        let line = serde_json::json!({"event": "changed_cluster", "representative": rep,
            "story": story.get(rep), "thread": thread.get(rep), "joined": joined});
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    if !quiet {
        if report.unchanged > 0 {
            eprintln!(
                "syndic index: {} documents were already in the index as given (skipped)",
                report.unchanged
            );
        }
        eprintln!(
            "syndic index: {} added, {} removed, {} signed again (boilerplate changed); {} new clusters, {} changed ({resources})",
            report.added,
            report.removed,
            report.resigned,
            report.new_clusters.len(),
            report.changed_clusters.len()
        );
    }
    Ok(())
}

pub fn index(command: &IndexCommand) -> Result<()> {
    match command {
        IndexCommand::Build(args) => build(args),
        IndexCommand::Add(args) => add(args),
        IndexCommand::Query(args) => query(args),
        IndexCommand::Stats { index, verify } => {
            let stats = Index::open(&index.index)?.stats(*verify)?;
            super::print(&format!("{}\n", serde_json::to_string_pretty(&stats)?))
        }
        IndexCommand::Remove { index, wait, ids } => {
            wait.announce(&index.index);
            let mut idx = Index::open_writer_waiting(&index.index, wait.wait)?;
            let report = idx.remove(ids)?;
            print_report(
                &report,
                &format!("{} threads", rayon::current_num_threads()),
                false,
            )
        }
        IndexCommand::Compact { index, wait } => {
            wait.announce(&index.index);
            let mut idx = Index::open_writer_waiting(&index.index, wait.wait)?;
            let before = idx.stats(false)?.bytes;
            let report = idx.compact()?;
            let after = idx.stats(false)?.bytes;
            let line = serde_json::json!({"documents": report.documents,
                "segments_before": report.segments_before,
                "removed_reclaimed": report.removed_reclaimed,
                "bytes_before": before, "bytes_after": after});
            super::print(&format!("{line}\n"))
        }
        IndexCommand::Clusters { index } => {
            let idx = Index::open(&index.index)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for (id, cluster, story, thread) in idx.clusters() {
                let line = serde_json::json!({"id": id, "cluster": cluster, "story": story, "thread": thread});
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
    }
}

fn build(args: &BuildArgs) -> Result<()> {
    let settings = IndexSettings {
        config: args.matching.config()?,
        window_days: args.window,
    };
    let r = Reading::start(&args.input, &args.titles, &args.resources, args.quiet)?;
    let (docs, texts) = (&r.corpus.docs, r.corpus.texts());
    args.wait.announce(&args.index);
    let (_, report) = r
        .pool
        .install(|| Index::build_waiting(&args.index, settings, docs, &texts, args.wait.wait))?;
    r.progress.finish();
    print_report(&report, &r.resources_note(), args.quiet)
}

fn add(args: &AddArgs) -> Result<()> {
    let r = Reading::start(&args.input, &args.titles, &args.resources, args.quiet)?;
    args.wait.announce(&args.index.index);
    let mut idx = Index::open_writer_waiting(&args.index.index, args.wait.wait)?;
    let report = r
        .pool
        .install(|| idx.add(&r.corpus.docs, &r.corpus.texts()))?;
    r.progress.finish();
    print_report(&report, &r.resources_note(), args.quiet)
}

fn query(args: &QueryArgs) -> Result<()> {
    let r = Reading::start(
        &args.input,
        &TitleArgs::default(),
        &args.resources,
        args.quiet,
    )?;
    let idx = Index::open(&args.index.index)?;
    let texts = r.corpus.texts();
    let docs = &r.corpus.docs;
    let lines: Vec<String> = r.pool.install(|| {
        use rayon::prelude::*;
        (0..docs.len())
            .into_par_iter()
            .map(|i| {
                let matches = idx.query(&docs[i], &texts.text(i)?)?;
                Ok(serde_json::json!({"id": docs[i].id, "matches": matches}).to_string())
            })
            .collect::<syndic::Result<_>>()
    })?;
    r.progress.finish();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    if !args.quiet {
        eprintln!(
            "syndic index: {} documents queried ({})",
            docs.len(),
            r.resources_note()
        );
    }
    Ok(())
}
