//! Hashes 200 passwords the way Schulhof's sign-in does (argon2id, 19 MiB, 2 passes, 1 lane,
//! on tokio's blocking pool, as many at once as there are cores), then prints the resident
//! memory in kB. `reuse` hashes into one buffer per slot instead of a fresh one per hash.
use std::sync::{Arc, Mutex};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

const SIGN_INS: usize = 200;
/// How many sign-ins arrive together (a class signing in at once).
const CONCURRENT: usize = 8;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, Some(32)).expect("valid parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn resident_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let reuse = std::env::args().nth(1).as_deref() == Some("reuse");
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let slots = Arc::new(Semaphore::new(cores));
    let blocks = argon2().params().block_count();
    let buffers: Arc<Mutex<Vec<Vec<Block>>>> = Arc::new(Mutex::new(
        (0..if reuse { cores } else { 0 })
            .map(|_| vec![Block::default(); blocks])
            .collect(),
    ));
    for round in 0..SIGN_INS / CONCURRENT {
        let mut tasks = Vec::new();
        for i in 0..CONCURRENT {
            let (slots, buffers) = (slots.clone(), buffers.clone());
            tasks.push(tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.expect("open semaphore");
                tokio::task::spawn_blocking(move || {
                    let password = format!("Passwort-{round}-{i}");
                    let mut out = [0u8; 32];
                    if reuse {
                        let mut buffer = buffers.lock().expect("lock").pop().expect("a buffer per slot");
                        argon2()
                            .hash_password_into_with_memory(password.as_bytes(), b"saltsaltsalt", &mut out, &mut buffer)
                            .expect("hash");
                        buffers.lock().expect("lock").push(buffer);
                    } else {
                        argon2()
                            .hash_password_into(password.as_bytes(), b"saltsaltsalt", &mut out)
                            .expect("hash");
                    }
                    out
                })
                .await
                .expect("hashing thread")
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
    }
    println!("{}", resident_kb());
}
