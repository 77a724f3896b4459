//! Engine calls from Python run without the GIL and, on Linux, with
//! transparent huge pages off for their duration, as the CLI runs (see
//! `syndic::pages`; `syndic.cluster` on Reuters-generated spent 0.85-4.1 s
//! of system time with them). The switch is per process, so it is turned off
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
            running.1 = syndic::pages::huge_pages_off();
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
            syndic::pages::huge_pages_on();
            running.1 = false;
        }
    }
}
