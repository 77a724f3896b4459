//! [`Config`]: every setting that decides the result of a run, with the
//! banding and the verification rule derived from it.

use crate::error::{Error, Result};
use crate::lsh::LshParams;
use crate::minhash::MinHashConfig;
use crate::shingle::ShingleSpec;
use crate::story::StoryConfig;
use crate::text::boilerplate::BoilerplateConfig;
use crate::thread::ThreadConfig;
use crate::verify::VerifyRule;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// P(candidate) the automatic banding must reach at `near_threshold`.
const NEAR_RECALL: f64 = 0.95;

/// Everything that decides the result of a run. Loadable from TOML
/// (`--config file.toml`); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `word:N` or `char:N`.
    pub shingle: ShingleSpec,
    /// Bodies with fewer distinct shingles are matched exactly only.
    pub min_shingles: usize,
    /// MinHash scheme, length and seed.
    pub minhash: MinHashConfig,
    /// Jaccard threshold of a near-duplicate.
    pub threshold: f64,
    /// Containment threshold (an excerpt inside its full story); > 1 disables.
    pub containment: f64,
    /// Minimum shingles of the smaller document for containment to count.
    pub min_contained: usize,
    /// Lower Jaccard accepted for same-length copies (edited, OCR-noisy);
    /// the banding is chosen for this threshold. Set equal to `threshold` to disable.
    pub near_threshold: f64,
    /// Size ratio (smaller / larger) required by the `near_threshold` rule.
    pub near_size_ratio: f64,
    /// Minimum aligned share of the shorter text's prose for the alignment
    /// rule ([`crate::align`]: OCR-noisy, edited and excerpted copies);
    /// above 1 disables the rule.
    pub aligned_share: f64,
    /// Minimum aligned tokens for the alignment rule (an excerpt's lead).
    pub min_aligned: usize,
    /// Share of the smaller document's numbers that the other must contain.
    pub numbers: f64,
    /// Length of the lead (first shingles) indexed to find excerpts; 0 disables.
    pub lead_shingles: usize,
    /// Signature length of the lead.
    pub lead_num_perm: usize,
    /// Explicit banding; both or neither. Default: chosen from the threshold.
    pub bands: Option<usize>,
    /// Explicit LSH rows per band (with `bands`).
    pub rows: Option<usize>,
    /// P(candidate) at the threshold that the automatic banding must reach.
    pub target_recall: f64,
    /// An LSH bucket of at most this many documents pairs them all; a bigger
    /// one (a flood of near-identical pages) chains them, each with the next
    /// [`crate::lsh::CHAIN`].
    pub max_bucket: usize,
    /// Per-site boilerplate learning.
    pub boilerplate: BoilerplateConfig,
    /// Story grouping.
    pub story: StoryConfig,
    /// Thread grouping (stories into developing stories).
    pub thread: ThreadConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            shingle: ShingleSpec::default(),
            min_shingles: 5,
            minhash: MinHashConfig::default(),
            threshold: 0.8,
            containment: 0.8,
            min_contained: 40,
            near_threshold: 0.45,
            near_size_ratio: 0.75,
            aligned_share: 0.7,
            min_aligned: 20,
            numbers: 0.5,
            lead_shingles: 64,
            lead_num_perm: 32,
            bands: None,
            rows: None,
            target_recall: 0.995,
            max_bucket: 256,
            boilerplate: BoilerplateConfig::default(),
            story: StoryConfig::default(),
            thread: ThreadConfig::default(),
        }
    }
}

impl Config {
    /// These settings with the story rules widened to the thread level's
    /// ([`ThreadConfig::rules`]): what grouping stories into threads runs
    /// under, for a front end that runs the story steps itself.
    pub fn thread_level(&self) -> Config {
        Config {
            story: self.thread.rules(&self.story),
            ..self.clone()
        }
    }

