//! The server-only half of signing in: the imports the server functions share and their field
//! check.
use super::*;

pub(super) use crate::{
    audit::AuditEvent,
    platform::{app_state, passwords, request_info, secret::Secret},
    rules,
};

pub use super::current::{
    CurrentSession, authenticate, authenticate_during_setup, school_staff, signed_in,
};

pub(super) fn required(field: &str, value: &str) -> Result<(), AppError> {
    if value.trim().is_empty() {
        Err(AppError::field(field, Key::ErrorRequired))
    } else {
        Ok(())
    }
}
