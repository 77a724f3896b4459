//! Memory pages: runs take their memory in 4 KiB pages, not transparent
//! huge pages (mimalloc, the CLI's and the Python package's allocator, asks
//! for them with `madvise`).
//!
//! On the 2-core VMs syndic is measured on, a huge page comes from memory
//! the host has taken back, so zeroing it costs several times more per byte
//! than the 4 KiB pages the kernel recycles: with huge pages, 25-37% of a
//! run's CPU samples were in `clear_page_erms`. Interleaved runs,
//! 2026-12-03 (wall seconds, system seconds, peak): the 211 MB mix
//! 2.41-3.78 s / 0.9-2.5 s sys / 398 MB with huge pages against 1.94-1.97 s
//! / 0.4 s / 377 MB without; Reuters-generated 1.66-2.56 s against
//! 1.60-1.83 s; BBC-generated 0.33-1.02 s against 0.36-0.37 s. Output is
//! byte-identical. mimalloc sets up its first arena before `main`, so its
//! `allow_thp` option comes too late; the kernel's per-process switch does
//! not. `MIMALLOC_ALLOW_THP` in the environment (any value) leaves the
//! choice to mimalloc.

/// Turns transparent huge pages off for the process (Linux); true if this
/// call did: they were on and `MIMALLOC_ALLOW_THP` is not set. Pages
/// already faulted in stay as they are.
pub fn huge_pages_off() -> bool {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_GET/SET_THP_DISABLE read and set one flag of the
        // process.
        return unsafe {
            libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0
                && libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
        };
    }
    false
}

/// Turns transparent huge pages back on for the process (after a
/// [`huge_pages_off`] that returned true).
pub fn huge_pages_on() {
    // SAFETY: as in `huge_pages_off`.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0);
    }
}
