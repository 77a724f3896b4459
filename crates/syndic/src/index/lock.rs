//! The writer lock of an index: an exclusive `flock` on the file `LOCK`
//! (released by the OS when its holder ends, however it ends), which holds
//! the holder's process id and start time so that a writer that has to
//! wait can say for whom.
//!
//! A writer waits for the lock up to a time limit (`--wait`, default
//! [`DEFAULT_WAIT`]) and then fails naming the holder; a holder that is
//! stopped (`kill -STOP`, Ctrl-Z) is named as such.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// The name of the lock file in an index folder.
pub(super) const LOCK: &str = "LOCK";

/// How long a writer waits for another writer by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(600);

/// What the lock file says about its holder.
#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    /// Unix seconds when it took the lock.
    since: i64,
}

/// Parses how long to wait for a lock: `0`, `30s`, `10m`, `2h`, `1d`, or
/// a plain number of seconds.
pub fn parse_wait(s: &str) -> std::result::Result<Duration, String> {
    let (v, unit) = crate::store::split_quantity(s, "wait", "0, 30s, 10m")?;
    let seconds = match unit.as_str() {
        "" | "s" => v,
        "m" => v * 60.0,
        "h" => v * 3600.0,
        "d" => v * 86_400.0,
        _ => return Err(format!("bad wait unit in {s:?} (use s, m, h or d)")),
    };
    if seconds.is_finite() && (0.0..=1e9).contains(&seconds) {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(format!("wait must be between 0 and 1e9 seconds, got {s:?}"))
    }
}

fn open_lock_file(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    // Not truncated on open: the holder's note stays readable to waiters.
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))
}

/// Tries the lock once: `Ok(true)` when taken.
fn try_take(lock: &File, dir: &Path) -> Result<bool> {
    match fs4::FileExt::try_lock(lock) {
        Ok(()) => Ok(true),
        Err(fs4::TryLockError::WouldBlock) => Ok(false),
        Err(fs4::TryLockError::Error(e)) => Err(Error::io(dir.join(LOCK), e)),
    }
}

/// Takes the writer lock, waiting up to `wait` for another writer; then
/// writes this process's note into it.
pub(super) fn take(dir: &Path, wait: Duration) -> Result<File> {
    let mut lock = open_lock_file(dir)?;
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    while !try_take(&lock, dir)? {
        if started.elapsed() >= wait {
            let who = holder(dir).unwrap_or_else(|| "another writer".into());
            return Err(Error::Index {
                dir: dir.to_path_buf(),
                message: format!(
                    "is locked by {who}; gave up after waiting {:.0?} (use --wait to wait longer)",
                    wait
                ),
            });
        }
        std::thread::sleep(pause.min(wait.saturating_sub(started.elapsed())));
        pause = (pause * 2).min(Duration::from_millis(500));
    }
    let note = Holder {
        pid: std::process::id(),
        since: chrono::Utc::now().timestamp(),
    };
    let path = dir.join(LOCK);
    let json = serde_json::to_vec(&note).expect("holder serializes");
    // The note is informative only: failing to write it loses nothing.
    let _ = lock
        .set_len(0)
        .and_then(|_| lock.rewind())
        .and_then(|_| lock.write_all(&json))
        .map_err(|e| Error::io(&path, e));
    Ok(lock)
}

/// Who holds the writer lock of the index in `dir` now, if anyone:
/// "process 4242 (since 2026-03-01 10:00:00 UTC)", with ", which is
/// stopped: resume it (kill -CONT 4242) or end it" when it is stopped.
pub fn holder(dir: &Path) -> Option<String> {
    let lock = File::open(dir.join(LOCK)).ok()?;
    match fs4::FileExt::try_lock_shared(&lock) {
        Ok(()) => return None,
        Err(fs4::TryLockError::WouldBlock) => {}
        Err(fs4::TryLockError::Error(_)) => return None,
    }
    let mut text = String::new();
    (&lock).take(4096).read_to_string(&mut text).ok()?;
    let Ok(note) = serde_json::from_str::<Holder>(&text) else {
        return Some("another writer".into());
    };
    let since = chrono::DateTime::from_timestamp(note.since, 0)
        .map(|t| format!(" (since {} UTC)", t.format("%Y-%m-%d %H:%M:%S")))
        .unwrap_or_default();
    let stopped = match stopped(note.pid) {
        true => format!(
            ", which is stopped: resume it (kill -CONT {0}) or end it (kill {0})",
            note.pid
        ),
        false => String::new(),
    };
    Some(format!("process {}{since}{stopped}", note.pid))
}

/// Whether process `pid` is stopped (Linux: state `T` in /proc/PID/stat).
fn stopped(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the command name, which is in parentheses.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|s| s == "T" || s == "t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_parse() {
        assert_eq!(parse_wait("0"), Ok(Duration::ZERO));
        assert_eq!(parse_wait("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_wait("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_wait("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["-1s", "NaN", "3y", "1e300"] {
            assert!(parse_wait(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_held_lock_names_its_holder_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(holder(dir.path()), None);
        let held = take(dir.path(), Duration::ZERO).unwrap();
        let who = holder(dir.path()).unwrap();
        assert!(
            who.starts_with(&format!("process {} (since ", std::process::id())),
            "{who}"
        );
        let started = Instant::now();
        let err = take(dir.path(), Duration::from_millis(300)).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let message = err.to_string();
        assert!(
            message.contains(&who) && message.contains("--wait"),
            "{message}"
        );
        drop(held);
        assert_eq!(holder(dir.path()), None);
        take(dir.path(), Duration::ZERO).unwrap();
    }
}
