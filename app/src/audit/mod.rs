//! LOG-1/LOG-3, SEC-5: security-relevant events, written in the same transaction as the change
//! they describe, and chained with an HMAC so that an edited, inserted or deleted row is
//! detected. Both ends of the chain are anchored by MACed rows (the newest checkpoint and the
//! head), and the two ways Schulhof itself changes old rows (retention and pseudonymisation)
//! leave MACed records that the check accepts; nothing else does.
//!
//! - `store`: writing events, the store trait.
//! - `chain`: the MACs, the check (whole or incremental, paged) and the upgrade's anchoring.
//! - `retention`: per-school retention (LOG-3).
//! - `pseudonymise`: whole-token pseudonymisation of a deleted person (LIFE-3).
#[cfg(feature = "ssr")]
mod chain;
#[cfg(feature = "ssr")]
mod pseudonymise;
#[cfg(feature = "ssr")]
mod retention;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub use pseudonymise::replace_whole_tokens;
#[cfg(feature = "ssr")]
pub use store::{AuditEvent, AuditStore, ChainStatus};
