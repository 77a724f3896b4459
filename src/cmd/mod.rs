//! One file per subcommand, each with its own arguments; what they share
//! (reading a corpus, running the pipeline, writing the cluster file) is here.

pub mod bench;
pub mod cluster;
pub mod corpora;
pub mod eval;
pub mod extract;
pub mod index;
pub mod sign;

use crate::flags::{InputArgs, MatchArgs, ResourceArgs, TitleArgs};
use crate::progress::Progress;
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use syndic::corpus::write::{write_clusters, write_rejects, Output, TableFormat};
use syndic::Resources;
use syndic::{Config, Corpus, Outcome};

/// Layout of a cluster file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Csv,
    Tsv,
    /// Apache Parquet (zstd-compressed), the columns of the JSON Lines.
    #[cfg(feature = "parquet")]
    Parquet,
}

/// What a run reports besides its output.
#[derive(Args, Debug)]
#[command(next_help_heading = "Report")]
pub struct ReportArgs {
    /// Write the run summary (counts, stage times, settings) as JSON here.
    #[arg(long)]
    pub stats: Option<PathBuf>,
    /// Print nothing on stderr except errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The flags of a pipeline run (`cluster`, `dedup`).
#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub titles: TitleArgs,
    #[command(flatten)]
    pub matching: MatchArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// A corpus read on the run's worker pool (skipped records reported),
/// with the pool, the resources and the progress bar for what follows.
pub struct Reading {
    pub corpus: Corpus,
    pub pool: rayon::ThreadPool,
    pub resources: Resources,
    pub progress: Progress,
}

impl Reading {
    /// Builds the pool and reads the inputs on it.
    pub fn start(
        input: &InputArgs,
        titles: &TitleArgs,
        resource_args: &ResourceArgs,
        quiet: bool,
    ) -> Result<Reading> {
        let resources = resource_args.resources();
        let pool = resource_args.pool()?;
        let progress = Progress::new(quiet);
        let options = input.read_options(&resources, titles);
        let corpus = pool.install(|| {
            Corpus::read_with_progress(&input.inputs, &options, &mut |bytes, docs| {
                progress.reading(bytes, docs)
            })
        })?;
        if let Some(path) = &input.rejects {
            let mut out = Output::create(path, &input_paths(&corpus))?;
            write_rejects(&mut out, &corpus.rejects)?;
            out.commit()?;
        }
        if !quiet {
            for (kind, n) in corpus.reject_counts() {
                eprintln!("skipped: {n} records ({kind})");
            }
        }
        Ok(Reading {
            corpus,
            pool,
            resources,
            progress,
        })
    }

    /// "N threads" and, when texts spilled, a note saying so.
    pub fn resources_note(&self) -> String {
        let spilled = match self.corpus.texts().spilled() {
            true => ", texts spilled to disk",
            false => "",
        };
        format!("{} threads{spilled}", self.pool.current_num_threads())
    }
}

/// A finished pipeline run: the corpus, its outcome and the pool it ran on
/// (outputs are written on the same threads).
pub struct Run {
    pub corpus: Corpus,
    pub outcome: Outcome,
    pub pool: rayon::ThreadPool,
}

impl RunArgs {
    /// Reads the corpus and runs the pipeline, freeing the texts once
    /// they are folded: the run's corpus keeps ids and metadata only
    /// (`syndic cluster` never writes texts back).
    pub fn execute(&self) -> Result<Run> {
        self.run(|_| Ok(()), false)
    }

    /// As [`RunArgs::execute`], calling `check` on the corpus before the
    /// pipeline runs (to refuse an output that cannot be written before
    /// the work, not after).
    pub fn execute_checked(&self, check: impl Fn(&Corpus) -> Result<()>) -> Result<Run> {
        self.run(check, true)
    }

    fn run(&self, check: impl Fn(&Corpus) -> Result<()>, keep_texts: bool) -> Result<Run> {
        let config = self.matching.config()?;
        let quiet = self.report.quiet;
        let Reading {
            mut corpus,
            pool,
            resources,
            progress,
        } = Reading::start(&self.input, &self.titles, &self.resources, quiet)?;
        check(&corpus)?;
        let on_stage = |stage: &str| progress.stage(stage);
        let outcome = pool.install(|| -> syndic::Result<_> {
            let folded = syndic::pipeline::fold_stage(
                &corpus.docs,
                &corpus.texts(),
                &config,
                &resources,
                &on_stage,
            )?;
            if !keep_texts {
                corpus.free_texts();
            }
            syndic::pipeline::run_folded(&corpus.docs, folded, &config, &resources, &on_stage)
        })?;
        progress.finish();
        if !quiet {
            eprint!("{}", outcome.summary.render());
        }
        if let Some(path) = &self.report.stats {
            write_stats(path, &corpus, &outcome, &config)?;
        }
        Ok(Run {
            corpus,
            outcome,
            pool,
        })
    }
}

fn write_stats(path: &Path, corpus: &Corpus, outcome: &Outcome, config: &Config) -> Result<()> {
    let mut out = Output::create(path, &input_paths(corpus))?;
    let rejects: std::collections::BTreeMap<_, _> = corpus.reject_counts().into_iter().collect();
    let stats = serde_json::json!({
        "summary": outcome.summary,
        "rejected": rejects,
        "config": config,
    });
    serde_json::to_writer_pretty(&mut out, &stats)?;
    writeln!(out)?;
    out.commit()?;
    Ok(())
}

/// The files actually read (folders and globs expanded), which no output may overwrite.
pub fn input_paths(corpus: &Corpus) -> Vec<PathBuf> {
    corpus
        .files
        .iter()
        .map(|f| f.display_path().to_path_buf())
        .collect()
}

/// Writes the cluster file of a run on its worker pool.
pub fn write_cluster_file(path: &Path, format: FormatArg, run: &Run) -> Result<()> {
    run.pool.install(|| {
        let mut out = Output::create(path, &input_paths(&run.corpus))?;
        let (docs, outcomes) = (&run.corpus.docs, &run.outcome.docs);
        let table = match format {
            FormatArg::Jsonl => TableFormat::JsonLines,
            FormatArg::Csv => TableFormat::Csv,
            FormatArg::Tsv => TableFormat::Tsv,
            #[cfg(feature = "parquet")]
            FormatArg::Parquet => {
                syndic::corpus::arrow::write_clusters_parquet(&mut out, docs, outcomes)?;
                return out.commit().map_err(Into::into);
            }
        };
        write_clusters(&mut out, docs, outcomes, table)?;
        out.commit()?;
        Ok(())
    })
}

/// The process ends next: the OS takes back the corpus and the pipeline's
/// results at once, where freeing their many allocations one by one takes
/// ~10 ms on a 40 MB corpus.
pub fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}
