//! `syndic sign`: the MinHash signature of every document, to a versioned file.

use super::{input_paths, Reading};
use crate::flags::{InputArgs, ResourceArgs, SignatureArgs, TitleArgs};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use syndic::corpus::write::Output;

/// Write the MinHash signature of every document to a versioned binary file.
#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub titles: TitleArgs,
    #[command(flatten)]
    pub signature: SignatureArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    /// Signature file to write (format version, parameters, then id and values per document).
    #[arg(short, long, help_heading = "Output")]
    pub output: PathBuf,
    /// Print nothing on stderr except errors.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
}

pub fn sign(args: &SignArgs) -> Result<()> {
    let config = args.signature.config()?;
    let reading = Reading::start(&args.input, &args.titles, &args.resources, args.quiet)?;
    let corpus = &reading.corpus;
    let signatures = reading.pool.install(|| {
        syndic::pipeline::signatures(&corpus.docs, &corpus.texts(), &config, &reading.resources)
    })?;
    reading.progress.finish();
    let records: Vec<(&str, &Vec<u32>)> = corpus
        .docs
        .iter()
        .map(|d| d.id.as_str())
        .zip(&signatures)
        .collect();
    let mut out = Output::create(&args.output, &input_paths(corpus))?;
    syndic::minhash::write_signatures(&mut out, config.minhash, config.shingle, &records)?;
    out.commit()?;
    if !args.quiet {
        eprintln!(
            "sign: {} signatures of {} values written to {} ({})",
            records.len(),
            config.minhash.num_perm,
            args.output.display(),
            reading.resources_note()
        );
    }
    Ok(())
}
