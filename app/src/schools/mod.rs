//! ACC-1: one deployment hosts several schools, each its own community.
#[cfg(feature = "ssr")]
pub mod store;
