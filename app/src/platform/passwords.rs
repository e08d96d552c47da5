//! PW-3: passwords are stored only as argon2id hashes.
//!
//! Hashing is slow on purpose, so it runs on the blocking pool and a semaphore caps how many
//! run at once: a burst of logins queues instead of starving every other request.
use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use super::secret::Secret;
use crate::error::AppError;

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    Semaphore::new(cores)
});

/// Verified against when the user does not exist, so that an unknown name costs the same
/// time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now(&super::secret::readable_password()).unwrap_or_default());

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &Secret) -> Result<String, argon2::password_hash::Error> {
    let salt = argon2::password_hash::SaltString::generate(&mut rand::rngs::OsRng);
    Ok(argon2()
        .hash_password(password.expose().as_bytes(), &salt)?
        .to_string())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _slot = SLOTS.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

pub async fn hash(password: Secret) -> Result<String, AppError> {
    blocking(move || hash_now(&password))
        .await?
        .map_err(AppError::internal)
}

/// True only if `stored` exists and matches. Takes the same time when it does not exist.
pub async fn verify(password: Secret, stored: Option<String>) -> Result<bool, AppError> {
    blocking(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        exists && matches
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pw_3_hashes_are_argon2id_and_verify() {
        let stored = hash(Secret::new("Sonne#12")).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!stored.contains("Sonne#12"));
        assert!(
            verify(Secret::new("Sonne#12"), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!verify(Secret::new("Sonne#13"), Some(stored)).await.unwrap());
        assert!(!verify(Secret::new("Sonne#12"), None).await.unwrap());
    }
}
