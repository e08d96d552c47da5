//! FILE-1 on an S3-compatible store: the same upload, ranged download, trash and collection as
//! on the local folder, against `s3s-fs` (an S3 server over a folder, installed by
//! `scripts/setup`), so that the multipart, ranged-get, list and delete calls are proven.
use std::process::{Child, Command, Stdio};

use app::auth::Role;
use reqwest::{StatusCode, header};

use crate::common::TestServer;

pub struct S3Server {
    child: Child,
    root: crate::common::tempdir::TempDir,
    pub port: u16,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let local = format!("{home}/.cargo/bin/s3s-fs");
    if std::path::Path::new(&local).exists() {
        local
    } else {
        "s3s-fs".into()
    }
}

pub async fn start_s3() -> S3Server {
    let root = crate::common::tempdir::TempDir::new();
    std::fs::create_dir_all(root.0.join("schulhof")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(s3s_fs())
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", "schulhof", "--secret-key", "geheimgeheim"])
        .arg(&root.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("s3s-fs is installed by scripts/setup");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    S3Server { child, root, port }
}

fn stored(s3: &S3Server) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&s3.root.0.join("schulhof").join("b"), &mut out);
    out
}

// FILE-1, FILE-2: files round-trip through an S3-compatible store, with ranges, the trash and
// the collector; the refusal of an oversized upload stores nothing there either.
#[tokio::test]
async fn file_1_files_live_in_an_s3_compatible_store() {
    let s3 = start_s3().await;
    let store = format!(
        "s3://schulhof:geheimgeheim@schulhof?endpoint=http://127.0.0.1:{}&region=us-east-1&allow_http=true",
        s3.port
    );
    let s = TestServer::start_with(&[("SCHULHOF_STORE", &store)]).await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, pupil) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;

    let bytes: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    let res = pupil.upload("me", 0, "Film.mp4", bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let id = body["ids"][0].as_i64().unwrap();
    assert_eq!(stored(&s3).len(), 1, "the blob is in the bucket");
    assert!(
        !s.data_dir.0.join("files").join("b").exists(),
        "and not on the local disk"
    );

    let res = pupil.get(&format!("/files/download/{id}")).await;
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    let res = pupil
        .client
        .get(format!("{}/files/download/{id}", pupil.base))
        .header(header::RANGE, "bytes=1000-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes[1000..2000]);

    let res = pupil
        .upload("me", 0, "Riesig.mp4", vec![0; 21 * 1024 * 1024])
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(stored(&s3).len(), 1);

    let id = id.to_string();
    assert_eq!(
        pupil.call("files/delete", &[("id", &id)]).await.status(),
        StatusCode::OK
    );
    let res = pupil
        .call("files/empty-trash", &[("space", "me"), ("id", "0")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        stored(&s3).is_empty(),
        "emptying the trash deletes the object"
    );

    // An object without a row, older than an hour, is collected.
    let orphan = s3.root.0.join("schulhof/b/ff/orphan");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"half").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&orphan)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let (_, collected) = app::files::collect(&s.state).await.unwrap();
    assert_eq!(collected, 1);
    assert!(!orphan.exists());
}