    /// Loads a TOML configuration file.
    pub fn from_toml_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let config: Config = toml::from_str(&text).map_err(|e| Error::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config.validate().map_err(|e| Error::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(config)
    }

    /// Checks every value's range: a share or threshold in [0, 1] (the
    /// containment threshold may exceed 1, which disables the rule), counts
    /// at least 1 where 0 means nothing, no NaN. Also checks the banding.
    pub fn validate(&self) -> Result<()> {
        let unit = |name: &str, v: f64| match (0.0..=1.0).contains(&v) {
            true => Ok(()),
            false => Err(Error::Config(format!("{name} must be in [0, 1], not {v}"))),
        };
        unit("threshold", self.threshold)?;
        unit("near_threshold", self.near_threshold)?;
        unit("near_size_ratio", self.near_size_ratio)?;
        unit("numbers", self.numbers)?;
        unit("target_recall", self.target_recall)?;
        unit("story.similarity", self.story.similarity)?;
        unit("story.strong_similarity", self.story.strong_similarity)?;
        unit(
            "story.cross_language_similarity",
            self.story.cross_language_similarity,
        )?;
        unit("story.combination_share", self.story.combination_share)?;
        unit("thread.similarity", self.thread.similarity)?;
        unit("story.merge_similarity", self.story.merge_similarity)?;
        unit("thread.merge_similarity", self.thread.merge_similarity)?;
        if self.threshold == 0.0 {
            return Err(Error::Config("threshold must be above 0".into()));
        }
        if self.story.top_terms > crate::story::MAX_TOP_TERMS {
            return Err(Error::Config(format!(
                "story.top_terms must be at most {}, not {}",
                crate::story::MAX_TOP_TERMS,
                self.story.top_terms
            )));
        }
        let background = self.story.background_documents;
        if !background.is_finite() || background < 0.0 {
            return Err(Error::Config(format!(
                "story.background_documents must be 0 or more, not {background}"
            )));
        }
        if self.containment.is_nan() || self.containment <= 0.0 {
            return Err(Error::Config(format!(
                "containment must be above 0 (above 1 disables it), not {}",
                self.containment
            )));
        }
        let passage_days = self.story.passage_window_days;
        for (name, days) in [
            ("story.window_days", self.story.window_days),
            ("story.quote_window_days", self.story.quote_window_days),
            ("story.passage_window_days", passage_days.unwrap_or(0.0)),
            ("story.series_days", self.story.series_days),
            ("thread.window_days", self.thread.window_days),
        ] {
            if days.is_nan() || days < 0.0 {
                return Err(Error::Config(format!(
                    "{name} must be 0 or more, not {days}"
                )));
            }
        }
        if self.aligned_share.is_nan() || self.aligned_share <= 0.0 {
            return Err(Error::Config(format!(
                "aligned_share must be above 0 (above 1 disables it), not {}",
                self.aligned_share
            )));
        }
        if self.min_aligned < 6 {
            return Err(Error::Config(format!(
                "min_aligned must be at least 6 tokens, not {}",
                self.min_aligned
            )));
        }
        if self.max_bucket == 0 {
            return Err(Error::Config("max_bucket must be at least 1".into()));
        }
        if self.lead_shingles > 0 && self.lead_num_perm == 0 {
            return Err(Error::Config(
                "lead_num_perm must be at least 1 when lead_shingles is on".into(),
            ));
        }
        self.lsh_params().map(|_| ())
    }

    /// Settings from a JSON object with the settings file's keys (tables as
    /// nested objects), checked; an unknown key is refused.
    pub fn from_json(text: &str) -> Result<Config> {
        let config: Config =
            serde_json::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The banding used for this configuration.
    pub fn lsh_params(&self) -> Result<LshParams> {
        let params = match (self.bands, self.rows) {
            (Some(bands), Some(rows)) => LshParams { bands, rows },
            (None, None) => {
                let main = LshParams::for_threshold(
                    self.threshold,
                    self.minhash.num_perm,
                    self.target_recall,
                )?;
                let near = LshParams::for_threshold(
                    self.near_threshold,
                    self.minhash.num_perm,
                    NEAR_RECALL,
                )?;
                if near.rows < main.rows {
                    near
                } else {
                    main
                }
            }
            _ => return Err(Error::Config("give both bands and rows, or neither".into())),
        };
        params.validate(self.minhash.num_perm)?;
        Ok(params)
    }

    /// The verification rule these settings describe.
    pub fn verify_rule(&self) -> VerifyRule {
        VerifyRule {
            jaccard: self.threshold,
            containment: self.containment,
            min_contained: self.min_contained.max(self.min_shingles),
            near: self.near_threshold.min(self.threshold),
            near_size_ratio: self.near_size_ratio,
            aligned: self.aligned_share,
            min_aligned: self.min_aligned,
            numbers: self.numbers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_refused() {
        Config::default().validate().unwrap();
        let bad = |f: fn(&mut Config)| {
            let mut c = Config::default();
            f(&mut c);
            c.validate().unwrap_err()
        };
        bad(|c| c.containment = -5.0);
        bad(|c| c.containment = f64::NAN);
        bad(|c| c.threshold = 1.5);
        bad(|c| c.threshold = 0.0);
        bad(|c| c.story.similarity = f64::NAN);
        bad(|c| c.story.window_days = -1.0);
        bad(|c| c.story.combination_share = f64::NAN);
        bad(|c| c.story.combination_share = 2.0);
        bad(|c| c.thread.similarity = 1.5);
        bad(|c| c.thread.window_days = f64::NAN);
        bad(|c| c.max_bucket = 0);
        bad(|c| c.bands = Some(3));
        // A pair's counts of top terms are summed in 14 bits each.
        bad(|c| c.story.top_terms = crate::story::MAX_TOP_TERMS + 1);
        let mut most = Config::default();
        most.story.top_terms = crate::story::MAX_TOP_TERMS;
        most.validate().unwrap();
        let off = Config {
            containment: 2.0,
            ..Config::default()
        };
        off.validate().unwrap();
    }
}
