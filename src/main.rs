//! The `syndic` command line: a thin front end over the `syndic` library.
//! Flags are parsed per subcommand (`cmd/`), resolved once into the
//! library's validated values (`flags.rs`), and each subcommand calls the
//! library's kernels.

mod cmd;
mod flags;
mod progress;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use cmd::bench::BenchArgs;
use cmd::cluster::{ClusterArgs, DedupArgs};
use cmd::corpora::CorporaCommand;
use cmd::eval::EvalArgs;
use cmd::extract::ExtractArgs;
use cmd::index::IndexCommand;
use cmd::sign::SignArgs;
use std::process::ExitCode;

/// mimalloc: against the system allocator (glibc), both in 4 KiB pages,
/// interleaved on 2026-12-03, the 211 MB mix takes 2.11-2.14 s against
/// 2.72-2.84 s (user time 3.1-3.3 s against 4.0-4.2 s) at the same peak,
/// and BBC-generated 0.31-0.47 s against 0.34-0.44 s at 110-119 MB against
/// 83 MB; outputs byte-identical. See `syndic::pages` and
/// [`return_freed_memory_at_once`] for how it takes memory from the OS.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_e` values (include/mimalloc.h of the libmimalloc-sys version
/// in Cargo.lock; the same in its v2 and v3 sources), which its Rust
/// bindings do not name. tests/memory.rs fails if they stop taking effect.
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Under `--memory`, the allocator gives freed memory back to the OS at once
/// and commits arena memory only as it is used, so that the process stays
/// near the limit (BBC-generated under `--memory 12M`: 40-43 MB peak instead
/// of 100 MB with mimalloc's defaults).
fn return_freed_memory_at_once() {
    // SAFETY: mi_option_set only stores an option value; both options are
    // read by mimalloc on later allocations and frees.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

/// Without a limit, freed memory goes back to the OS 100 ms after it is
/// freed rather than mimalloc's 1 s: a stage's freed buffers (folded
/// batches, story counts) are returned before the next stage's peak
/// instead of adding to it. Medians of five to seven interleaved runs
/// (2026-12-02): peak 384 -> 376 MB and 1.48 -> 1.52 s on
/// Reuters-generated, 286 -> 254 MB and 0.52 -> 0.54 s on the copy-maker's
/// set, 158 -> 143 MB and 0.25 s on BBC-generated. Purging at once, as
/// under `--memory`, cost 8-20% of the time; never purging saves 11% of
/// the time for 12% more memory. A `MIMALLOC_PURGE_DELAY` in the
/// environment wins.
fn return_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: as in `return_freed_memory_at_once`.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 100);
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
    Cluster(ClusterArgs),
    /// Keep one representative per cluster: its input line, byte for byte.
    Dedup(DedupArgs),
    /// Write the MinHash signature of every document to a versioned binary file.
    Sign(SignArgs),
    /// Write the text read from every document (HTML: the article's text) as JSON Lines.
    Extract(ExtractArgs),
    /// Score a clusters.jsonl against gold labels (pairwise, ARI, B-cubed) or pair labels.
    Eval(EvalArgs),
    /// Time the pipeline (and score it, given labels) on a corpus; prints Markdown.
    Bench(BenchArgs),
    /// Build labeled sample corpora.
    #[command(subcommand)]
    Corpora(CorporaCommand),
    /// A persistent index: add articles daily, query one article, keep clusters current.
    #[command(subcommand)]
    Index(IndexCommand),
}

fn main() -> ExitCode {
    // 4 KiB pages for the whole run: see `syndic::pages`.
    syndic::pages::huge_pages_off();
    let matches = flags::with_config_defaults(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let memory_limit = match &cli.command {
        Command::Cluster(a) => a.run.resources.memory,
        Command::Dedup(a) => a.run.resources.memory,
        Command::Sign(a) => a.resources.memory,
        Command::Extract(a) => a.resources.memory,
        _ => None,
    };
    match memory_limit {
        Some(_) => return_freed_memory_at_once(),
        None => return_freed_memory_soon(),
    }
    // Interrupted (Ctrl-C, SIGTERM, SIGHUP): remove the temporary files of
    // outputs not yet in place, which destructors would have removed. An
    // index writer needs nothing: its next commit removes what an
    // interrupted one left, and readers never see it.
    let _ = ctrlc::set_handler(|| {
        syndic::corpus::write::remove_unfinished_outputs();
        std::process::exit(130);
    });
    let result = match &cli.command {
        Command::Cluster(args) => cmd::cluster::cluster(args),
        Command::Dedup(args) => cmd::cluster::dedup(args),
        Command::Sign(args) => cmd::sign::sign(args),
        Command::Extract(args) => cmd::extract::extract(args),
        Command::Eval(args) => cmd::eval::eval(args),
        Command::Bench(args) => cmd::bench::bench(args),
        Command::Corpora(command) => cmd::corpora::corpora(command),
        Command::Index(command) => cmd::index::index(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("syndic: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
