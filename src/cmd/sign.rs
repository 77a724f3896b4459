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
    /// Layout of the signature file: syndic's binary format, or Parquet
    /// (`id`, `signature` as a fixed-size list of uint32, the settings in
    /// the file's metadata under `syndic.signatures`).
    #[arg(long, value_enum, default_value = "binary", help_heading = "Output")]
    pub format: SignatureFormat,
    /// Print nothing on stderr except errors.
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
}

/// Layout of a signature file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SignatureFormat {
    Binary,
    #[cfg(feature = "parquet")]
    Parquet,
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
    match args.format {
        SignatureFormat::Binary => {
            syndic::minhash::write_signatures(&mut out, config.minhash, config.shingle, &records)?
        }
        #[cfg(feature = "parquet")]
        SignatureFormat::Parquet => {
            let header = syndic::minhash::SignatureHeader {
                format_version: syndic::minhash::SIGNATURE_FORMAT_VERSION,
                minhash: config.minhash,
                shingle: config.shingle,
                count: records.len() as u64,
            };
            syndic::corpus::arrow::write_signatures_parquet(&mut out, &header, &records)?
        }
    }
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
