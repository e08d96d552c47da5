//! FILE-1..4, FLT-3, ADM-1: folders, the 20 MB rule, quotas, blocked programs and the export,
//! over real HTTP on the backend under test.
//!
//! Long on purpose: one file per feature, as in `app/src/`; each test is one story.
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use app::auth::Role;
use app::files::{
    BlockedTypes, CopyEntry, CreateFolder, DeleteEntry, EmptyTrash, FolderView, GrantException,
    ListFolder, ListTrash, MoveEntry, RenameEntry, RestoreEntry, SetBlockedTypes, SetQuota,
    TrashView,
};
use app::groups::SetMemberFiles;
use app::schools::{SchoolSettings, SetSchoolSettings};
use reqwest::{StatusCode, header};

use crate::common::{Browser, TestServer, signed_in_at, spawn_binary};

const MB: usize = 1024 * 1024;

async fn list(b: &Browser, space: &str, folder: i64) -> FolderView {
    b.send(ListFolder {
        space: space.into(),
        folder,
        page: 0,
    })
    .ok()
    .await
}

fn names(view: &FolderView) -> Vec<String> {
    view.entries.iter().map(|e| e.name.clone()).collect()
}

async fn uploaded(res: reqwest::Response) -> i64 {
    assert_eq!(res.status(), StatusCode::OK, "upload refused");
    let body: serde_json::Value = res.json().await.unwrap();
    body["ids"][0].as_i64().unwrap()
}

async fn error_key(res: reqwest::Response) -> String {
    let body: serde_json::Value = res.json().await.unwrap();
    body["message"].as_str().unwrap_or_default().to_string()
}

/// Empties one item of the trash, or all of it with `id` 0.
fn empty_trash(space: &str, id: i64) -> EmptyTrash {
    EmptyTrash {
        space: space.into(),
        id,
    }
}

async fn folder(b: &Browser, space: &str, parent: i64, name: &str) -> i64 {
    b.send(new_folder(space, parent, name)).ok().await
}

fn new_folder(space: &str, parent: i64, name: &str) -> CreateFolder {
    CreateFolder {
        space: space.into(),
        folder: parent,
        name: name.into(),
    }
}

/// Every blob file in the store, wherever it lies.
pub(crate) fn blob_files(s: &TestServer) -> Vec<std::path::PathBuf> {
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
    walk(&s.data_dir.0.join("files"), &mut out);
    out
}

async fn pupil_school(s: &TestServer) -> (i64, i64, Browser) {
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (id, b) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    (school, id, b)
}

// FILE-1: upload, list, download, rename, move, copy, trash and restore in one's own folder.
#[tokio::test]
async fn file_1_personal_folder_round_trip() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let worksheet = b"Rechnen bis 100\n".to_vec();
    let id = uploaded(pupil.upload("me", 0, "Mathe.txt", worksheet.clone()).await).await;
    let maths = folder(&pupil, "me", 0, "Schule").await;
    let view = list(&pupil, "me", 0).await;
    assert_eq!(names(&view), ["Schule", "Mathe.txt"], "folders first");
    assert_eq!(view.entries[1].size, worksheet.len() as i64);
    assert_eq!(view.allowance.used, worksheet.len() as i64);
    assert_eq!(
        view.allowance.quota,
        500 * MB as i64,
        "FILE-4: pupils get 500 MB"
    );

    let res = pupil.get(&format!("/files/download/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), worksheet);

    pupil
        .send(RenameEntry {
            id,
            name: "Plus.txt".into(),
        })
        .expect(StatusCode::OK)
        .await;
    pupil
        .send(MoveEntry { id, target: maths })
        .expect(StatusCode::OK)
        .await;
    assert_eq!(names(&list(&pupil, "me", maths).await), ["Plus.txt"]);
    pupil
        .send(CopyEntry { id, target: maths })
        .expect(StatusCode::OK)
        .await;
    assert_eq!(
        names(&list(&pupil, "me", maths).await),
        ["Plus (Kopie).txt", "Plus.txt"]
    );

    pupil
        .send(DeleteEntry { id: maths })
        .expect(StatusCode::OK)
        .await;
    assert_eq!(names(&list(&pupil, "me", 0).await), Vec::<String>::new());
    let gone = pupil.get(&format!("/files/download/{id}")).await;
    assert_eq!(
        gone.status(),
        StatusCode::NOT_FOUND,
        "a file in a trashed folder is not served"
    );
    let trash: TrashView = pupil.send(ListTrash { space: "me".into() }).ok().await;
    assert_eq!(trash.entries.len(), 1);
    pupil
        .send(RestoreEntry { id: maths })
        .expect(StatusCode::OK)
        .await;
    assert_eq!(names(&list(&pupil, "me", maths).await).len(), 2);
    assert_eq!(
        pupil.get(&format!("/files/download/{id}")).await.status(),
        StatusCode::OK
    );
}

// FILE-1: siblings never share a name (case-insensitively), and odd names are refused.
#[tokio::test]
async fn file_1_names_are_checked_and_never_become_paths() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    for bad in [
        "..",
        ".",
        "a/b",
        "a\\b",
        "nul\0byte",
        "foto\u{202e}gpj.exe",
        &"x".repeat(300),
    ] {
        pupil
            .send(new_folder("me", 0, bad))
            .expect(StatusCode::BAD_REQUEST)
            .await;
        let res = pupil.upload("me", 0, bad, b"x".to_vec()).await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "upload named {bad:?} must be refused"
        );
    }
    let res = pupil
        .upload("me", 0, "../../../etc/passwd", b"x".to_vec())
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    uploaded(
        pupil
            .upload("me", 0, "🦊 Fuchs.png", b"\x89PNG\r\n".to_vec())
            .await,
    )
    .await;
    uploaded(
        pupil
            .upload("me", 0, "Mu\u{308}ll.txt", b"a".to_vec())
            .await,
    )
    .await;
    let res = pupil.upload("me", 0, "M\u{fc}LL.TXT", b"b".to_vec()).await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "NFC and case make these the same name"
    );
    assert_eq!(
        names(&list(&pupil, "me", 0).await),
        ["M\u{fc}ll.txt", "🦊 Fuchs.png"]
    );
    // The stored objects are named by the server; no user-supplied name appears on disk.
    for path in blob_files(&s) {
        let text = path.display().to_string();
        assert!(
            !text.contains("Fuchs") && !text.contains("ll.txt"),
            "{text}"
        );
    }
    assert_eq!(
        s.count("file_nodes").await,
        2,
        "nothing half-written by the refusals"
    );
}

