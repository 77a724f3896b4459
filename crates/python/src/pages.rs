//! Engine calls from Python run without the GIL and, on Linux, with
//! transparent huge pages off for their duration, as the CLI runs (see
//! `no_transparent_huge_pages` in the CLI's src/main.rs: on the VMs syndic is
//! measured on, a fresh huge page costs several times more per byte than a
//! 4 KiB page; `syndic.cluster` on Reuters-generated spent 0.85-4.1 s of
//! system time with them). The switch is per process, so it is turned off
//! when the first engine call starts and back on when the last one ends,
//! and left alone if the process had already turned it off or
//! `MIMALLOC_ALLOW_THP` is set.

use pyo3::Python;
use std::sync::Mutex;

/// Engine calls running, and whether the first of them turned huge pages
/// off (so the last must turn them back on).
static RUNNING: Mutex<(usize, bool)> = Mutex::new((0, false));

/// Runs `f` without the GIL and without transparent huge pages.
pub(crate) fn engine<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
    py.allow_threads(|| {
        let _pages = SmallPages::enter();
        f()
    })
}

struct SmallPages;

impl SmallPages {
    fn enter() -> SmallPages {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        if running.0 == 0 {
            running.1 = turn_off_huge_pages();
        }
        running.0 += 1;
        SmallPages
    }
}

impl Drop for SmallPages {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.0 -= 1;
        if running.0 == 0 && running.1 {
            turn_on_huge_pages();
            running.1 = false;
        }
    }
}

/// Turns transparent huge pages off for the process; true if this call did
/// (they were on and `MIMALLOC_ALLOW_THP` is not set).
#[cfg(target_os = "linux")]
fn turn_off_huge_pages() -> bool {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return false;
    }
    // SAFETY: PR_GET/SET_THP_DISABLE read and set one flag of the process.
    unsafe {
        libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0
            && libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    }
}

#[cfg(target_os = "linux")]
fn turn_on_huge_pages() {
    // SAFETY: as above.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn turn_off_huge_pages() -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn turn_on_huge_pages() {}
