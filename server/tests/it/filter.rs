//! FLT-1, FLT-2: the link filter over real HTTP: lists, canonical matching, refusals that name
//! the link and are logged, and a million-line import.
use app::auth::Role;
use reqwest::StatusCode;

use crate::common::{Browser, TestServer};

async fn json(res: reqwest::Response) -> serde_json::Value {
    res.json().await.unwrap()
}

/// The operator's upload of a blocklist file to the deployment's list.
async fn import_list(
    operator: &Browser,
    form: reqwest::multipart::Form,
) -> reqwest::Result<reqwest::Response> {
    operator
        .client
        .post(format!(
            "{}/admin/filter/import?scope=deployment",
            operator.base
        ))
        .header(reqwest::header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
}

async fn add(b: &Browser, scope: &str, entry: &str) {
    let res = b
        .call("filter/add", &[("scope", scope), ("entry", entry)])
        .await;
    assert_eq!(res.status(), StatusCode::OK, "adding {entry}");
}

async fn refused(res: reqwest::Response, link: &str) {
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "{link} must be refused"
    );
    let body = json(res).await;
    assert_eq!(body["message"], "FilterLinkBlocked");
    assert_eq!(body["detail"], link, "the message names the blocked link");
}

// FLT-1: a blocked link in a name or a text file refuses the save, names the link, writes a
// filter event, and stores nothing.
#[tokio::test]
async fn flt_1_blocked_links_refuse_the_save() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let (_, pupil) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    add(&admin, "school", "spiele.example").await;
    add(&admin, "school", "https://lernen.example/spiele").await;
    add(&admin, "school", "192.168.1.1").await;
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.list_changed'")
            .await,
        3
    );

    let folder = |name: &'static str| {
        let pupil = &pupil;
        async move {
            pupil
                .call(
                    "files/create-folder",
                    &[("space", "me"), ("folder", "0"), ("name", name)],
                )
                .await
        }
    };
    refused(
        folder("www.SPIELE.example. Tipps").await,
        "www.SPIELE.example",
    )
    .await;
    refused(
        folder("Mehr auf mehr.spiele.example").await,
        "mehr.spiele.example",
    )
    .await;
    assert_eq!(
        folder("Mathe von lernen.example").await.status(),
        StatusCode::OK
    );
    let note = |text: &'static str| {
        let pupil = &pupil;
        async move {
            pupil
                .upload("me", 0, "Links.txt", text.as_bytes().to_vec())
                .await
        }
    };
    refused(
        note("siehe http://good@SPIELE.example/x").await,
        "http://good@SPIELE.example/x",
    )
    .await;
    refused(
        note("lernen.example/spiele/1 ist lustig").await,
        "lernen.example/spiele/1",
    )
    .await;
    refused(
        note("<a href='http://3232235777/'>x</a>").await,
        "http://3232235777/",
    )
    .await;
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.link_blocked'")
            .await,
        5
    );

    // Text files are read for links, also across the chunks they arrive in.
    let mut text = "Aufgaben für morgen.\n".repeat(50_000).into_bytes();
    text.extend_from_slice(b"Lies http://b%61d.spiele.example/x dazu.");
    let res = pupil.upload("me", 0, "Hausaufgaben.txt", text).await;
    refused(res, "http://b%61d.spiele.example/x").await;
    let res = pupil
        .upload(
            "me",
            0,
            "Start.url",
            b"[InternetShortcut]\r\nURL=https://spiele.example/\r\n".to_vec(),
        )
        .await;
    refused(res, "https://spiele.example/").await;
    // The same text in a picture is not read; a clean text file is stored.
    let res = pupil
        .upload(
            "me",
            0,
            "Notiz.md",
            b"Seite 12 lesen, siehe lernen.example/mathe".to_vec(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        s.count("file_nodes").await,
        2,
        "only the clean folder and the clean note"
    );
}