// FILE-1: a folder cannot be moved into itself or below itself.
#[tokio::test]
async fn file_1_moving_a_folder_into_itself_is_refused() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let outer = folder(&pupil, "me", 0, "Außen").await;
    let inner = folder(&pupil, "me", outer, "Innen").await;
    for target in [outer, inner] {
        pupil
            .send(MoveEntry { id: outer, target })
            .expect(StatusCode::BAD_REQUEST)
            .await;
    }
    assert_eq!(names(&list(&pupil, "me", 0).await), ["Außen"]);
}

// FILE-1: two uploads of the same name at once: one wins, the other is told, no orphan stays.
#[tokio::test]
async fn file_1_two_uploads_of_the_same_name_at_once() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let (a, b) = tokio::join!(
        pupil.upload("me", 0, "Foto.jpg", vec![1; 300_000]),
        pupil.upload("me", 0, "foto.JPG", vec![2; 300_000]),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(s.count("file_nodes").await, 1);
    assert_eq!(blob_files(&s).len(), 1, "the loser's blob is removed");
}

// FILE-2: a declared length over the limit is refused before the body is read.
#[tokio::test]
async fn file_2_declared_length_over_the_limit_is_refused_at_once() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let res = pupil.upload("me", 0, "Film.mp4", vec![0; 21 * MB]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_key(res).await, "FilesTooLarge");
    assert_eq!(s.count("file_nodes").await, 0);
    assert!(blob_files(&s).is_empty(), "no bytes stored");
    assert_eq!(
        s.count("audit_events WHERE action = 'file.transfer_refused'")
            .await,
        1
    );
    // Just under the limit passes.
    uploaded(pupil.upload("me", 0, "Klein.mp4", vec![0; 19 * MB]).await).await;
}

/// A body of unknown length that counts how much of it the server pulled.
fn endless(pulled: Arc<AtomicUsize>) -> reqwest::Body {
    let chunk = bytes::Bytes::from(vec![7u8; 64 * 1024]);
    let stream = futures::stream::unfold(0usize, move |sent| {
        let chunk = chunk.clone();
        let pulled = pulled.clone();
        async move {
            // A safety stop far beyond any limit, so a broken server cannot hang the test.
            (sent < 200 * MB).then(|| {
                pulled.fetch_add(chunk.len(), Ordering::SeqCst);
                (Ok::<_, std::io::Error>(chunk), sent + 64 * 1024)
            })
        }
    });
    reqwest::Body::wrap_stream(stream)
}

