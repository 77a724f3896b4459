//! No code: this crate only unifies the features of the workspace's
//! dependencies across `cargo test`, `cargo run` and the Python wheel, so
//! that they share compiled artifacts (see its Cargo.toml).