// FLT-1: the operator keeps the list for all schools; administrators keep their school's.
#[tokio::test]
async fn flt_1_lists_belong_to_the_operator_and_each_school() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let (_, other_pupil) = s.ready_person(other, Role::Pupil, "Tom", Some("3a")).await;
    let operator = s.signed_in_operator().await;

    let res = admin
        .call(
            "filter/add",
            &[("scope", "deployment"), ("entry", "x.example")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    add(&operator, "deployment", "casino.example").await;
    add(&admin, "school", "nur-hier.example").await;
    let create = |name: &'static str| {
        let b = &other_pupil;
        async move {
            b.call(
                "files/create-folder",
                &[("space", "me"), ("folder", "0"), ("name", name)],
            )
            .await
        }
    };
    refused(create("casino.example").await, "casino.example").await;
    assert_eq!(
        create("nur-hier.example").await.status(),
        StatusCode::OK,
        "another school's list does not apply"
    );

    let view = json(
        admin
            .call("filter/list", &[("scope", "school"), ("query", "")])
            .await,
    )
    .await;
    assert_eq!(view["total"], 1);
    let id = view["entries"][0]["id"].as_i64().unwrap().to_string();
    assert_eq!(view["entries"][0]["entry"], "nur-hier.example");
    let page = admin.page("/admin/filter?scope=school").await;
    assert!(
        page.contains("nur-hier.example") && page.contains("1 Eintrag in dieser Liste"),
        "the page lists it"
    );
    // An administrator cannot remove the deployment's entries through their own list.
    let deployment = json(
        operator
            .call(
                "filter/list",
                &[("scope", "deployment"), ("query", "casino")],
            )
            .await,
    )
    .await;
    let casino = deployment["entries"][0]["id"].as_i64().unwrap().to_string();
    let res = admin
        .call("filter/remove", &[("scope", "school"), ("id", &casino)])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = admin
        .call("filter/remove", &[("scope", "school"), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = admin
        .call("filter/add", &[("scope", "school"), ("entry", "kein link")])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

// FLT-1: a list file of a million entries, in hosts format with comments, is imported.
#[tokio::test]
async fn flt_1_a_million_line_list_imports() {
    let s = TestServer::start().await;
    let operator = s.signed_in_operator().await;
    let mut list = String::from("# Blocklist\n127.0.0.1 localhost\n");
    for i in 0..1_000_000 {
        list.push_str(&format!("0.0.0.0 werbung{i}.example # ad\n"));
    }
    let part = reqwest::multipart::Part::bytes(list.into_bytes()).file_name("hosts.txt");
    let started = std::time::Instant::now();
    let res = import_list(
        &operator,
        reqwest::multipart::Form::new().part("file", part),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json(res).await["added"], 1_000_000);
    eprintln!("imported a million entries in {:?}", started.elapsed());
    assert_eq!(s.count("link_blocklist").await, 1_000_000);
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.list_imported'")
            .await,
        1
    );

    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, pupil) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    let res = pupil
        .call(
            "files/create-folder",
            &[
                ("space", "me"),
                ("folder", "0"),
                ("name", "werbung999999.example"),
            ],
        )
        .await;
    refused(res, "werbung999999.example").await;
}

// FLT-2: a corpus of ways to write a blocked link; every one is refused, and ordinary school
// text around it is not.
#[tokio::test]
async fn flt_2_bypass_corpus_is_refused() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Anna", None).await;
    let (_, pupil) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    add(&admin, "school", "bad.example").await;
    add(&admin, "school", "10.1.2.3").await;
    add(&admin, "school", "xn--bd-via.example").await;
    let attempts = [
        "bad.example",
        "BAD.EXAMPLE",
        "www.bad.example",
        "bad.example.",
        "spiele.bad.example/level2",
        "http://bad.example",
        "https://bad.example:8443/x",
        "HTTPS://Bad.Example/",
        "//bad.example/x",
        "ftp://bad.example/datei",
        "http://nice.example@bad.example/",
        "http://user:pass@bad.example",
        "http://b%61d.example",
        "http://%62%61%64.example/",
        "http://bad.example\\pfad",
        "<a href=\"https://bad.example\">hier</a>",
        "<a href='//bad.example'>hier</a>",
        "[InternetShortcut]\nURL=https://bad.example/",
        "(bad.example)",
        "http://bäd.example",
        "http://10.1.2.3/",
        "http://167838211/",
        "http://0x0A.0x01.0x02.0x03/",
        "http://012.01.02.03/",
        "http://10.1.515/",
        "http://[::ffff:10.1.2.3]/",
        "http://[::ffff:a01:203]:80/",
    ];
    for (i, attempt) in attempts.iter().enumerate() {
        let text = format!("Schau mal hier: {attempt} – cool!");
        let res = pupil
            .upload("me", 0, &format!("versuch{i}.txt"), text.into_bytes())
            .await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "{attempt} must be refused"
        );
    }
    let ordinary = [
        "Wir treffen uns um 8.30 Uhr am Tor.",
        "Aufgabe 3.5 auf Seite 12, z.B. Nr. 4.",
        "Die Datei heißt bad.examples.txt nicht.",
        "Mail an lena@bad-example.de ist keine Adresse von bad.example? Doch, das ist sie.",
        "Siehe goodbad.example und bad.example.org",
    ];
    let mut accepted = 0;
    for (i, text) in ordinary.iter().enumerate() {
        let res = pupil
            .upload("me", 0, &format!("text{i}.txt"), text.as_bytes().to_vec())
            .await;
        if res.status() == StatusCode::OK {
            accepted += 1;
        }
    }
    // The fourth names bad.example itself and is refused; the others are fine.
    assert_eq!(accepted, 4);
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.link_blocked'")
            .await,
        attempts.len() as i64 + 1
    );
}