// FILE-2: without a declared length, the server counts while streaming and stops at the limit:
// it reads no more than the limit plus what the connection buffers.
#[tokio::test]
async fn file_2_undeclared_length_is_cut_off_at_the_limit() {
    let s = TestServer::start().await;
    let (school, _, pupil) = pupil_school(&s).await;
    s.sql(&format!(
        "UPDATE schools SET transfer_limit_bytes = {} WHERE id = {school}",
        2 * MB
    ))
    .await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let part = reqwest::multipart::Part::stream(endless(pulled.clone())).file_name("endlos.bin");
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = pupil
        .client
        .post(format!("{}/files/upload?space=me&folder=0", pupil.base))
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await;
    let sent = pulled.load(Ordering::SeqCst);
    // Loopback sockets buffer a few megabytes between the two ends; that is the "one buffer".
    assert!(
        sent <= 2 * MB + 16 * MB,
        "the client could send {sent} bytes"
    );
    if let Ok(res) = res {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert!(sent < 200 * MB, "the server stopped reading");
    assert_eq!(s.count("file_nodes").await, 0);
    // The aborted temporary file is gone too.
    assert!(blob_files(&s).is_empty(), "{:?}", blob_files(&s));
}

// FILE-2: an administrator's exception raises one person's limit, is shown, and ends by itself.
#[tokio::test]
async fn file_2_exceptions_are_granted_shown_logged_and_expire() {
    let s = TestServer::start().await;
    let (school, pupil_id, pupil) = pupil_school(&s).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    s.sql(&format!(
        "UPDATE schools SET transfer_limit_bytes = {} WHERE id = {school}",
        MB
    ))
    .await;
    let big = vec![5u8; 3 * MB / 2];
    let res = pupil.upload("me", 0, "Video.mp4", big.clone()).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let exception = |until: &str| GrantException {
        user_id: pupil_id,
        limit_mb: 2,
        reason: "Film-AG".into(),
        until: until.into(),
    };
    admin
        .send(exception("2099-06-30"))
        .expect(StatusCode::OK)
        .await;
    assert_eq!(
        s.count("audit_events WHERE action = 'file.exception_granted'")
            .await,
        1
    );
    let view = list(&pupil, "me", 0).await;
    assert_eq!(view.allowance.transfer_limit, 2 * MB as i64);
    let page = pupil.page("/files").await;
    assert!(
        page.contains("Ausnahme") && page.contains("30.06.2099"),
        "the person sees it"
    );
    let id = uploaded(pupil.upload("me", 0, "Video.mp4", big).await).await;

    // A date in the past is refused; an exception whose day has passed no longer counts.
    admin
        .send(exception("2001-01-01"))
        .expect(StatusCode::BAD_REQUEST)
        .await;
    s.sql("UPDATE transfer_exceptions SET ends_at = 1000").await;
    assert_eq!(
        list(&pupil, "me", 0).await.allowance.transfer_limit,
        MB as i64
    );
    let res = pupil.get(&format!("/files/download/{id}")).await;
    assert_eq!(
        res.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "FILE-2 applies to downloads too"
    );
}

// FILE-4: an upload that would overfill the quota is refused before it is read.
#[tokio::test]
async fn file_4_quota_per_person() {
    let s = TestServer::start().await;
    let (school, pupil_id, pupil) = pupil_school(&s).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    admin
        .send(SetQuota {
            user_id: pupil_id,
            quota_mb: "1".into(),
        })
        .ok::<()>()
        .await;
    uploaded(pupil.upload("me", 0, "eins.bin", vec![1; 600 * 1024]).await).await;
    let res = pupil.upload("me", 0, "zwei.bin", vec![2; 600 * 1024]).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_key(res).await, "FilesQuotaFull");
    let view = list(&pupil, "me", 0).await;
    assert_eq!(
        (view.allowance.used, view.allowance.quota),
        (600 * 1024, MB as i64)
    );
    assert_eq!(s.count("file_nodes").await, 1);
    // Emptying the trash frees the space.
    let id = view.entries[0].id;
    pupil.send(DeleteEntry { id }).ok::<()>().await;
    pupil.send(empty_trash("me", 0)).ok::<()>().await;
    assert!(
        blob_files(&s).is_empty(),
        "emptying the trash deletes the bytes"
    );
    uploaded(pupil.upload("me", 0, "zwei.bin", vec![2; 600 * 1024]).await).await;
}

// FLT-3: programs are refused by name and by content, refusals are filter events, and
// administrators edit the list (logged).
#[tokio::test]
async fn flt_3_renamed_programs_are_caught_and_logged() {
    let s = TestServer::start().await;
    let (school, _, pupil) = pupil_school(&s).await;
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.resize(20_000, 0);
    for (name, bytes) in [
        ("spiel.exe", b"harmless?".to_vec()),
        ("Spiel.EXE", b"x".to_vec()),
        ("katze.png", exe.clone()),
        ("lied.mp3", b"#!/bin/sh\necho hi".to_vec()),
        (
            "app.zip",
            b"PK\x03\x04\x14\x00\x00\x00AndroidManifest.xml".to_vec(),
        ),
    ] {
        let res = pupil.upload("me", 0, name, bytes).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(error_key(res).await, "FilesBlockedType");
    }
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.file_blocked'")
            .await,
        5
    );
    assert_eq!(s.count("file_nodes").await, 0);
    assert!(blob_files(&s).is_empty());

    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    admin
        .send(SetBlockedTypes {
            list: ".exe, MSI".into(),
        })
        .ok::<()>()
        .await;
    assert_eq!(
        s.count("audit_events WHERE action = 'file.blocklist_changed'")
            .await,
        1
    );
    let list: String = admin.send(BlockedTypes {}).ok().await;
    assert_eq!(list, "exe, msi");
    uploaded(
        pupil
            .upload("me", 0, "lied.sh", b"#!/bin/sh\n".to_vec())
            .await,
    )
    .await;
    let res = pupil.upload("me", 0, "katze.png", exe).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "still caught by content"
    );
    admin
        .send(SetBlockedTypes {
            list: "exe; <script>".into(),
        })
        .refused(StatusCode::BAD_REQUEST)
        .await;
}

