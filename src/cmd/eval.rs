//! `syndic eval`: score a cluster file against gold labels or pair labels.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use syndic::eval::{self, Level};
use syndic::{Config, Corpus, ReadOptions};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LevelArg {
    Cluster,
    Story,
    Thread,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Cluster => Level::Cluster,
            LevelArg::Story => Level::Story,
            LevelArg::Thread => Level::Thread,
        }
    }
}

/// Score a clusters.jsonl against gold labels (pairwise, ARI, B-cubed) or pair labels.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Gold labels: TSV with header `id cluster [story] [kind]`.
    #[arg(long, required_unless_present = "pairs", conflicts_with = "pairs")]
    pub labels: Option<PathBuf>,
    /// Pair labels instead: CSV `id1,id2,label` (1 = same) or SemEval-2022
    /// task 8 (`pair_id`, `Overall`).
    #[arg(long)]
    pub pairs: Option<PathBuf>,
    /// SemEval pairs: same when Overall is at most this.
    #[arg(long, default_value_t = 1.5, requires = "pairs")]
    pub same_max: f64,
    /// SemEval pairs: different when Overall is at least this.
    #[arg(long, default_value_t = 3.5, requires = "pairs")]
    pub different_min: f64,
    /// With --pairs: also score every labeled pair on this corpus and print
    /// precision/recall curves over thresholds of syndic's similarities.
    #[arg(long, requires = "pairs", num_args = 1..)]
    pub corpus: Vec<PathBuf>,
    /// Predictions: a clusters.jsonl written by `syndic cluster`.
    #[arg(long, required_unless_present = "corpus")]
    pub pred: Option<PathBuf>,
    /// Compare near-duplicate clusters or stories.
    #[arg(long, value_enum, default_value = "cluster")]
    pub level: LevelArg,
    /// With --labels: score each world of a many-world corpus on its own
    /// (ids prefixed `world/`, as `scripts/make_worlds.py` writes them),
    /// one row per world; pairs across worlds do not count.
    #[arg(long, requires = "labels")]
    pub per_world: bool,
    /// Also list what is wrong, worst first, to read by eye: with
    /// --labels, the N predicted groups with the most false pairs and the
    /// N gold groups with the most missed pairs (each with the groups it
    /// mixes and an id of each); with --pairs, the first N false positive
    /// and false negative pairs.
    #[arg(
        long,
        value_name = "N",
        requires = "pred",
        conflicts_with = "per_world"
    )]
    pub errors: Option<usize>,
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn predictions(path: &Path, level: LevelArg) -> Result<Vec<(String, String)>> {
    eval::parse_predictions(&read_text(path)?, level.into())
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub fn eval(args: &EvalArgs) -> Result<()> {
    match (&args.labels, &args.pairs, &args.pred) {
        (Some(labels), _, Some(pred)) => evaluate(args, labels, pred),
        (None, Some(pairs), pred) => evaluate_pairs(args, pairs, pred.as_deref()),
        _ => Err(anyhow::anyhow!(
            "give --labels with --pred, or --pairs with --pred and/or --corpus"
        )),
    }
}

fn evaluate(args: &EvalArgs, labels: &Path, pred: &Path) -> Result<()> {
    let level = args.level;
    let gold = eval::parse_labels(&read_text(labels)?, level.into())
        .map_err(|e| anyhow::anyhow!("{}: {e}", labels.display()))?;
    let predicted = predictions(pred, level)?;
    let ids: Vec<&str> = gold.iter().map(|(id, _)| id.as_str()).collect();
    let gold_map = gold
        .iter()
        .map(|(id, g)| (id.as_str(), g.clone()))
        .collect();
    let pred_map = predicted
        .iter()
        .map(|(id, g)| (id.as_str(), g.as_str()))
        .collect();
    let (documents, mut report) = if args.per_world {
        let worlds = eval::evaluate_by_world(&ids, &pred_map, &gold_map);
        let documents = worlds.iter().map(|(_, m)| m.documents).sum();
        (documents, eval::render_worlds(&worlds))
    } else {
        let metrics = eval::evaluate(&ids, &pred_map, &gold_map);
        (metrics.documents, metrics.render())
    };
    if let Some(top) = args.errors {
        let errors = eval::group_errors(&ids, &pred_map, &gold_map);
        report.push_str(&eval::render_group_errors(&errors, top));
    }
    if documents < gold.len() {
        eprintln!(
            "eval: {} labeled documents have no prediction",
            gold.len() - documents
        );
    }
    super::print(&report)
}

fn evaluate_pairs(args: &EvalArgs, pairs: &Path, pred: Option<&Path>) -> Result<()> {
    let labels = eval::parse_pair_labels(&read_text(pairs)?, args.same_max, args.different_min)
        .map_err(|e| anyhow::anyhow!("{}: {e}", pairs.display()))?;
    if let Some(pred) = pred {
        let predicted = predictions(pred, args.level)?;
        let pred_map = predicted
            .iter()
            .map(|(id, g)| (id.as_str(), g.as_str()))
            .collect();
        let mut report = eval::evaluate_pairs(&labels, &pred_map).render();
        if let Some(top) = args.errors {
            let (fp, fneg) = eval::pair_errors(&labels, &pred_map);
            report.push_str(&eval::render_pair_errors((&fp, &fneg), &pred_map, top));
        }
        super::print(&report)?;
    }
    if !args.corpus.is_empty() {
        let corpus = Corpus::read(&args.corpus, &ReadOptions::default())?;
        let (scored, curves) = eval::pair_label_curves(&labels, &corpus.docs, &Config::default())?;
        super::print(&format!(
            "\n{scored} labeled pairs scored ({} with an id not in the corpus)\n\n{curves}",
            labels.len() - scored
        ))?;
    }
    Ok(())
}
