//! Flag groups, each given to a subcommand only where it has an effect:
//! input (what to read), matching (what decides the result), resources
//! (threads, memory), and the run's report. Each group resolves once into
//! the library's validated value ([`ReadOptions`], [`Config`],
//! [`Resources`] and the worker pool).
//!
//! The defaults that `--help` prints for matching flags are taken from
//! [`Config::default()`] when the command is built ([`command`]), so they
//! cannot drift from the library's.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use syndic::minhash::Scheme;
use syndic::shingle::ShingleSpec;
use syndic::Resources;
use syndic::{Config, ReadOptions};

/// What to read.
#[derive(Args, Debug)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Inputs: files, folders (read recursively) or quoted glob patterns; JSON
    /// Lines, JSON arrays, CSV/TSV with a header, .txt articles or .html pages,
    /// optionally gzip- or zstd-compressed; `-` for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Field holding the document id (missing ids become `file:line`).
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// Field holding the article text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Skip bad input records (counted on stderr) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// With --skip-invalid: list every skipped record here as JSON lines.
    #[arg(long, requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// Largest document text (e.g. 64M); a larger one is a bad record. JSON
    /// lines over four times this are skipped as they are read, so that a
    /// decompression bomb never fills memory.
    #[arg(long, value_parser = syndic::parse_size, default_value = "64M")]
    pub max_doc_bytes: u64,
}

impl InputArgs {
    /// The reader's options; texts spill within `resources` when it has a
    /// memory limit.
    pub fn read_options(&self, resources: &Resources, titles: &TitleArgs) -> ReadOptions {
        ReadOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            skip_invalid: self.skip_invalid,
            title_first_line: titles.title_first_line,
            spill_texts: resources.memory.map(|_| resources.clone()),
            max_doc_bytes: usize::try_from(self.max_doc_bytes).unwrap_or(usize::MAX),
        }
    }
}

/// Titles of plain-text inputs, for the subcommands that learn boilerplate
/// (documents that share a title are one story there); `index query` uses
/// the stored model and takes no titles.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Input")]
pub struct TitleArgs {
    /// Plain-text inputs: take the first line as the title.
    #[arg(long)]
    pub title_first_line: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SchemeArg {
    Oph,
    Classic,
}

/// What decides a document's signature: shingles, MinHash and boilerplate.
#[derive(Args, Debug)]
#[command(next_help_heading = "Signature")]
pub struct SignatureArgs {
    /// Load settings from a TOML file (the keys of `syndic::Config`); flags
    /// given here override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Shingles: `word:N` or `char:N`.
    #[arg(long)]
    pub shingle: Option<ShingleSpec>,
    /// MinHash signature length.
    #[arg(long)]
    pub num_perm: Option<usize>,
    /// MinHash scheme.
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// Seed of the MinHash permutations.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Learn and remove per-site boilerplate lines.
    #[arg(long, value_enum)]
    pub boilerplate: Option<OnOff>,
}

impl SignatureArgs {
    /// The settings file, or the defaults, with these flags applied.
    fn apply(&self) -> Result<Config> {
        let mut c = match &self.config {
            Some(p) => Config::from_toml_file(p)?,
            None => Config::default(),
        };
        if let Some(v) = self.shingle {
            c.shingle = v;
        }
        if let Some(v) = self.num_perm {
            c.minhash.num_perm = v;
        }
        if let Some(v) = self.scheme {
            c.minhash.scheme = match v {
                SchemeArg::Oph => Scheme::Oph,
                SchemeArg::Classic => Scheme::Classic,
            };
        }
        if let Some(v) = self.seed {
            c.minhash.seed = v;
        }
        if let Some(v) = self.boilerplate {
            c.boilerplate.enabled = matches!(v, OnOff::On);
        }
        Ok(c)
    }