// FILE-1, ADM-1: nobody reaches another person's files, another class's folder, or, as an
// administrator, anyone's files.
#[tokio::test]
async fn adm_1_files_are_private_to_their_space() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, lena) = s
        .ready_person(school, Role::Pupil, "Lena", Some("1a"))
        .await;
    let (_, tom) = s.ready_person(school, Role::Pupil, "Tom", Some("1b")).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let (teacher_id, teacher) = s.ready_person(school, Role::Teacher, "Frau", None).await;
    let class_1a = s.scalar("SELECT id FROM groups WHERE name = '1a'").await;
    s.sql(&format!("INSERT INTO group_members (group_id, user_id, is_owner) VALUES ({class_1a}, {teacher_id}, TRUE)")).await;

    let diary = uploaded(
        lena.upload("me", 0, "Tagebuch.txt", b"geheim".to_vec())
            .await,
    )
    .await;
    let sheet = uploaded(
        teacher
            .upload(
                &format!("g{class_1a}"),
                0,
                "Arbeitsblatt.pdf",
                b"%PDF-1.4".to_vec(),
            )
            .await,
    )
    .await;

    for stranger in [&tom, &admin, &teacher] {
        assert_eq!(
            stranger
                .get(&format!("/files/download/{diary}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let rename = RenameEntry {
            id: diary,
            name: "x".into(),
        };
        stranger.send(rename).refused(StatusCode::NOT_FOUND).await;
        stranger
            .send(DeleteEntry { id: diary })
            .refused(StatusCode::NOT_FOUND)
            .await;
    }
    // Lena is in 1a and reads its folder; Tom (1b) and the administrator do not see it.
    let res = lena.get(&format!("/files/download/{sheet}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        list(&lena, &format!("g{class_1a}"), 0).await.entries[0]
            .author
            .as_deref(),
        Some("Frau Muster")
    );
    for outsider in [&tom, &admin] {
        assert_eq!(
            outsider
                .get(&format!("/files/download/{sheet}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        outsider
            .send(ListFolder {
                space: format!("g{class_1a}"),
                folder: 0,
                page: 0,
            })
            .refused(StatusCode::NOT_FOUND)
            .await;
        let res = outsider
            .upload(&format!("g{class_1a}"), 0, "fremd.txt", b"x".to_vec())
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    // Members write unless the group says otherwise; owners always write.
    uploaded(
        lena.upload(&format!("g{class_1a}"), 0, "Bild.png", b"\x89PNG".to_vec())
            .await,
    )
    .await;
    admin
        .send(SetMemberFiles {
            group_id: class_1a,
            rights: "read".into(),
        })
        .ok::<()>()
        .await;
    assert_eq!(
        s.count("audit_events WHERE action = 'group.member_files'")
            .await,
        1
    );
    let res = lena
        .upload(&format!("g{class_1a}"), 0, "Noch.png", b"\x89PNG".to_vec())
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_key(res).await, "FilesReadOnly");
    uploaded(
        teacher
            .upload(&format!("g{class_1a}"), 0, "Lösungen.pdf", b"%PDF".to_vec())
            .await,
    )
    .await;
}

// FILE-1: ranges for media, safe names, and active content only ever as a download.
#[tokio::test]
async fn file_1_downloads_are_ranged_and_never_run_as_our_page() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let id = uploaded(
        pupil
            .upload("me", 0, "Seite.html", b"<script>alert(1)</script>".to_vec())
            .await,
    )
    .await;
    let res = pupil.get(&format!("/files/download/{id}?inline=1")).await;
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");

    let song: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let id = uploaded(pupil.upload("me", 0, "Lied.mp3", song.clone()).await).await;
    let res = pupil
        .client
        .get(pupil.base.clone() + &format!("/files/download/{id}"))
        .header(header::RANGE, "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(res.headers()[header::CONTENT_RANGE], "bytes 100-199/10000");
    assert_eq!(res.bytes().await.unwrap().to_vec(), song[100..200]);
    let res = pupil
        .client
        .get(pupil.base.clone() + &format!("/files/download/{id}"))
        .header(header::RANGE, "bytes=20000-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let id = uploaded(
        pupil
            .upload("me", 0, "Foto.png", b"\x89PNG\r\n".to_vec())
            .await,
    )
    .await;
    let res = pupil.get(&format!("/files/download/{id}?inline=1")).await;
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_string(), content)
        })
        .collect()
}

// FILE-3: "download all my data" streams one ZIP with a README, and every export is logged.
// FILE-2: a folder downloaded as an archive counts its total against the limit.
#[tokio::test]
async fn file_3_export_and_folder_archives() {
    let s = TestServer::start().await;
    let (school, _, pupil) = pupil_school(&s).await;
    let homework = folder(&pupil, "me", 0, "Hausaufgaben").await;
    uploaded(
        pupil
            .upload("me", homework, "Lesen.txt", b"Seite 12".to_vec())
            .await,
    )
    .await;
    uploaded(pupil.upload("me", 0, "Bild.png", b"\x89PNG".to_vec()).await).await;
    let res = pupil.get("/account/export.zip").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    let entries = unzip(&res.bytes().await.unwrap());
    // The other modules' parts (mail, address book, calendars) are tested with them.
    let names: Vec<&str> = entries
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !n.starts_with("Adressbuch/") && !n.starts_with("Kalender/"))
        .collect();
    assert_eq!(
        names,
        [
            "README.txt",
            "Dateien/Bild.png",
            "Dateien/Hausaufgaben/Lesen.txt"
        ]
    );
    assert!(String::from_utf8_lossy(&entries[0].1).contains("2 Dateien"));
    assert_eq!(entries[2].1, b"Seite 12");
    assert_eq!(
        s.count("audit_events WHERE action = 'account.exported'")
            .await,
        1
    );

    let res = pupil
        .get(&format!("/files/archive?space=me&folder={homework}"))
        .await;
    let entries = unzip(&res.bytes().await.unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, "Lesen.txt");
    s.sql(&format!(
        "UPDATE schools SET transfer_limit_bytes = 10 WHERE id = {school}"
    ))
    .await;
    let res = pupil.get("/files/archive?space=me&folder=0").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb([30, 120, 200]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn thumbnails(s: &TestServer) -> usize {
    blob_files(s)
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".thumb"))
        .count()
}

// Issue 18 §5: pictures show as thumbnails, made on the server within limits, kept beside
// their file, counted against nobody's quota, shown only to who may see the file, and
// deleted with it.
#[tokio::test]
async fn ux_5_pictures_get_thumbnails_that_go_with_them() {
    use app::files::thumbnail::{EDGE, MAX_SOURCE_EDGE};
    let s = TestServer::start().await;
    let (school, _, pupil) = pupil_school(&s).await;
    let photo = png(800, 600);
    let id = uploaded(pupil.upload("me", 0, "Hund.png", photo.clone()).await).await;
    let page = pupil.page("/files").await;
    assert!(
        page.contains(&format!("src=\"/files/thumb/{id}?v=")),
        "{page}"
    );

    let mut made = Vec::new();
    for _ in 0..2 {
        let res = pupil.get(&format!("/files/thumb/{id}?v=1")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        made.push(res.bytes().await.unwrap());
    }
    assert_eq!(made[0], made[1], "made once, then served as kept");
    let small = image::load_from_memory(&made[0]).unwrap();
    assert_eq!((small.width(), small.height()), (EDGE, EDGE * 3 / 4));
    assert!(
        made[0].len() < 20_000,
        "a thumbnail is small: {}",
        made[0].len()
    );
    assert_eq!(thumbnails(&s), 1, "kept beside its file");
    let view = list(&pupil, "me", 0).await;
    assert_eq!(
        view.allowance.used,
        photo.len() as i64,
        "counted against nobody's quota"
    );

    // What cannot be shown small gets the picture icon, never an error page in the list.
    let broken = uploaded(
        pupil
            .upload("me", 0, "kaputt.jpg", b"kein Bild".to_vec())
            .await,
    )
    .await;
    let wide = png(MAX_SOURCE_EDGE + 1, 1);
    let bomb = uploaded(pupil.upload("me", 0, "breit.png", wide).await).await;
    for picture in [broken, bomb] {
        let res = pupil.get(&format!("/files/thumb/{picture}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/svg+xml");
    }
    let text = uploaded(pupil.upload("me", 0, "Notiz.txt", b"Hallo".to_vec()).await).await;
    assert_eq!(
        pupil.get(&format!("/files/thumb/{text}")).await.status(),
        StatusCode::NOT_FOUND,
        "no thumbnails of what is no picture"
    );

    // Nobody else sees another's picture, small or not.
    let (_, other) = s.ready_person(school, Role::Pupil, "Ole", Some("2b")).await;
    assert_eq!(
        other.get(&format!("/files/thumb/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    // Deleted for good, the thumbnail goes with its file.
    pupil.send(DeleteEntry { id }).ok::<()>().await;
    pupil.send(empty_trash("me", 0)).ok::<()>().await;
    assert_eq!(thumbnails(&s), 0);
}

// FILE-1: the trash is purged after its age, and blobs without a row are collected.
#[tokio::test]
async fn file_1_old_trash_is_purged_and_orphans_collected() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let old = uploaded(pupil.upload("me", 0, "alt.txt", b"alt".to_vec()).await).await;
    let fresh = uploaded(pupil.upload("me", 0, "neu.txt", b"neu".to_vec()).await).await;
    for id in [old, fresh] {
        pupil.send(DeleteEntry { id }).ok::<()>().await;
    }
    s.sql(&format!(
        "UPDATE file_nodes SET trashed_at = trashed_at - 31 * 86400 WHERE id = {old}"
    ))
    .await;
    // A blob left behind by a crash between writing the blob and committing its row.
    let orphan = s.data_dir.0.join("files/b/ff/orphan");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"half").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&orphan)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    for blob in blob_files(&s) {
        std::fs::File::options()
            .write(true)
            .open(&blob)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
    }
    let (purged, collected) = app::files::collect(&s.state).await.unwrap();
    assert_eq!(purged, 1, "only the item older than 30 days");
    assert_eq!(collected, 2, "its blob and the orphan");
    assert_eq!(s.count("file_nodes").await, 1);
    assert!(!orphan.exists());
    assert_eq!(blob_files(&s).len(), 1, "the fresh item's blob stays");
}

// FILE-1: a folder with 10,000 entries is served a page at a time.
#[tokio::test]
async fn file_1_large_folders_are_paged() {
    let s = TestServer::start().await;
    let (school, pupil_id, pupil) = pupil_school(&s).await;
    s.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO file_nodes (school_id, owner_user_id, is_folder, name, name_key, size, created_at, updated_at)
         SELECT {school}, {pupil_id}, FALSE, 'Blatt ' || i, 'blatt ' || i, 0, 0, 0 FROM n"
    ))
    .await;
    let view: FolderView = pupil
        .send(ListFolder {
            space: "me".into(),
            folder: 0,
            page: 99,
        })
        .ok()
        .await;
    assert_eq!(view.total, 10_000);
    assert_eq!(view.entries.len(), 100);
    assert_eq!(view.page, 99);
    let page = pupil.page("/files?space=me&folder=0&page=3").await;
    assert_eq!(page.matches("data-testid=\"file-row\"").count(), 100);
    assert!(page.contains("Seite 4 von 100"));
}

// FILE-1: the server killed (SIGKILL) in the middle of an upload leaves no half-file visible to
// anyone, loses no file it had acknowledged, and its leftovers are collected.
#[tokio::test]
async fn file_1_a_killed_server_loses_nothing_committed() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, login) = s
        .person(
            school,
            Role::Pupil,
            "Lena",
            "Muster",
            Some("2b"),
            Some(crate::common::SIGNED_IN_PASSWORD),
        )
        .await;
    let (mut child, base) = spawn_binary(&s, &[]);
    let b = signed_in_at(&base, &base, &login).await;
    let kept: Vec<u8> = (0..MB).map(|i| (i % 251) as u8).collect();
    let id = uploaded(b.upload("me", 0, "Sicher.bin", kept.clone()).await).await;

    let pulled = Arc::new(AtomicUsize::new(0));
    let part = reqwest::multipart::Part::stream(endless(pulled.clone())).file_name("Halb.bin");
    let form = reqwest::multipart::Form::new().part("file", part);
    let request = b
        .client
        .post(format!("{base}/files/upload?space=me&folder=0"))
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send();
    let killer = async {
        while pulled.load(Ordering::SeqCst) < 4 * MB {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
    };
    let (answer, ()) = tokio::join!(request, killer);
    assert!(answer.is_err(), "the connection died with the server");

    let (mut again, base) = spawn_binary(&s, &[]);
    let b = signed_in_at(&base, &base, &login).await;
    let view = list(&b, "me", 0).await;
    assert_eq!(
        names(&view),
        ["Sicher.bin"],
        "no half-written file is visible"
    );
    let res = b.get(&format!("/files/download/{id}")).await;
    assert_eq!(
        res.bytes().await.unwrap().to_vec(),
        kept,
        "the acknowledged file is whole"
    );
    again.kill().unwrap();
    again.wait().unwrap();

    // What the killed upload left is only ever in tmp/, and the collector removes it.
    let stored: Vec<_> = blob_files(&s)
        .into_iter()
        .filter(|p| !p.starts_with(s.data_dir.0.join("files/tmp")))
        .collect();
    assert_eq!(stored.len(), 1);
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for leftover in blob_files(&s) {
        if leftover.starts_with(s.data_dir.0.join("files/tmp")) {
            std::fs::File::options()
                .write(true)
                .open(&leftover)
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }
    }
    app::files::collect(&s.state).await.unwrap();
    assert_eq!(
        blob_files(&s),
        stored,
        "leftovers collected, the kept blob untouched"
    );
}

