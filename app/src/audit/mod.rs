//! LOG-1/LOG-3: security-relevant events, written in the same transaction as the change they
//! describe, and chained with an HMAC so that an edited or deleted row is detected.
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub use store::{AuditEvent, AuditStore, ChainStatus};