    /// The validated settings.
    pub fn config(&self) -> Result<Config> {
        let c = self.apply()?;
        c.validate()?;
        Ok(c)
    }
}

/// What decides which documents match: the signature plus thresholds and banding.
#[derive(Args, Debug)]
#[command(next_help_heading = "Matching")]
pub struct MatchArgs {
    #[command(flatten)]
    pub signature: SignatureArgs,
    /// Jaccard similarity at which two documents are near-duplicates.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Lower Jaccard accepted for same-length copies (edited, OCR-noisy);
    /// the banding is chosen for it.
    #[arg(long)]
    pub near_threshold: Option<f64>,
    /// Containment at which a smaller document belongs with a larger one
    /// (above 1 disables the rule).
    #[arg(long)]
    pub containment: Option<f64>,
    /// Aligned share of the shorter text's prose at which it is a copy of
    /// the longer however noisy (OCR, edits); above 1 disables the rule.
    #[arg(long)]
    pub aligned: Option<f64>,
    /// LSH bands (with --rows); default: chosen from the thresholds.
    #[arg(long, requires = "rows")]
    pub bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    pub rows: Option<usize>,
    /// Group clusters into stories (reports of the same story).
    #[arg(long, value_enum)]
    pub stories: Option<OnOff>,
}

impl MatchArgs {
    /// The validated settings.
    pub fn config(&self) -> Result<Config> {
        let mut c = self.signature.apply()?;
        if let Some(v) = self.threshold {
            c.threshold = v;
        }
        if let Some(v) = self.near_threshold {
            c.near_threshold = v;
        }
        if let Some(v) = self.containment {
            c.containment = v;
        }
        if let Some(v) = self.aligned {
            c.aligned_share = v;
        }
        if self.bands.is_some() {
            c.bands = self.bands;
            c.rows = self.rows;
        }
        if let Some(v) = self.stories {
            c.story.enabled = matches!(v, OnOff::On);
        }
        c.validate()?;
        Ok(c)
    }
}

/// Threads and memory. Output never depends on them.
#[derive(Args, Debug)]
#[command(next_help_heading = "Resources")]
pub struct ResourceArgs {
    /// Worker threads [default: all cores].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Keep memory near this size (e.g. 2G, 512M): texts, band keys and
    /// shingle sets past their share spill to temporary files.
    #[arg(long, value_parser = syndic::parse_size)]
    pub memory: Option<u64>,
    /// Folder for spill files [default: the system's temporary folder].
    #[arg(long, requires = "memory")]
    pub temp_dir: Option<PathBuf>,
}

impl ResourceArgs {
    pub fn resources(&self) -> Resources {
        Resources {
            memory: self.memory,
            temp_dir: self.temp_dir.clone(),
        }
    }

    /// The worker pool: every parallel stage, reading and writing run on it.
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(t) = self.threads {
            builder = builder.num_threads(t as usize);
        }
        builder.build().context("cannot start worker threads")
    }
}

/// Appends `[default: X]` from [`Config::default()`] to the help of every
/// matching flag of every subcommand.
pub fn with_config_defaults(cmd: clap::Command) -> clap::Command {
    let c = Config::default();
    let on_off = |b: bool| if b { "on" } else { "off" }.to_string();
    let defaults: Vec<(&str, String)> = vec![
        ("shingle", c.shingle.to_string()),
        ("num_perm", c.minhash.num_perm.to_string()),
        (
            "scheme",
            match c.minhash.scheme {
                Scheme::Oph => "oph",
                Scheme::Classic => "classic",
            }
            .to_string(),
        ),
        ("seed", c.minhash.seed.to_string()),
        ("boilerplate", on_off(c.boilerplate.enabled)),
        ("threshold", c.threshold.to_string()),
        ("near_threshold", c.near_threshold.to_string()),
        ("containment", c.containment.to_string()),
        ("aligned", c.aligned_share.to_string()),
        ("stories", on_off(c.story.enabled)),
    ];
    annotate(cmd, &defaults)
}

fn annotate(mut cmd: clap::Command, defaults: &[(&str, String)]) -> clap::Command {
    for (id, value) in defaults {
        if cmd.get_arguments().any(|a| a.get_id() == id) {
            cmd = cmd.mut_arg(*id, |a| {
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                a.help(format!("{help} [default: {value}]"))
            });
        }
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| annotate(s, defaults));
    }
    cmd
}
