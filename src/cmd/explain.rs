//! `syndic explain`: why two documents are, or are not, one cluster, story
//! and thread (see `syndic::explain`).

use super::{exit_without_freeing, RunArgs};
use anyhow::{bail, Result};
use clap::Args;
use std::collections::HashMap;

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
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        at.entry(d.id.as_str()).or_insert(i);
    }
    let mut pairs = Vec::new();
    for two in args.pairs.chunks(2) {
        let index = |id: &String| match at.get(id.as_str()) {
            Some(&i) => Ok(i),
            None => bail!("no document has the id {id:?}"),
        };
        pairs.push((index(&two[0])?, index(&two[1])?));
    }
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
