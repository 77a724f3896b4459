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
use cmd::explain::ExplainArgs;
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
/// environment wins. A large input lengthens the delay as it is read
/// ([`purge_delay_for_input`]).
fn return_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: as in `return_freed_memory_at_once`.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MIN_MS);
    }
    PURGE_DELAY_SCALES.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The purge delay of a small input, and the longest (mimalloc's default).
const PURGE_DELAY_MIN_MS: std::ffi::c_long = 100;
const PURGE_DELAY_MAX_MS: std::ffi::c_long = 1000;

/// Input bytes read per millisecond of purge delay.
const BYTES_PER_PURGE_MS: u64 = 2_000_000;

/// Whether [`purge_delay_for_input`] may change the delay: no memory limit
/// and no `MIMALLOC_PURGE_DELAY`.
static PURGE_DELAY_SCALES: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The purge delay after `bytes_read` bytes of input, in milliseconds.
fn purge_delay_ms(bytes_read: u64) -> u64 {
    (bytes_read / BYTES_PER_PURGE_MS).clamp(PURGE_DELAY_MIN_MS as u64, PURGE_DELAY_MAX_MS as u64)
}

/// Without a limit, the purge delay grows with the input read so far: one
/// millisecond per 2 MB, from 100 ms (up to 200 MB) to 1 s (from 2 GB).
/// A stage's time grows with the input, and so does the time between a
/// buffer freed by one step and the same memory wanted by the next; memory
/// returned to the OS in between is faulted in and zeroed again, which
/// costs several times more on the VMs syndic is measured on (see
/// `syndic::pages`). Interleaved runs (2026-12-04, four each): the 2.2 GB
/// s30 corpus 21.69 -> 21.11 s (medians; system time 4.9-5.8 -> 3.8-4.3 s)
/// at a 1% higher peak. A fixed 1 s delay was faster there (20.84 s) but
/// raised the 211 MB mix's peak 379 -> 423 MB, so a small input keeps
/// 100 ms.
pub(crate) fn purge_delay_for_input(bytes_read: u64) {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    static SET_MS: AtomicU64 = AtomicU64::new(0);
    if !PURGE_DELAY_SCALES.load(Relaxed) {
        return;
    }
    let ms = purge_delay_ms(bytes_read);
    if ms <= SET_MS.load(Relaxed) {
        return;
    }
    SET_MS.store(ms, Relaxed);
    // SAFETY: as in `return_freed_memory_at_once`. Worker threads may be
    // freeing meanwhile; they read the option's value, an aligned `long`
    // written in one store (at most 900 times a run, as it only grows), so
    // they see the old delay or the new one.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, ms as std::ffi::c_long);
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
    /// Say why two documents are (or are not) one cluster, story and thread; prints Markdown.
    Explain(ExplainArgs),
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
        Command::Explain(a) => a.run.resources.memory,
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
        Command::Explain(args) => cmd::explain::explain(args),
        Command::Bench(args) => cmd::bench::bench(args),
        Command::Corpora(command) => cmd::corpora::corpora(command),
        Command::Index(command) => cmd::index::index(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`syndic index clusters ... | head`): stop
        // quietly, as Unix tools do.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("syndic: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `e` comes from writing to a pipe whose reader has closed it.
fn closed_pipe(e: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(broken)
            || matches!(c.downcast_ref::<syndic::Error>(),
                Some(syndic::Error::Io { cause, .. }) if broken(cause))
            || c.downcast_ref::<serde_json::Error>()
                .and_then(|j| j.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::purge_delay_ms;

    #[test]
    fn the_purge_delay_grows_with_the_input_from_100_ms_to_1_s() {
        assert_eq!(purge_delay_ms(0), 100);
        assert_eq!(purge_delay_ms(211_011_853), 105); // the mix
        assert_eq!(purge_delay_ms(864_742_540), 432); // s12
        assert_eq!(purge_delay_ms(2_161_928_333), 1000); // s30
        assert_eq!(purge_delay_ms(u64::MAX), 1000);
    }
}