// FILE-1, UX: without script, a refused form comes back to its page with the reason shown.
#[tokio::test]
async fn file_1_plain_form_errors_are_shown_on_the_page() {
    let s = TestServer::start().await;
    let (_, _, pupil) = pupil_school(&s).await;
    let res = pupil
        .submit(
            "files/create-folder",
            "/files?space=me&folder=0",
            &[("space", "me"), ("folder", "0"), ("name", "a/b")],
        )
        .await;
    let back = crate::common::location(&res).replace(&pupil.base, "");
    assert!(
        back.starts_with("/files?space=me&folder=0") && back.contains("__err="),
        "{back}"
    );
    let page = pupil.page(&back).await;
    assert!(page.contains("data-testid=\"form-error\""));
    assert!(page.contains("Schrägstriche"), "the reason, in words");
}

// FILE-1, FILE-2, LIFE-3, LOG-3: each school sets its own limit and periods; bad values change
// nothing; the change is audited.
#[tokio::test]
async fn file_2_schools_set_their_own_limits_and_periods() {
    let s = TestServer::start().await;
    let (school, _, pupil) = pupil_school(&s).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let set = |transfer_limit_mb: i64, trash_days: i64| SetSchoolSettings {
        transfer_limit_mb,
        trash_days,
        deletion_grace_days: 14,
        audit_retention_days: 365,
    };
    admin
        .send(set(0, 10))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    admin.send(set(1, 10)).ok::<()>().await;
    let settings: serde_json::Value = admin.send(SchoolSettings {}).ok().await;
    assert_eq!(settings["trash_days"], 10);
    assert_eq!(settings["deletion_grace_days"], 14);
    assert_eq!(
        s.count("audit_events WHERE action = 'school.settings_changed'")
            .await,
        1
    );
    assert_eq!(
        list(&pupil, "me", 0).await.allowance.transfer_limit,
        MB as i64
    );
    let trash = pupil.page("/files/trash?space=me").await;
    assert!(trash.contains("10 Tage"));
    let page = admin.page("/admin/files").await;
    assert!(page.contains("Fristen und Grenzen"));
}

