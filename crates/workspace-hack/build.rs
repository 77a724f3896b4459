//! Empty: present so that the `[build-dependencies]` of this crate take
//! part in feature unification (see Cargo.toml).
fn main() {}
