//! `--memory`: a corpus several times larger than the limit completes with
//! the same clusters as an unconstrained run, and without holding the
//! corpus in RAM.

mod common;

use common::write_corpus;
use std::path::Path;
use std::process::Command;

fn run(input: &Path, output: &Path, stats: &Path, extra: &[&str]) -> serde_json::Value {
    let status = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("cluster")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--stats")
        .arg(stats)
        .arg("--quiet")
        .args(extra)
        .status()
        .expect("run syndic");
    assert!(status.success());
    serde_json::from_str(&std::fs::read_to_string(stats).unwrap()).unwrap()
}

#[test]
fn memory_limited_run_gives_the_same_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    let bytes = write_corpus(&input, 1_600, 1_200);
    let limit: u64 = 8 << 20;
    assert!(bytes > 3 * limit, "corpus of {bytes} bytes");

    let free = run(
        &input,
        &dir.path().join("free.jsonl"),
        &dir.path().join("free.json"),
        &[],
    );
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let bounded = run(
        &input,
        &dir.path().join("bounded.jsonl"),
        &dir.path().join("bounded.json"),
        &["--memory", "8M", "--temp-dir", spill.to_str().unwrap()],
    );
    let free_out = std::fs::read(dir.path().join("free.jsonl")).unwrap();
    let bounded_out = std::fs::read(dir.path().join("bounded.jsonl")).unwrap();
    assert!(free_out == bounded_out, "clusters differ under --memory");
    assert_eq!(free["summary"]["spilled"], false);
    assert_eq!(bounded["summary"]["spilled"], true);
    let clusters = bounded["summary"]["clusters"].as_u64().unwrap();
    assert_eq!(clusters, 1_600, "one cluster per story");
    assert_eq!(
        std::fs::read_dir(&spill).unwrap().count(),
        0,
        "spill files are unlinked"
    );
    if let (Some(f), Some(b)) = (
        free["summary"]["peak_rss_bytes"].as_u64(),
        bounded["summary"]["peak_rss_bytes"].as_u64(),
    ) {
        assert!(
            b < bytes,
            "peak RSS {b} under --memory holds the corpus ({bytes} bytes)"
        );
        assert!(
            b < f,
            "peak RSS {b} under --memory is not below the free run's {f}"
        );
    }
}

/// A file of one record and ten million blank lines: blank lines are
/// counted, not held (they used to take ~100 bytes each, 1 GB per 10 MB).
#[test]
fn blank_lines_take_no_memory() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("blank.jsonl");
    let mut bytes = b"{\"id\":\"a\",\"text\":\"a story about the harbour bridge\"}\n".to_vec();
    bytes.resize(bytes.len() + 10_000_000, b'\n');
    bytes.extend_from_slice(b"{\"id\":\"b\",\"text\":\"the last line\"}\n");
    std::fs::write(&input, &bytes).unwrap();
    let stats = run(
        &input,
        &dir.path().join("out.jsonl"),
        &dir.path().join("stats.json"),
        &[],
    );
    assert_eq!(stats["summary"]["documents"], 2);
    if let Some(peak) = stats["summary"]["peak_rss_bytes"].as_u64() {
        assert!(peak < 150 << 20, "peak RSS {peak} for a file of newlines");
    }
}

/// The CLI turns transparent huge pages off for its process (see
/// `syndic::pages`, called first in main): read from the kernel while
/// the command waits on its input. Kernels without the `THP_enabled` line
/// in /proc/PID/status (before 6.0) skip the check.
#[cfg(target_os = "linux")]
#[test]
fn the_cli_runs_without_transparent_huge_pages() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", "-", "--quiet", "-o"])
        .arg(dir.path().join("out.jsonl"))
        .env_remove("MIMALLOC_ALLOW_THP")
        .stdin(Stdio::piped())
        .spawn()
        .expect("run syndic");
    let status_file = format!("/proc/{}/status", child.id());
    // The process sets the flag first thing in main; wait until it has
    // read its arguments, i.e. until its threads have started or 5 s pass.
    let mut thp = None;
    for _ in 0..500 {
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        let threads = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .unwrap_or(0);
        thp = status
            .lines()
            .find_map(|l| l.strip_prefix("THP_enabled:"))
            .map(|v| v.trim().to_string());
        if threads > 1 || thp.as_deref() == Some("0") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    match thp {
        Some(v) => assert_eq!(v, "0", "THP_enabled in {status_file}"),
        None => eprintln!("skipped: this kernel's /proc/PID/status has no THP_enabled"),
    }
}