// SEC-6, FLT-3: a rename cannot turn a text file into a program: the blocked-type check runs
// on the new name, and the refusal is audited.
#[tokio::test]
async fn sec_6_rename_to_a_blocked_type_is_refused() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, pupil) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let up = pupil
        .upload("me", 0, "run.txt", b"echo hallo".to_vec())
        .await;
    assert_eq!(up.status(), StatusCode::OK);
    let id: i64 = s.scalar("SELECT MAX(id) FROM file_nodes").await;
    let before = s.count("file_nodes WHERE name = 'run.txt'").await;
    for name in ["run.bat", "run.EXE", "run.sh. "] {
        let rename = RenameEntry {
            id,
            name: name.into(),
        };
        pupil.send(rename).refused(StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(s.count("file_nodes WHERE name = 'run.txt'").await, before);
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.file_blocked'")
            .await,
        3
    );
}

// SEC-4, FILE-4: ten uploads at once that together exceed the quota: the check and the write
// are one step, so no more are stored than fit (on PostgreSQL too, where READ COMMITTED would
// let every check pass before any write).
#[tokio::test]
async fn sec_4_parallel_uploads_never_exceed_the_quota() {
    let s = TestServer::start().await;
    let (school, pupil_id, pupil) = pupil_school(&s).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    admin
        .send(SetQuota {
            user_id: pupil_id,
            quota_mb: "1".into(),
        })
        .ok::<()>()
        .await;
    let uploads = (0..10).map(|i| {
        let pupil = &pupil;
        async move {
            pupil
                .upload("me", 0, &format!("teil{i}.bin"), vec![i as u8; 300 * 1024])
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(uploads).await;
    let stored = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(stored, 3, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::PAYLOAD_TOO_LARGE)
    );
    assert!(
        s.scalar("SELECT CAST(SUM(size) AS BIGINT) FROM file_nodes")
            .await
            <= MB as i64
    );
}

/// What one pupil tries on one item of the class folder.
#[derive(Clone, Copy, Debug)]
enum ItemAct {
    Rename,
    Move,
    Delete,
}

// FILE-1, issue 18: in the class folder a pupil changes their own items; the teacher's and
// another pupil's only when the class's owner opened the folder for everyone. Every row's
// expected outcome comes from `rules::files::Standing`, the one table; the author of the item is
// the dimension the role matrix does not have.
#[tokio::test]
async fn file_1_class_folder_rights_follow_the_items_author() {
    use app::rules::files::{MemberRights, Standing};
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, lena) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    let (_, tom) = s.ready_person(school, Role::Pupil, "Tom", Some("2b")).await;
    let (teacher_id, teacher) = s.ready_person(school, Role::Teacher, "Frau", None).await;
    let (_, admin) = s
        .ready_person(school, Role::Secretariat, "Sekretariat", None)
        .await;
    let class = s.scalar("SELECT id FROM groups WHERE name = '2b'").await;
    s.sql(&format!(
        "INSERT INTO group_members (group_id, user_id, is_owner) VALUES ({class}, {teacher_id}, TRUE)"
    ))
    .await;
    let space = format!("g{class}");
    let set_rights = |b: &Browser, rights: MemberRights| {
        b.send(app::groups::SetMemberFiles {
            group_id: class,
            rights: rights.code().into(),
        })
    };
    // Migration 0013: a group that let members write now lets them change their own items.
    assert_eq!(
        list(&lena, &space, 0).await.standing,
        Standing::Member(MemberRights::DEFAULT)
    );
    let shelf = folder(&teacher, &space, 0, "Ablage").await;
    let authors = [("Lehrerin", &teacher), ("Tom", &tom), ("Lena", &lena)];
    let mut n = 0;
    for rights in MemberRights::ALL {
        // Everybody adds their items while members may add; then the owner's choice holds.
        assert_eq!(
            set_rights(&teacher, MemberRights::Own).await.status(),
            StatusCode::OK
        );
        let mut items = Vec::new();
        for act in [ItemAct::Rename, ItemAct::Move, ItemAct::Delete] {
            for (author, b) in authors {
                n += 1;
                let name = format!("{author}-{n}.txt");
                let id = uploaded(b.upload(&space, 0, &name, b"Bild".to_vec()).await).await;
                items.push((act, author, id));
            }
        }
        assert_eq!(set_rights(&teacher, rights).await.status(), StatusCode::OK);
        let standing = Standing::Member(rights);
        // The teacher's file that is renamed (when allowed) stays in the top folder.
        let teachers_file = items
            .iter()
            .find(|(act, author, _)| matches!(act, ItemAct::Rename) && *author == "Lehrerin")
            .unwrap()
            .2;
        for (act, author, id) in items {
            let res = match act {
                ItemAct::Rename => {
                    lena.send(RenameEntry {
                        id,
                        name: format!("neu-{id}.txt"),
                    })
                    .await
                }
                ItemAct::Move => lena.send(MoveEntry { id, target: shelf }).await,
                ItemAct::Delete => lena.send(DeleteEntry { id }).await,
            };
            let expected = standing.may_change(author == "Lena");
            let case = format!("{rights:?} {act:?} {author}");
            if expected {
                assert_eq!(res.status(), StatusCode::OK, "{case}");
            } else {
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{case}");
                let key = error_key(res).await;
                let want = if rights == MemberRights::Read {
                    "FilesReadOnly"
                } else {
                    "FilesNotYours"
                };
                assert_eq!(key, want, "{case}");
            }
        }
        // What the page offers agrees with what the server does.
        let view = list(&lena, &space, 0).await;
        assert_eq!(view.standing, standing);
        for entry in &view.entries {
            let own = entry.author.as_deref() == Some("Lena Muster");
            assert_eq!(entry.can_change, standing.may_change(own), "{}", entry.name);
        }
        // Adding follows the same table; a copy belongs to whoever makes it.
        let res = lena
            .send(CopyEntry {
                id: teachers_file,
                target: shelf,
            })
            .await;
        assert_eq!(
            res.status(),
            if standing.may_add() {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "{rights:?} copy"
        );
    }

    // A member may not delete a folder that holds another's item, even their own folder.
    set_rights(&teacher, MemberRights::Own).await;
    let lenas = folder(&lena, &space, 0, "Lenas Bilder").await;
    uploaded(
        tom.upload(&space, lenas, "Tom.png", b"\x89PNG".to_vec())
            .await,
    )
    .await;
    let refused = lena
        .send(DeleteEntry { id: lenas })
        .refused(StatusCode::FORBIDDEN)
        .await;
    assert_eq!(refused.message, app::i18n::Key::FilesFolderNotAllYours);

    // The trash says who deleted what; only the owner deletes for good, and restores.
    let drawing = uploaded(
        lena.upload(&space, 0, "Mein Bild.png", b"\x89PNG".to_vec())
            .await,
    )
    .await;
    lena.send(DeleteEntry { id: drawing }).ok::<()>().await;
    let trash: TrashView = teacher
        .send(ListTrash {
            space: space.clone(),
        })
        .ok()
        .await;
    let row = trash.entries.iter().find(|e| e.id == drawing).unwrap();
    assert_eq!(row.deleted_by.as_deref(), Some("Lena Muster"));
    assert!(row.trashed_at.is_some() && trash.may_purge);
    let pupils_trash: TrashView = lena
        .send(ListTrash {
            space: space.clone(),
        })
        .ok()
        .await;
    assert!(!pupils_trash.may_purge);
    let refusal = lena
        .send(empty_trash(&space, drawing))
        .refused(StatusCode::FORBIDDEN)
        .await;
    assert_eq!(refusal.message, app::i18n::Key::FilesPurgeOwners);
    teacher.send(RestoreEntry { id: drawing }).ok::<()>().await;
    assert!(names(&list(&lena, &space, 0).await).contains(&"Mein Bild.png".to_string()));

    // The class's owner and the secretariat choose the members' rights; a member does not.
    assert_eq!(
        set_rights(&tom, MemberRights::All).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        set_rights(&admin, MemberRights::Read).await.status(),
        StatusCode::OK
    );
    teacher
        .send(SetMemberFiles {
            group_id: class,
            rights: "everything".into(),
        })
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(
        s.text(&format!(
            "SELECT member_files FROM groups WHERE id = {class}"
        ))
        .await,
        "read"
    );
}
