//! Benchmarking on sample corpora: runs the pipeline several times on one
//! corpus and reports median times (total and per stage), throughput, peak
//! memory and, when labels are given, quality, with the machine it ran on.
//! Used by `syndic bench`; the numbers in the README come from it.

use crate::corpus::Corpus;
use crate::eval::{self, GoldLabel, Level, Metrics};
use crate::pipeline::{self, Config, Outcome};
use crate::Result;
use ahash::AHashMap;
use std::time::Instant;

/// What one benchmark measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// The corpus benchmarked (its inputs).
    pub corpus: String,
    /// Documents in it.
    pub documents: usize,
    /// Bytes of their texts.
    pub bytes: u64,
    /// Worker threads.
    pub threads: usize,
    /// The processor model.
    pub cpu: String,
    /// Pipeline runs the median is taken over.
    pub repeat: usize,
    /// Seconds to read the corpus (once).
    pub read_seconds: f64,
    /// Median seconds of the pipeline, and of each stage.
    pub pipeline_seconds: f64,
    /// Median seconds per stage, in pipeline order.
    pub stage_seconds: Vec<(String, f64)>,
    /// Peak resident memory of the process, if the OS tells.
    pub peak_rss_bytes: Option<u64>,
    /// Scores against the gold labels, per level (`cluster`, `story`).
    pub quality: Vec<(String, Metrics)>,
    /// What the last run found: clusters, stories, boilerplate lines learned.
    pub clusters: usize,
    /// Stories the last run found.
    pub stories: usize,
    /// Boilerplate lines the last run learned.
    pub boilerplate_lines: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The CPU model, from /proc/cpuinfo where there is one.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Runs the pipeline `repeat` times on `corpus` (already read in
/// `read_seconds`) and scores the last run against `labels` when given.
pub fn run(
    name: &str,
    corpus: &Corpus,
    read_seconds: f64,
    config: &Config,
    repeat: usize,
    labels: Option<&[(String, GoldLabel, GoldLabel)]>,
) -> Result<BenchReport> {
    let mut totals = Vec::new();
    let mut stages: Vec<Vec<f64>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut last: Option<Outcome> = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let outcome = pipeline::run(&corpus.docs, config)?;
        totals.push(start.elapsed().as_secs_f64());
        if names.is_empty() {
            names = outcome
                .summary
                .stage_seconds
                .iter()
                .map(|(n, _)| n.clone())
                .collect();
            stages = vec![Vec::new(); names.len()];
        }
        for (k, (_, s)) in outcome.summary.stage_seconds.iter().enumerate() {
            stages[k].push(*s);
        }
        last = Some(outcome);
    }
    let mut quality = Vec::new();
    if let (Some(labels), Some(outcome)) = (labels, &last) {
        let ids: Vec<&str> = labels.iter().map(|(id, _, _)| id.as_str()).collect();
        for (level, pick) in [(Level::Cluster, 0), (Level::Story, 1)] {
            let gold: AHashMap<&str, GoldLabel> = labels
                .iter()
                .map(|(id, c, s)| (id.as_str(), if pick == 0 { c.clone() } else { s.clone() }))
                .collect();
            let predicted: AHashMap<&str, &str> = corpus
                .docs
                .iter()
                .zip(&outcome.docs)
                .map(|(d, o)| {
                    let group = if level == Level::Cluster {
                        o.representative
                    } else {
                        o.story
                    };
                    (d.id.as_str(), corpus.docs[group as usize].id.as_str())
                })
                .collect();
            let name = if level == Level::Cluster {
                "cluster"
            } else {
                "story"
            };
            quality.push((name.to_string(), eval::evaluate(&ids, &predicted, &gold)));
        }
    }
    let found = last.as_ref().map(|o| &o.summary);
    Ok(BenchReport {
        clusters: found.map_or(0, |s| s.clusters),
        stories: found.map_or(0, |s| s.stories),
        boilerplate_lines: found.map_or(0, |s| s.boilerplate_lines),
        corpus: name.to_string(),
        documents: corpus.docs.len(),
        bytes: corpus.bytes,
        threads: rayon::current_num_threads(),
        cpu: cpu_model(),
        repeat: repeat.max(1),
        read_seconds,
        pipeline_seconds: median(totals),
        stage_seconds: names
            .into_iter()
            .zip(stages.into_iter().map(median))
            .collect(),
        peak_rss_bytes: crate::store::peak_rss(),
        quality,
    })
}

impl BenchReport {
    /// The report as Markdown.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let mb = self.bytes as f64 / 1e6;
        let _ = writeln!(s, "## syndic bench: {}\n", self.corpus);
        let _ = writeln!(
            s,
            "Machine: {}, {} threads. Median of {} runs of the pipeline.\n",
            self.cpu, self.threads, self.repeat
        );
        let _ = writeln!(s, "| measure | value |\n|---|---|");
        let _ = writeln!(s, "| documents | {} |", self.documents);
        let _ = writeln!(s, "| input | {mb:.1} MB |");
        let _ = writeln!(
            s,
            "| read + parse | {:.3} s ({:.0} MB/s) |",
            self.read_seconds,
            mb / self.read_seconds.max(1e-9)
        );
        let _ = writeln!(s, "| pipeline (median) | {:.3} s |", self.pipeline_seconds);
        let _ = writeln!(
            s,
            "| pipeline throughput | {:.0} docs/s, {:.1} MB/s |",
            self.documents as f64 / self.pipeline_seconds.max(1e-9),
            mb / self.pipeline_seconds.max(1e-9)
        );
        for (stage, secs) in &self.stage_seconds {
            let _ = writeln!(s, "| stage: {stage} | {secs:.3} s |");
        }
        match self.peak_rss_bytes {
            Some(b) => {
                let _ = writeln!(s, "| peak RSS | {:.0} MB |", b as f64 / 1e6);
            }
            None => {
                let _ = writeln!(s, "| peak RSS | not available on this OS |");
            }
        }
        let _ = writeln!(
            s,
            "| found | {} clusters, {} stories, {} boilerplate lines |",
            self.clusters, self.stories, self.boilerplate_lines
        );
        for (level, m) in &self.quality {
            let _ = writeln!(
                s,
                "| {level}: pair P / R / F1 | {} / {:.4} / {:.4} |",
                crate::eval::show(m.pair_precision, 4),
                m.pair_recall,
                m.pair_f1
            );
            let _ = writeln!(
                s,
                "| {level}: ARI, B-cubed F1 | {:.4}, {:.4} |",
                m.adjusted_rand_index, m.bcubed_f1
            );
            for (kind, (found, total)) in &m.recall_by_kind {
                let _ = writeln!(s, "| {level}: recall {kind} | {found}/{total} |");
            }
        }
        s
    }
}
