//! One file per subcommand, each with its own arguments; what they share
//! (reading a corpus, running the pipeline, writing the cluster file) is here.

pub mod bench;
pub mod cluster;
pub mod corpora;
pub mod eval;
pub mod explain;
pub mod extract;
pub mod index;
pub mod sign;

use crate::flags::{InputArgs, MatchArgs, ResourceArgs, TitleArgs};
use crate::progress::Progress;
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use syndic::corpus::write::{write_clusters, write_rejects, Output, TableFormat};
use syndic::corpus::Handoff;
use syndic::pipeline::fold::Folder;
use syndic::Resources;
use syndic::{Config, Corpus, Outcome};

/// Writes `text` to standard output, returning the error (a closed pipe,
/// as `| head` leaves, is one: see `main`) where `print!` would panic.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

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
    /// The texts folded while reading (`start_folding`); they are freed.
    pub folder: Option<Folder>,
}

impl Reading {
    /// Builds the pool and reads the inputs on it.
    pub fn start(
        input: &InputArgs,
        titles: &TitleArgs,
        resource_args: &ResourceArgs,
        quiet: bool,
    ) -> Result<Reading> {
        Reading::start_folding(input, titles, resource_args, quiet, false)
    }

    /// As [`Reading::start`]; with `fold`, each batch of documents is
    /// folded as it is read and its texts freed (stage `fold` of a run that
    /// does not keep the texts), so that texts and folded texts are never
    /// all held together.
    pub fn start_folding(
        input: &InputArgs,
        titles: &TitleArgs,
        resource_args: &ResourceArgs,
        quiet: bool,
        fold: bool,
    ) -> Result<Reading> {
        let resources = resource_args.resources();
        let pool = resource_args.pool()?;
        let progress = Progress::new(quiet);
        let options = input.read_options(&resources, titles);
        // Rejects go to an unnamed temporary file (in --temp-dir) as they
        // are found (any number of them in bounded memory), then to --rejects once the
        // inputs, which it may not overwrite, are known.
        let mut spool = match &input.rejects {
            Some(_) => {
                let dir = resources
                    .temp_dir
                    .clone()
                    .unwrap_or_else(std::env::temp_dir);
                let file = tempfile::tempfile_in(&dir)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
                Some(BufWriter::new(file))
            }
            None => None,
        };
        let mut folder = fold.then(|| Folder::new(&resources));
        let corpus = pool.install(|| {
            let mut fold_batch = folder
                .as_mut()
                .map(|f| |docs: &mut [syndic::Document]| f.fold_and_free(docs));
            // Batches of 16 MB of text, less under a small memory limit.
            let bytes = resources
                .memory
                .map_or(16 << 20, |m| (m / 16).clamp(1 << 20, 16 << 20) as usize);
            let handoff = fold_batch.as_mut().map(|take| Handoff { bytes, take });
            Corpus::read_handing(
                &input.inputs,
                &options,
                &mut |bytes, docs| {
                    progress.reading(bytes, docs);
                    if docs.is_multiple_of(1024) {
                        crate::purge_delay_for_input(bytes);
                    }
                },
                &mut |reject| match &mut spool {
                    Some(w) => write_rejects(w, std::slice::from_ref(reject)),
                    None => Ok(()),
                },
                handoff,
            )
        })?;
        if let (Some(path), Some(spool)) = (&input.rejects, spool) {
            let mut out = Output::create(path, &input_paths(&corpus))?;
            let mut file = spool.into_inner().map_err(|e| e.into_error())?;
            file.rewind()?;
            std::io::copy(&mut file, &mut out)?;
            out.commit()?;
        }
        if !quiet {
            for (kind, n) in corpus.reject_counts() {
                eprintln!("skipped: {n} records ({kind})");
            }
        }
        Ok(Reading {
            folder,
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
    /// Reads the corpus, calls `prepare` on it (to open the outputs, so
    /// that one that cannot be written fails before the work, not after),
    /// then runs the pipeline. With `keep_texts` false the texts, titles,
    /// URLs and sources are freed once folded: the run's corpus keeps ids,
    /// publication times and locations only.
    pub fn execute<T>(
        &self,
        keep_texts: bool,
        prepare: impl FnOnce(&Corpus) -> Result<T>,
    ) -> Result<(Run, T)> {
        let config = self.matching.config()?;
        let quiet = self.report.quiet;
        // A run that does not keep the texts folds them as it reads.
        let Reading {
            mut corpus,
            pool,
            resources,
            progress,
            folder,
        } = Reading::start_folding(
            &self.input,
            &self.titles,
            &self.resources,
            quiet,
            !keep_texts,
        )?;
        let prepared = prepare(&corpus)?;
        let on_stage = |stage: &str| progress.stage(stage);
        let outcome = pool.install(|| -> syndic::Result<_> {
            let folded = match folder {
                Some(folder) => syndic::pipeline::fold_stage_from(
                    folder,
                    &corpus.docs,
                    &config,
                    &resources,
                    &on_stage,
                )?,
                None => syndic::pipeline::fold_stage(
                    &corpus.docs,
                    &corpus.texts(),
                    &config,
                    &resources,
                    &on_stage,
                )?,
            };
            if !keep_texts {
                corpus.free_after_fold();
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
        let run = Run {
            corpus,
            outcome,
            pool,
        };
        Ok((run, prepared))
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

/// Writes the cluster file of a run on its worker pool (`out` is left to
/// commit).
pub fn write_cluster_file(out: &mut Output, format: FormatArg, run: &Run) -> Result<()> {
    run.pool.install(|| {
        let (docs, outcomes) = (&run.corpus.docs, &run.outcome.docs);
        let table = match format {
            FormatArg::Jsonl => TableFormat::JsonLines,
            FormatArg::Csv => TableFormat::Csv,
            FormatArg::Tsv => TableFormat::Tsv,
            #[cfg(feature = "parquet")]
            FormatArg::Parquet => {
                syndic::corpus::arrow::write_clusters_parquet(out, docs, outcomes)?;
                return Ok(());
            }
        };
        write_clusters(out, docs, outcomes, table)?;
        Ok(())
    })
}

/// The process ends next: the OS takes back the corpus and the pipeline's
/// results at once, where freeing their many allocations one by one takes
/// ~10 ms on a 40 MB corpus.
pub fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}
