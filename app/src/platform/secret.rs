//! Secrets never implement `Serialize` and never print themselves.
use std::fmt;

/// A password or token as typed or issued. Dropped as soon as it has been hashed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The one way to read the value, named so that every use stands out in review.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Random bytes as lower-case hex, from the operating system's generator: for secrets that
/// last (session tokens, keys).
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// 128 random bits as hex from the thread-local CSPRNG (ChaCha, seeded by the OS): for
/// per-request values such as CSP nonces and request ids, without a system call each.
pub fn fast_random_hex() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// SHA-256 as hex: tokens are stored only as this digest, so a database leak yields no sessions.
pub fn sha256_hex(value: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(value.as_bytes()))
}

/// HMAC-SHA-256 of `parts` under `key`, as hex. Each part is followed by a unit separator, so
/// that `ab`+`c` differs from `a`+`bc`. The audit chain and the used-slip check use it.
pub fn hmac_hex(key: &Secret, parts: &[&str]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(key.expose().as_bytes()).expect("HMAC takes any key");
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0x1f]);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Letters and digits that cannot be mistaken for each other on a printed slip
/// (no 0/O, 1/l/I).
const READABLE: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A start password such as `Kx7m-Qp3r-Ht9w`: about 69 bits, easy to type from paper.
pub fn readable_password() -> Secret {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let groups: Vec<String> = (0..3)
        .map(|_| {
            (0..4)
                .map(|_| READABLE[rng.gen_range(0..READABLE.len())] as char)
                .collect()
        })
        .collect();
    Secret(groups.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pw_2_start_passwords_are_readable_and_random() {
        let a = readable_password();
        let b = readable_password();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 14);
        assert!(!a.expose().contains(['0', 'O', '1', 'l', 'I']));
        assert_eq!(format!("{a:?}"), "Secret(***)", "PW-3: never printed");
    }
}
