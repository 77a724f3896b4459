//! The `syndic` command line: parses arguments, calls the library, prints.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use syndic::corpus::write::{write_clusters, write_syndication, Output, TableFormat};
use syndic::minhash::Scheme;
use syndic::shingle::ShingleSpec;
use syndic::store::Resources;
use syndic::{Config, Corpus, Outcome, ReadOptions};

/// mimalloc: its large, aligned segments take transparent huge pages, so the
/// pipeline's fresh memory costs a few hundred page faults instead of ~45,000
/// (0.45 -> 0.33 s on a 38 MB corpus); see [`return_freed_memory_at_once`]
/// for runs under `--memory`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Under `--memory`, the allocator gives freed memory back to the OS at once
/// and commits arena memory only as it is used, so that the process stays
/// near the limit (BBC-generated under `--memory 12M`: 40-43 MB peak instead
/// of 100 MB with mimalloc's defaults).
fn return_freed_memory_at_once() {
    // `mi_option_e` values (include/mimalloc.h of the libmimalloc-sys
    // version in Cargo.lock; the same in its v2 and v3 sources), which its
    // Rust bindings do not name. tests/memory.rs fails if they stop taking
    // effect.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: mi_option_set only stores an option value; both options are
    // read by mimalloc on later allocations and frees.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "syndic",
    version,
    about = "Find duplicated and syndicated news articles in scraped corpora"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Assign every input document to a cluster of near-duplicates.
    Cluster {
        #[command(flatten)]
        run: RunArgs,
        /// Where to write one JSON line per input document (`-` for stdout).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Keep one representative per cluster: its input line, byte for byte.
    Dedup {
        #[command(flatten)]
        run: RunArgs,
        /// Where to write the kept input records (`-` for stdout).
        #[arg(short, long)]
        output: PathBuf,
        /// Also write the cluster assignment of every document here.
        #[arg(long)]
        clusters: Option<PathBuf>,
        /// Also write the syndication report (origin and copies per cluster) here.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Write the MinHash signature of every document to a versioned binary file.
    Sign {
        #[command(flatten)]
        run: RunArgs,
        /// Signature file to write (format version, parameters, then id and values per document).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Score a clusters.jsonl against gold labels (pairwise, ARI, B-cubed) or pair labels.
    Eval {
        /// Gold labels: TSV with header `id cluster [story] [kind]`.
        #[arg(long, required_unless_present = "pairs", conflicts_with = "pairs")]
        labels: Option<PathBuf>,
        /// Pair labels instead: CSV `id1,id2,label` (1 = same) or SemEval-2022
        /// task 8 (`pair_id`, `Overall`).
        #[arg(long)]
        pairs: Option<PathBuf>,
        /// SemEval pairs: same when Overall is at most this.
        #[arg(long, default_value_t = 1.5)]
        same_max: f64,
        /// SemEval pairs: different when Overall is at least this.
        #[arg(long, default_value_t = 3.5)]
        different_min: f64,
        /// With --pairs: also score every labeled pair on this corpus and print
        /// precision/recall curves over thresholds of syndic's similarities.
        #[arg(long, requires = "pairs", num_args = 1..)]
        corpus: Vec<PathBuf>,
        /// Predictions: a clusters.jsonl written by `syndic cluster`.
        #[arg(long, required_unless_present = "corpus")]
        pred: Option<PathBuf>,
        /// Compare near-duplicate clusters or stories.
        #[arg(long, value_enum, default_value = "cluster")]
        level: LevelArg,
    },
    /// Time the pipeline (and score it, given labels) on a corpus; prints Markdown.
    Bench {
        /// Corpus inputs [default: corpora/sample/articles.jsonl].
        inputs: Vec<PathBuf>,
        /// Gold labels (TSV `id cluster [story] [kind]`) [default: labels.tsv beside a single input].
        #[arg(long)]
        labels: Option<PathBuf>,
        /// Pipeline runs to take the median of.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Worker threads [default: all cores].
        #[arg(long)]
        threads: Option<usize>,
        /// Settings file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Input options as for `cluster`.
        #[arg(long)]
        title_first_line: bool,
    },
    /// Build labeled sample corpora.
    Corpora {
        #[command(subcommand)]
        command: CorporaCommand,
    },
    /// A persistent index: add articles daily, query one article, keep clusters current.
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Create an index from the inputs (prints new clusters as JSON lines).
    Build {
        #[command(flatten)]
        run: RunArgs,
        /// Index folder (created; must not hold an index yet).
        #[arg(long)]
        index: PathBuf,
        /// Match only articles published within this time of each other
        /// (`7d`, `36h`, `90m`), when both have dates. Fixed at build.
        #[arg(long, value_parser = syndic::index::parse_window)]
        window: Option<f64>,
    },
    /// Add the inputs to an index atomically (prints new and changed clusters as JSON lines).
    Add {
        #[command(flatten)]
        run: RunArgs,
        #[arg(long)]
        index: PathBuf,
    },
    /// Print the matches of each input document (one JSON line per document).
    Query {
        #[command(flatten)]
        run: RunArgs,
        #[arg(long)]
        index: PathBuf,
    },
    /// Print the index's size, counts and settings as JSON.
    Stats {
        #[arg(long)]
        index: PathBuf,
        /// Also check every segment's checksum (reads the whole index).
        #[arg(long)]
        verify: bool,
    },
    /// Remove documents by id (their clusters are recomputed).
    Remove {
        #[arg(long)]
        index: PathBuf,
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Print every document's cluster (JSON lines `id`, `cluster`: the representative's id), as `syndic eval --pred` reads.
    Clusters {
        #[arg(long)]
        index: PathBuf,
    },
}

#[derive(Subcommand)]
enum CorporaCommand {
    /// Generate a labeled syndication corpus from source articles.
    Generate {
        /// A folder of .txt articles (title on line 1, paragraphs separated by
        /// blank lines, NAME.rewrite.txt for rewrites), or any inputs syndic
        /// reads (e.g. 'reuters21578/reut2-*.sgm'), one article per document.
        #[arg(long, required = true, num_args = 1..)]
        from: Vec<PathBuf>,
        /// With other inputs: skip documents shorter than this many words.
        #[arg(long, default_value_t = 80)]
        min_words: usize,
        /// Output folder: articles.jsonl and labels.tsv.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    Cluster,
    Story,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Jsonl,
    Csv,
    Tsv,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemeArg {
    Oph,
    Classic,
}

#[derive(Args)]
struct RunArgs {
    /// Inputs: files, folders (read recursively) or quoted glob patterns; JSON
    /// Lines, JSON arrays, CSV/TSV with a header, .txt articles or .html pages,
    /// optionally gzip- or zstd-compressed; `-` for stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Field holding the document id (missing ids become `file:line`).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// Field holding the article text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Load settings from a TOML file; flags given here override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Shingles: `word:N` or `char:N` [default: word:5].
    #[arg(long)]
    shingle: Option<ShingleSpec>,
    /// MinHash signature length [default: 128].
    #[arg(long)]
    num_perm: Option<usize>,
    /// MinHash scheme [default: oph].
    #[arg(long, value_enum)]
    scheme: Option<SchemeArg>,
    /// Seed of the MinHash permutations [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Jaccard similarity at which two documents are near-duplicates [default: 0.8].
    #[arg(long)]
    threshold: Option<f64>,
    /// Containment at which a smaller document belongs with a larger one [default: 0.9].
    #[arg(long)]
    containment: Option<f64>,
    /// LSH bands (with --rows); default: chosen from the threshold.
    #[arg(long, requires = "rows")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    rows: Option<usize>,
    /// Learn and remove per-site boilerplate lines [default: on].
    #[arg(long, value_enum)]
    boilerplate: Option<OnOff>,
    /// Worker threads [default: all cores]. Output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Keep memory near this size (e.g. 2G, 512M): texts, band keys and
    /// shingle sets past their share spill to temporary files. Output does
    /// not depend on it.
    #[arg(long, value_parser = syndic::store::parse_size)]
    memory: Option<u64>,
    /// Folder for spill files [default: the system's temporary folder].
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// Skip bad input records (counted in the summary) instead of stopping.
    #[arg(long)]
    skip_invalid: bool,
    /// With --skip-invalid: list every skipped record here as JSON lines.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Write the run summary as JSON here.
    #[arg(long)]
    stats: Option<PathBuf>,
    /// Plain-text inputs: take the first line as the title.
    #[arg(long)]
    title_first_line: bool,
    /// Layout of the cluster file.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: FormatArg,
    /// Print nothing on stderr except errors.
    #[arg(short, long)]
    quiet: bool,
}

impl RunArgs {
    fn config(&self) -> Result<Config> {
        let mut c = match &self.config {
            Some(p) => Config::from_toml_file(p)?,
            None => Config::default(),
        };
        if let Some(v) = self.shingle {
            c.shingle = v;
        }
        if let Some(v) = self.num_perm {
            c.minhash.num_perm = v;
        }
        if let Some(v) = self.scheme {
            c.minhash.scheme = match v {
                SchemeArg::Oph => Scheme::Oph,
                SchemeArg::Classic => Scheme::Classic,
            };
        }
        if let Some(v) = self.seed {
            c.minhash.seed = v;
        }
        if let Some(v) = self.threshold {
            c.threshold = v;
        }
        if let Some(v) = self.containment {
            c.containment = v;
        }
        if self.bands.is_some() {
            c.bands = self.bands;
            c.rows = self.rows;
        }
        if let Some(v) = self.boilerplate {
            c.boilerplate.enabled = matches!(v, OnOff::On);
        }
        Ok(c)
    }

    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            skip_invalid: self.skip_invalid,
            title_first_line: self.title_first_line,
            spill_texts: self.memory.map(|_| self.resources()),
            ..ReadOptions::default()
        }
    }

    fn resources(&self) -> Resources {
        Resources {
            memory: self.memory,
            temp_dir: self.temp_dir.clone(),
        }
    }

    /// A worker pool of the requested size.
    fn pool(&self) -> Result<rayon::ThreadPool> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(t) = self.threads {
            builder = builder.num_threads(t);
        }
        builder.build().context("cannot start worker threads")
    }

    /// Reads the corpus and runs the pipeline on the requested thread count;
    /// returns the worker pool too, to write the output on the same threads.
    fn execute(&self) -> Result<(Corpus, Outcome, rayon::ThreadPool)> {
        let config = self.config()?;
        let pool = self.pool()?;
        let progress = Progress::new(self.quiet);
        let corpus = pool.install(|| {
            Corpus::read_with_progress(&self.inputs, &self.read_options(), &mut |bytes, docs| {
                progress.reading(bytes, docs)
            })
        })?;
        if let Some(path) = &self.rejects {
            let mut out = Output::create(path, &input_paths(&corpus))?;
            for r in &corpus.rejects {
                let line = serde_json::json!({
                    "file": r.file.display().to_string(),
                    "line": r.line,
                    "kind": r.problem.kind(),
                    "problem": r.problem.to_string(),
                });
                writeln!(out, "{line}")?;
            }
            out.commit()?;
        }
        let outcome = pool.install(|| {
            syndic::pipeline::run_with(
                &corpus.docs,
                &corpus.texts(),
                &config,
                &self.resources(),
                &|stage| progress.stage(stage),
            )
        })?;
        progress.finish();
        if !self.quiet {
            eprint!("{}", outcome.summary.render());
            for (kind, n) in corpus.reject_counts() {
                eprintln!("skipped: {n} records ({kind})");
            }
        }
        if let Some(path) = &self.stats {
            let mut out = Output::create(path, &input_paths(&corpus))?;
            let rejects: std::collections::BTreeMap<_, _> =
                corpus.reject_counts().into_iter().collect();
            let stats = serde_json::json!({
                "summary": outcome.summary,
                "rejected": rejects,
                "config": config,
            });
            serde_json::to_writer_pretty(&mut out, &stats)?;
            writeln!(out)?;
            out.commit()?;
        }
        Ok((corpus, outcome, pool))
    }
}

/// The files actually read (folders and globs expanded), which no output may overwrite.
fn input_paths(corpus: &Corpus) -> Vec<PathBuf> {
    corpus
        .files
        .iter()
        .map(|f| f.display_path().to_path_buf())
        .collect()
}

fn write_cluster_file(
    path: &Path,
    format: FormatArg,
    corpus: &Corpus,
    outcome: &Outcome,
) -> Result<()> {
    let format = match format {
        FormatArg::Jsonl => TableFormat::JsonLines,
        FormatArg::Csv => TableFormat::Csv,
        FormatArg::Tsv => TableFormat::Tsv,
    };
    let mut out = Output::create(path, &input_paths(corpus))?;
    write_clusters(&mut out, &corpus.docs, &outcome.docs, format)?;
    out.commit()?;
    Ok(())
}

/// A progress bar on stderr: only on a terminal, not with --quiet, and only
/// once the run has taken more than a second.
struct Progress {
    bar: indicatif::ProgressBar,
    start: std::time::Instant,
    enabled: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        use std::io::IsTerminal;
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{elapsed}] {bytes} read ({bytes_per_sec})",
            )
            .expect("valid template"),
        );
        Progress {
            bar,
            start: std::time::Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn show_if_slow(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.enabled && !self.shown.load(Relaxed) && self.start.elapsed().as_secs_f64() > 1.0 {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(200));
            self.shown.store(true, Relaxed);
        }
    }

    fn reading(&self, bytes: u64, docs: usize) {
        if docs.is_multiple_of(1024) {
            self.show_if_slow();
            self.bar.set_position(bytes);
            let rate = docs as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
            self.bar
                .set_message(format!("reading: {docs} docs ({rate:.0} docs/s)"));
        }
    }

    fn stage(&self, done: &str) {
        self.show_if_slow();
        self.bar.set_message(format!("pipeline: {done} done"));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Cluster { run, .. } | Command::Dedup { run, .. } | Command::Sign { run, .. } =
        &cli.command
    {
        if run.memory.is_some() {
            return_freed_memory_at_once();
        }
    }
    let result = match &cli.command {
        Command::Cluster { run, output } => run.execute().and_then(|(corpus, outcome, pool)| {
            let written =
                pool.install(|| write_cluster_file(output, run.format, &corpus, &outcome));
            exit_without_freeing((corpus, outcome));
            written
        }),
        Command::Dedup {
            run,
            output,
            clusters,
            report,
        } => run.execute().and_then(|(corpus, outcome, pool)| {
            if let Some(path) = clusters {
                pool.install(|| write_cluster_file(path, run.format, &corpus, &outcome))?;
            }
            if let Some(path) = report {
                let mut out = Output::create(path, &input_paths(&corpus))?;
                write_syndication(&mut out, &corpus.docs, &outcome.docs)?;
                out.commit()?;
            }
            let keep: Vec<usize> = (0..outcome.docs.len())
                .filter(|&i| outcome.docs[i].representative as usize == i)
                .collect();
            let mut out = Output::create(output, &input_paths(&corpus))?;
            let kept = corpus.copy_records(&keep, &mut out)?;
            out.commit()?;
            if !run.quiet {
                eprintln!("dedup: kept {kept} of {} documents", corpus.docs.len());
            }
            exit_without_freeing((corpus, outcome));
            Ok(())
        }),
        Command::Sign { run, output } => sign(run, output),
        Command::Eval {
            labels,
            pairs,
            same_max,
            different_min,
            corpus,
            pred,
            level,
        } => match (labels, pairs, pred) {
            (Some(labels), _, Some(pred)) => evaluate(labels, pred, *level),
            (None, Some(pairs), pred) => evaluate_pairs(
                pairs,
                *same_max,
                *different_min,
                pred.as_deref(),
                corpus,
                *level,
            ),
            _ => Err(anyhow::anyhow!(
                "give --labels with --pred, or --pairs with --pred and/or --corpus"
            )),
        },
        Command::Corpora {
            command:
                CorporaCommand::Generate {
                    from,
                    min_words,
                    out,
                    seed,
                },
        } => generate(from, *min_words, out, *seed),
        Command::Index { command } => index_command(command),
        Command::Bench {
            inputs,
            labels,
            repeat,
            threads,
            config,
            title_first_line,
        } => bench(
            inputs,
            labels.as_deref(),
            *repeat,
            *threads,
            config.as_deref(),
            *title_first_line,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("syndic: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn evaluate(labels: &Path, pred: &Path, level: LevelArg) -> Result<()> {
    use syndic::eval;
    let level = self::level(level);
    let gold = eval::parse_labels(&read_text(labels)?, level)
        .map_err(|e| anyhow::anyhow!("{}: {e}", labels.display()))?;
    let predicted = eval::parse_predictions(&read_text(pred)?, level)
        .map_err(|e| anyhow::anyhow!("{}: {e}", pred.display()))?;
    let ids: Vec<&str> = gold.iter().map(|(id, _)| id.as_str()).collect();
    let gold_map = gold
        .iter()
        .map(|(id, g)| (id.as_str(), g.clone()))
        .collect();
    let pred_map = predicted
        .iter()
        .map(|(id, g)| (id.as_str(), g.as_str()))
        .collect();
    let metrics = eval::evaluate(&ids, &pred_map, &gold_map);
    if metrics.documents < gold.len() {
        eprintln!(
            "eval: {} labeled documents have no prediction",
            gold.len() - metrics.documents
        );
    }
    print!("{}", metrics.render());
    Ok(())
}

fn bench(
    inputs: &[PathBuf],
    labels: Option<&Path>,
    repeat: usize,
    threads: Option<usize>,
    config: Option<&Path>,
    title_first_line: bool,
) -> Result<()> {
    use syndic::eval::{self, Level};
    let inputs = if inputs.is_empty() {
        vec![PathBuf::from("corpora/sample/articles.jsonl")]
    } else {
        inputs.to_vec()
    };
    let beside = match inputs.as_slice() {
        [one] => one
            .parent()
            .map(|d| d.join("labels.tsv"))
            .filter(|p| p.exists()),
        _ => None,
    };
    let labels = labels.map(Path::to_path_buf).or(beside);
    let config = match config {
        Some(p) => Config::from_toml_file(p)?,
        None => Config::default(),
    };
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build().context("cannot start worker threads")?;
    let opts = ReadOptions {
        title_first_line,
        ..ReadOptions::default()
    };
    let start = std::time::Instant::now();
    let corpus = Corpus::read(&inputs, &opts)?;
    let read_seconds = start.elapsed().as_secs_f64();
    let gold = match &labels {
        Some(path) => {
            let text = read_text(path)?;
            let parse = |level| {
                eval::parse_labels(&text, level)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            };
            let clusters = parse(Level::Cluster)?;
            let stories = parse(Level::Story)?;
            Some(
                clusters
                    .into_iter()
                    .zip(stories)
                    .map(|((id, c), (_, s))| (id, c, s))
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    let name: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let report = pool.install(|| {
        syndic::bench::run(
            &name.join(" "),
            &corpus,
            read_seconds,
            &config,
            repeat,
            gold.as_deref(),
        )
    })?;
    print!("{}", report.render());
    Ok(())
}

fn index_command(command: &IndexCommand) -> Result<()> {
    let print_report = |report: &syndic::index::ChangeReport| {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for (rep, members) in &report.new_clusters {
            let line = serde_json::json!({"event": "new_cluster", "representative": rep, "members": members});
            writeln!(out, "{line}")?;
        }
        for (rep, joined) in &report.changed_clusters {
            let line = serde_json::json!({"event": "changed_cluster", "representative": rep, "joined": joined});
            writeln!(out, "{line}")?;
        }
        eprintln!(
            "syndic index: {} added, {} removed, {} signed again (boilerplate changed); {} new clusters, {} changed",
            report.added,
            report.removed,
            report.resigned,
            report.new_clusters.len(),
            report.changed_clusters.len()
        );
        anyhow::Ok(())
    };
    match command {
        IndexCommand::Build { run, index, window } => {
            let corpus = Corpus::read(&run.inputs, &run.read_options())?;
            let settings = syndic::index::IndexSettings {
                config: run.config()?,
                window_days: *window,
            };
            let (_, report) = run
                .pool()?
                .install(|| syndic::index::Index::build(index, settings, &corpus.docs))?;
            print_report(&report)
        }
        IndexCommand::Add { run, index } => {
            let corpus = Corpus::read(&run.inputs, &run.read_options())?;
            let mut idx = syndic::index::Index::open_writer(index)?;
            let report = run.pool()?.install(|| idx.add(&corpus.docs))?;
            print_report(&report)
        }
        IndexCommand::Query { run, index } => {
            let corpus = Corpus::read(&run.inputs, &run.read_options())?;
            let idx = syndic::index::Index::open(index)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for d in &corpus.docs {
                let matches = idx.query(d)?;
                let line = serde_json::json!({"id": d.id, "matches": matches});
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
        IndexCommand::Stats { index, verify } => {
            let stats = syndic::index::Index::open(index)?.stats(*verify)?;
            println!("{}", serde_json::to_string_pretty(&stats)?);
            Ok(())
        }
        IndexCommand::Remove { index, ids } => {
            let mut idx = syndic::index::Index::open_writer(index)?;
            let report = idx.remove(ids)?;
            print_report(&report)
        }
        IndexCommand::Clusters { index } => {
            let idx = syndic::index::Index::open(index)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for (id, rep) in idx.clusters() {
                writeln!(out, "{}", serde_json::json!({"id": id, "cluster": rep}))?;
            }
            Ok(())
        }
    }
}

/// The process ends next: the OS takes back the corpus and the pipeline's
/// results at once, where freeing their many allocations one by one takes
/// ~10 ms on a 40 MB corpus.
fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}

fn sign(run: &RunArgs, output: &Path) -> Result<()> {
    let config = run.config()?;
    let corpus = Corpus::read(&run.inputs, &run.read_options())?;
    let signatures = run.pool()?.install(|| {
        syndic::pipeline::signatures(&corpus.docs, &corpus.texts(), &config, &run.resources())
    })?;
    let records: Vec<(&str, &Vec<u32>)> = corpus
        .docs
        .iter()
        .map(|d| d.id.as_str())
        .zip(&signatures)
        .collect();
    let mut out = Output::create(output, &input_paths(&corpus))?;
    syndic::minhash::write_signatures(&mut out, config.minhash, config.shingle, &records)?;
    out.commit()?;
    if !run.quiet {
        eprintln!(
            "sign: {} signatures of {} values written to {}",
            records.len(),
            config.minhash.num_perm,
            output.display()
        );
    }
    Ok(())
}

fn level(level: LevelArg) -> syndic::eval::Level {
    match level {
        LevelArg::Cluster => syndic::eval::Level::Cluster,
        LevelArg::Story => syndic::eval::Level::Story,
    }
}

fn evaluate_pairs(
    pairs: &Path,
    same_max: f64,
    different_min: f64,
    pred: Option<&Path>,
    corpus: &[PathBuf],
    lvl: LevelArg,
) -> Result<()> {
    use syndic::eval;
    let labels = eval::parse_pair_labels(&read_text(pairs)?, same_max, different_min)
        .map_err(|e| anyhow::anyhow!("{}: {e}", pairs.display()))?;
    if let Some(pred) = pred {
        let predicted = eval::parse_predictions(&read_text(pred)?, level(lvl))
            .map_err(|e| anyhow::anyhow!("{}: {e}", pred.display()))?;
        let pred_map = predicted
            .iter()
            .map(|(id, g)| (id.as_str(), g.as_str()))
            .collect();
        print!("{}", eval::evaluate_pairs(&labels, &pred_map).render());
    }
    if !corpus.is_empty() {
        let corpus = Corpus::read(corpus, &ReadOptions::default())?;
        let index: std::collections::HashMap<&str, usize> = corpus
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        let known: Vec<(&eval::PairLabel, (usize, usize))> = labels
            .iter()
            .filter_map(|l| Some((l, (*index.get(l.a.as_str())?, *index.get(l.b.as_str())?))))
            .collect();
        let idx: Vec<(usize, usize)> = known.iter().map(|k| k.1).collect();
        let scores = syndic::pipeline::pair_scores(&corpus.docs, &Config::default(), &idx)?;
        let thresholds: Vec<f64> = (1..20).map(|i| i as f64 * 0.05).collect();
        let curve = |f: fn(&syndic::pipeline::PairScore) -> f64| {
            let scored: Vec<(f64, bool)> = known
                .iter()
                .zip(&scores)
                .map(|(k, s)| (f(s), k.0.same))
                .collect();
            eval::pr_curve(&scored, &thresholds)
        };
        println!(
            "\n{} labeled pairs scored ({} with an id not in the corpus)\n",
            known.len(),
            labels.len() - known.len()
        );
        print!(
            "{}",
            eval::render_curves(&[
                ("Jaccard", curve(|s| s.jaccard)),
                ("containment", curve(|s| s.containment)),
                ("cosine", curve(|s| s.cosine)),
            ])
        );
    }
    Ok(())
}

fn generate(from: &[PathBuf], min_words: usize, out: &Path, seed: u64) -> Result<()> {
    use syndic::corpus::generate::{self, GenerateOptions};
    let articles = if from.len() == 1 && generate::is_article_dir(&from[0]) {
        generate::read_article_dir(&from[0])?
    } else {
        let corpus = Corpus::read(from, &ReadOptions::default())?;
        generate::articles_from_documents(&corpus.docs, min_words)
    };
    anyhow::ensure!(!articles.is_empty(), "no articles found in {from:?}");
    let pages = generate::generate(
        &articles,
        &GenerateOptions {
            seed,
            ..GenerateOptions::default()
        },
    );
    generate::write_corpus(&pages, out)?;
    eprintln!(
        "generated {} pages from {} articles into {}",
        pages.len(),
        articles.len(),
        out.display()
    );
    Ok(())
}
