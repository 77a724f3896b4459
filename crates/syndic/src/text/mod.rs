//! Text: turning raw article text into the canonical token stream that the
//! shingler hashes.
//!
//! ```text
//! raw text ──normalize──▶ folded lines ──boilerplate──▶ body (tokens joined by ' ')
//! ```
//!
//! * [`normalize`](mod@normalize): NFKC, case folding, typographic and punctuation folding,
//!   whitespace collapse. Two copies of a story that differ only in curly
//!   quotes, dashes, ligatures, case or spacing fold to the same string.
//! * [`boilerplate`]: learns lines that recur across many pages of one site
//!   (navigation, promos, footers) and removes them before shingling.

pub mod boilerplate;
pub mod normalize;

pub use normalize::{fold_line, normalize};
