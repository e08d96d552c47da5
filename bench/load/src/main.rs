//! Runs one simulated user per account for a fixed time and prints, as JSON, the requests per
//! second and the p50/p95/p99 latency and error count of each kind of request.
//!
//! Usage: schulhof-load <base url> <accounts.json> <seconds>
//! accounts.json: [{"login": "...", "password": "...", "kind": "pupil|parent|teacher", "peer": "login@domain"}]
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

type Samples = Arc<Mutex<BTreeMap<&'static str, (Vec<f64>, u64)>>>;

/// What a kind of user does, with weights: pupils browse and read, parents (on their child's
/// account, on a phone) read mail and the calendar, teachers also write and upload.
fn weights(kind: &str) -> &'static [(&'static str, u32)] {
    match kind {
        "teacher" => &[
            ("mail list", 25),
            ("mail read", 15),
            ("mail send", 10),
            ("files list", 20),
            ("file download", 10),
            ("file upload", 5),
            ("calendar", 15),
        ],
        "parent" => &[
            ("mail list", 35),
            ("mail read", 25),
            ("mail send", 2),
            ("files list", 10),
            ("file download", 5),
            ("calendar", 23),
        ],
        _ => &[
            ("mail list", 30),
            ("mail read", 20),
            ("mail send", 3),
            ("files list", 20),
            ("file download", 10),
            ("file upload", 2),
            ("calendar", 15),
        ],
    }
}

fn pick(kind: &str) -> &'static str {
    let table = weights(kind);
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = fastrand::u32(0..total);
    for (name, w) in table {
        if roll < *w {
            return name;
        }
        roll -= w;
    }
    table[0].0
}

struct User {
    client: reqwest::Client,
    base: String,
    account: Value,
    mail: Vec<i64>,
    files: Vec<i64>,
}

impl User {
    fn form(&self, endpoint: &str, form: &[(&str, String)]) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Accept", "application/json")
            .form(form)
    }

    /// One action; Ok(true) when the server answered with success.
    async fn act(&mut self, action: &str) -> Result<bool, reqwest::Error> {
        let res = match action {
            "mail list" => {
                let res = self
                    .form(
                        "mail/box",
                        &[("box_code", "inbox".into()), ("query", String::new()), ("before", "0".into())],
                    )
                    .send()
                    .await?;
                let ok = res.status().is_success();
                let page: Value = res.json().await.unwrap_or_default();
                if let Some(items) = page["items"].as_array() {
                    self.mail = items.iter().filter_map(|i| i["item_id"].as_i64()).collect();
                }
                return Ok(ok);
            }
            "mail read" => match self.mail.first().copied() {
                Some(item) => self.form("mail/message", &[("item", item.to_string())]).send().await?,
                None => return Box::pin(self.act("mail list")).await,
            },
            "mail send" => {
                let to = self.account["peer"].as_str().unwrap_or_default().to_string();
                self.form(
                    "mail/send",
                    &[
                        ("draft", "0".into()),
                        ("forward", "0".into()),
                        ("to", to),
                        ("subject", "Hausaufgaben".into()),
                        ("body", "Hallo, bis morgen!".into()),
                        ("format", "typed".into()),
                    ],
                )
                .send()
                .await?
            }
            "files list" => {
                let res = self
                    .form(
                        "files/list",
                        &[("space", "me".into()), ("folder", "0".into()), ("page", "1".into())],
                    )
                    .send()
                    .await?;
                let ok = res.status().is_success();
                let view: Value = res.json().await.unwrap_or_default();
                if let Some(entries) = view["entries"].as_array() {
                    self.files = entries
                        .iter()
                        .filter(|e| e["is_folder"] == json!(false))
                        .filter_map(|e| e["id"].as_i64())
                        .collect();
                }
                return Ok(ok);
            }
            "file download" => match self.files.first().copied() {
                Some(id) => {
                    let res = self
                        .client
                        .get(format!("{}/files/download/{id}", self.base))
                        .send()
                        .await?;
                    let ok = res.status().is_success();
                    res.bytes().await?;
                    return Ok(ok);
                }
                None => return Box::pin(self.act("files list")).await,
            },
            "file upload" => {
                let bytes: Vec<u8> = (0..fastrand::usize(10_000..100_000)).map(|_| fastrand::u8(..)).collect();
                let name = format!("Blatt-{}.bin", fastrand::u64(..));
                let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
                self.client
                    .post(format!("{}/files/upload?space=me&folder=0", self.base))
                    .header("Accept", "application/json")
                    .multipart(reqwest::multipart::Form::new().part("file", part))
                    .send()
                    .await?
            }
            _ => {
                let res = self.client.get(format!("{}/calendar", self.base)).send().await?;
                let ok = res.status().is_success();
                res.bytes().await?;
                return Ok(ok);
            }
        };
        let ok = res.status().is_success();
        res.bytes().await?;
        Ok(ok)
    }
}

fn record(samples: &Samples, kind: &'static str, elapsed: Duration, ok: bool) {
    let mut all = samples.lock().unwrap();
    let entry = all.entry(kind).or_default();
    entry.0.push(elapsed.as_secs_f64() * 1000.0);
    if !ok {
        entry.1 += 1;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, accounts, seconds) = (&args[1], &args[2], args[3].parse::<u64>().unwrap());
    let accounts: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(accounts).unwrap()).unwrap();
    let samples: Samples = Arc::default();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for account in accounts {
        let samples = samples.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(reqwest::header::HeaderMap::from_iter([(
                    reqwest::header::ORIGIN,
                    base.parse().unwrap(),
                )]))
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut user = User { client, base, account, mail: Vec::new(), files: Vec::new() };
            // People do not all arrive in the same millisecond: within the first 5 seconds.
            tokio::time::sleep(Duration::from_millis(fastrand::u64(0..5000))).await;
            let t = Instant::now();
            let login = user
                .form(
                    "auth/login",
                    &[
                        ("login", user.account["login"].as_str().unwrap().to_string()),
                        ("password", user.account["password"].as_str().unwrap().to_string()),
                    ],
                )
                .send()
                .await;
            let ok = login.as_ref().is_ok_and(|r| r.status().is_success());
            record(&samples, "login", t.elapsed(), ok);
            if !ok {
                return;
            }
            let kind = user.account["kind"].as_str().unwrap_or("pupil").to_string();
            while Instant::now() < deadline {
                let action = pick(&kind);
                let t = Instant::now();
                let ok = user.act(action).await.unwrap_or(false);
                record(&samples, action, t.elapsed(), ok);
                // Reading and typing between clicks: 0.2 to 2 seconds.
                tokio::time::sleep(Duration::from_millis(fastrand::u64(200..2000))).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut report = serde_json::Map::new();
    let mut total = 0usize;
    for (kind, (mut ms, errors)) in samples.lock().unwrap().clone() {
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        total += ms.len();
        report.insert(
            kind.to_string(),
            json!({"count": ms.len(), "errors": errors, "p50": at(0.5), "p95": at(0.95), "p99": at(0.99)}),
        );
    }
    println!(
        "{}",
        json!({"seconds": elapsed, "requests": total, "rps": total as f64 / elapsed, "kinds": report})
    );
}
