//! `syndic explain`: why two documents are, or are not, one cluster, story
//! and thread (see `syndic::explain`).

use super::{exit_without_freeing, RunArgs};
use anyhow::Result;
use clap::Args;

/// Say why documents are (or are not) grouped: for each pair, the groups
/// of the run, the path of verified edges that joins them, and the pair as
/// verification sees it (LSH keys, Jaccard, containment, set rules,
/// figures, alignment) with the cosine one level up; prints Markdown.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Two document ids to explain (repeat `--pair` for more pairs).
    #[arg(
        long = "pair",
        num_args = 2,
        value_names = ["ID1", "ID2"],
        required = true,
        action = clap::ArgAction::Append,
        help_heading = "Output"
    )]
    pub pairs: Vec<String>,
}

pub fn explain(args: &ExplainArgs) -> Result<()> {
    let config = args.run.matching.config()?;
    let (run, ()) = args.run.execute(true, |_| Ok(()))?;
    let docs = &run.corpus.docs;
    let ids: Vec<(String, String)> = args
        .pairs
        .chunks(2)
        .map(|two| (two[0].clone(), two[1].clone()))
        .collect();
    let pairs = syndic::explain::pair_indices(docs, &ids).map_err(anyhow::Error::msg)?;
    let resources = args.run.resources.resources();
    let explained = run.pool.install(|| {
        syndic::explain::explain(
            docs,
            &run.corpus.texts(),
            &config,
            &resources,
            &run.outcome,
            &pairs,
        )
    })?;
    let text: Vec<String> = explained.iter().map(|e| e.render(docs)).collect();
    super::print(&text.join("\n"))?;
    exit_without_freeing(run);
    Ok(())
}