// SEC-3: an unknown scope is bad input (400), never the school's list by default.
#[tokio::test]
async fn sec_3_unknown_filter_scope_is_refused() {
    let s = TestServer::start().await;
    let (_, admin) = s.school_with(Role::Admin).await;
    let before = s.fingerprint().await;
    let garbage = "x".repeat(500_000);
    for scope in ["School", "", garbage.as_str()] {
        let add = admin
            .call(
                "filter/add",
                &[("scope", scope), ("entry", "boese.example")],
            )
            .await;
        assert_eq!(add.status(), StatusCode::BAD_REQUEST);
        let list = admin
            .call("filter/list", &[("scope", scope), ("query", "")])
            .await;
        assert_eq!(list.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(s.fingerprint().await, before);
}

// SEC-6, FLT-1: the filter sees the text as it is stored and shown: a link hidden behind HTML
// entities (`https&#58;//`, `bad&#46;example`) in a message is caught after the sanitiser and
// the Markdown renderer decode it, and nothing is sent.
#[tokio::test]
async fn sec_6_links_behind_entities_are_caught() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Ada", None).await;
    let (_, pupil) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let (_, _) = s.ready_person(school, Role::Pupil, "Ben", Some("2b")).await;
    add(&admin, "school", "boese.example").await;
    let before = s.count("mail_messages").await;
    for (format, body) in [
        ("html", "<a href=\"https&#58;//boese.example/x\">Spiel</a>"),
        ("typed", "[Spiel](https://boese&#46;example/x)"),
        ("typed", "[Spiel](https://boese&#x2e;example \"Titel\")"),
    ] {
        let answer = pupil
            .call(
                "mail/send",
                &[
                    ("draft", "0"),
                    ("forward", "0"),
                    ("to", "ben.muster"),
                    ("subject", "Hallo"),
                    ("body", body),
                    ("format", format),
                ],
            )
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{format}: {body}");
    }
    assert_eq!(s.count("mail_messages").await, before);
}

// SEC-3: the import's 64 MB limit holds for the whole request, not per part: three parts of
// 30 MB each are refused (413) and nothing is imported. The parts hold one long comment line
// each, which the reader scans once (only each new chunk is searched for a line break).
#[tokio::test]
async fn sec_3_filter_import_limit_is_per_request() {
    let s = TestServer::start().await;
    let operator = s.signed_in_operator().await;
    let mut form = reqwest::multipart::Form::new();
    for i in 0..3 {
        let mut part = vec![b'#'; 30 * 1024 * 1024];
        part.extend_from_slice(b"\n0.0.0.0 boese.example\n");
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(part).file_name(format!("teil{i}.txt")),
        );
    }
    let res = import_list(&operator, form).await;
    // The server may stop reading before the client has sent everything: then the answer is
    // a reset instead of the 413; either way nothing is imported.
    if let Ok(res) = res {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(s.count("link_blocklist").await, 0);
    assert_eq!(
        s.count("audit_events WHERE action = 'filter.list_imported'")
            .await,
        0
    );
}
