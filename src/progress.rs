//! A progress bar on stderr while a corpus is read and the pipeline runs.

/// A progress bar on stderr: only on a terminal, not with --quiet, and only
/// once the run has taken more than a second.
pub struct Progress {
    bar: indicatif::ProgressBar,
    start: std::time::Instant,
    enabled: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
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

    pub fn reading(&self, bytes: u64, docs: usize) {
        if docs.is_multiple_of(1024) {
            self.show_if_slow();
            self.bar.set_position(bytes);
            let rate = docs as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
            self.bar
                .set_message(format!("reading: {docs} docs ({rate:.0} docs/s)"));
        }
    }

    pub fn stage(&self, done: &str) {
        self.show_if_slow();
        self.bar.set_message(format!("pipeline: {done} done"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
