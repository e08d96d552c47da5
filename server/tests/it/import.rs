//! Class-list import and export (ACC-4) over real HTTP.

use crate::common::{Browser, TestServer, location};
use app::{
    auth::Role,
    i18n::Key,
    users::{Change, ImportReport, UserList},
};
use reqwest::StatusCode;

const GOOD: &str = "Blaue#Kuh7";
const LIST: &str =
    "Vorname;Nachname;Klasse;Austrittsdatum\nMia;Schulz;2b;\nTom;Berg;2B;31.07.2027\n";

async fn upload(b: &Browser, content: &str) -> i64 {
    let res = b
        .call(
            "users/import-upload",
            &[("file_name", "2b.csv"), ("content", content)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn preview(b: &Browser, id: i64) -> ImportReport {
    b.call("users/import-preview", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap()
}

async fn pupils(b: &Browser) -> UserList {
    b.call(
        "users/list",
        &[("query", ""), ("sort", "login"), ("page", "1")],
    )
    .await
    .json()
    .await
    .unwrap()
}

// ACC-4: preview first, then one apply; the same file again changes nothing.
#[tokio::test]
async fn acc_4_import_previews_applies_and_is_idempotent() {
    let s = TestServer::start().await;
    let (_, office) = s.school_with(Role::Secretariat).await;
    let id = upload(&office, LIST).await;
    let report = preview(&office, id).await;
    assert_eq!((report.count(Change::New), report.errors.len()), (2, 0));
    assert_eq!(s.count("users").await, 1, "a preview changes nothing");

    let res = office
        .submit(
            "users/import-apply",
            &format!("/admin/import/{id}"),
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(
        location(&res),
        format!("/admin/import/{id}"),
        "the page says what happened"
    );
    let list = pupils(&office).await;
    let rows: Vec<(&str, Option<&str>, Option<&str>)> = list
        .rows
        .iter()
        .map(|r| {
            (
                r.login.as_str(),
                r.class.as_deref(),
                r.leaving_date.as_deref(),
            )
        })
        .collect();
    assert!(rows.contains(&("mia.schulz", Some("2b"), None)));
    assert!(rows.contains(&("tom.berg", Some("2b"), Some("2027-07-31"))));
    assert_eq!(
        office
            .call("users/import-apply", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::CONFLICT,
        "once only"
    );

    let again = upload(&office, LIST).await;
    assert_eq!(preview(&office, again).await.count(Change::Unchanged), 2);
    office
        .call("users/import-apply", &[("id", &again.to_string())])
        .await;
    assert_eq!(
        s.count("users").await,
        3,
        "re-importing the same file changes nothing"
    );

    let moved = upload(
        &office,
        "Vorname;Nachname;Klasse\nMia;Schulz;3b\nLea;Kurz;3b\n",
    )
    .await;
    let report = preview(&office, moved).await;
    assert_eq!(
        (report.count(Change::Changed), report.count(Change::New)),
        (1, 1)
    );
    office
        .call("users/import-apply", &[("id", &moved.to_string())])
        .await;
    let list = pupils(&office).await;
    assert_eq!(
        list.rows
            .iter()
            .find(|r| r.login == "mia.schulz")
            .unwrap()
            .class
            .as_deref(),
        Some("3b")
    );
    let actions: Vec<String> = s
        .store()
        .recent_actions(3)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(actions[0], "users.imported", "LOG-1");
}

// ACC-4, issue 18 §6: the preview shows each new login and names the line a duplicate repeats;
// two children with one name are two children when the file tells them apart (an ID column,
// a birth date); re-imports match by ID; after the apply the page leads to the slips.
#[tokio::test]
async fn acc_4_import_tells_namesakes_apart_and_leads_to_the_slips() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    s.person(school, Role::Teacher, "Lea", "Kurz", None, Some(GOOD))
        .await;

    let twice = upload(
        &office,
        "Schüler-ID;Vorname;Nachname;Klasse\n17;Emma;Müller;2b\n18;Emma;Müller;2b\n17;Emma;Müller;2b\n",
    )
    .await;
    let report = preview(&office, twice).await;
    let found: Vec<(u64, Key, Option<u64>)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.message, e.earlier))
        .collect();
    assert_eq!(
        found,
        vec![(4, Key::ImportDuplicate, Some(2))],
        "the same ID twice"
    );
    let page = office.page(&format!("/admin/import/{twice}")).await;
    assert!(
        page.contains("schon in Zeile 2"),
        "the earlier line is named"
    );
    assert!(
        page.contains("Korrigierte Datei hochladen") && page.contains("action=\"/admin/import\"")
    );

    let list = "Schüler-ID;Vorname;Nachname;Klasse;Geburtsdatum\n\
                17;Emma;Müller;2b;03.04.2018\n18;Emma;Müller;2b;\n19;Lea;Kurz;3a;\n";
    let id = upload(&office, list).await;
    let report = preview(&office, id).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let logins: Vec<Option<&str>> = report.entries.iter().map(|e| e.login.as_deref()).collect();
    assert_eq!(
        logins,
        vec![
            Some("emma.mueller"),
            Some("emma.mueller2"),
            Some("lea.kurz2")
        ],
        "the teacher Lea Kurz has lea.kurz"
    );
    let page = office.page(&format!("/admin/import/{id}")).await;
    assert!(page.contains("emma.mueller2") && page.contains("lea.kurz2"));

    let res = office
        .submit(
            "users/import-apply",
            &format!("/admin/import/{id}"),
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(location(&res), format!("/admin/import/{id}"));
    let page = office.page(&format!("/admin/import/{id}")).await;
    assert!(
        page.contains("3 neu angelegt, 0 geändert, 0 unverändert"),
        "{page}"
    );
    assert!(
        page.contains("Klassenliste: 2b.csv") && !page.contains("data-testid=\"import-entry\""),
        "after the apply the page is a receipt, not the preview again"
    );
    for class in ["2b", "3a"] {
        assert!(
            page.contains(&format!("href=\"/admin/users?q={class}\"")),
            "the next step for {class}"
        );
        assert!(page.contains(&format!("Startpasswörter für {class} drucken")));
    }
    let logins: Vec<String> = pupils(&office)
        .await
        .rows
        .into_iter()
        .map(|r| r.login)
        .collect();
    for login in ["emma.mueller", "emma.mueller2", "lea.kurz2"] {
        assert!(logins.contains(&login.to_string()), "{login} as forecast");
    }

    // A corrected name under the same ID is the same child: changed, with the login kept.
    let again = upload(
        &office,
        "ID;Vorname;Nachname;Klasse\n17;Emma;Müller;2b\n18;Emma;Müller-Lang;2b\n19;Lea;Kurz;3a\n",
    )
    .await;
    let report = preview(&office, again).await;
    assert_eq!(
        (
            report.count(Change::Unchanged),
            report.count(Change::Changed),
            report.count(Change::New)
        ),
        (2, 1, 0)
    );
    office
        .call("users/import-apply", &[("id", &again.to_string())])
        .await;
    let renamed = pupils(&office)
        .await
        .rows
        .into_iter()
        .find(|r| r.login == "emma.mueller2")
        .unwrap();
    assert_eq!(renamed.last_name, "Müller-Lang");

    // Without an ID column a birth date tells two namesakes in one class apart.
    let born =
        "Vorname;Nachname;Klasse;Geburtsdatum\nBen;Kraus;1a;01.02.2019\nBen;Kraus;1a;05.06.2019\n";
    let first = upload(&office, born).await;
    let report = preview(&office, first).await;
    assert_eq!((report.count(Change::New), report.errors.len()), (2, 0));
    office
        .call("users/import-apply", &[("id", &first.to_string())])
        .await;
    let report = preview(&office, upload(&office, born).await).await;
    assert_eq!(
        report.count(Change::Unchanged),
        2,
        "each Ben is matched by his birth date"
    );
}

// ACC-4: one bad line stops the whole import; every bad line is named.
#[tokio::test]
async fn acc_4_nothing_is_applied_when_any_line_is_wrong() {
    let s = TestServer::start().await;
    let (_, office) = s.school_with(Role::Secretariat).await;
    let id = upload(
        &office,
        "Vorname;Nachname;Klasse\nMia;Schulz;2b\nTom;;2b\nLea;Kurz;7c\n",
    )
    .await;
    let report = preview(&office, id).await;
    let lines: Vec<(u64, Key)> = report.errors.iter().map(|e| (e.line, e.message)).collect();
    assert_eq!(
        lines,
        vec![(3, Key::ImportNameMissing), (4, Key::UsersClassInvalid)]
    );
    let res = office
        .call("users/import-apply", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(s.count("users").await, 1, "not even Mia");
    let page = office.page(&format!("/admin/import/{id}")).await;
    assert_eq!(page.matches("data-testid=\"import-error\"").count(), 2);
    assert!(!page.contains("data-testid=\"apply-import\""));
}

// ACC-4, bad input: broken files get clear errors, and nothing else happens.
#[tokio::test]
async fn acc_4_broken_files_are_refused_clearly() {
    let s = TestServer::start().await;
    let (_, office) = s.school_with(Role::Secretariat).await;
    let empty = upload(&office, "").await;
    assert_eq!(
        preview(&office, empty).await.errors[0].message,
        Key::ImportEmpty
    );
    let columns = upload(&office, "Name;Geburtstag\nMia;1.1.2019\n").await;
    assert_eq!(
        preview(&office, columns).await.errors[0].message,
        Key::ImportMissingColumns
    );

    let mut big = String::from("Vorname;Nachname;Klasse\n");
    for i in 0..10_000 {
        big.push_str(&format!("Kind{i};Klasse;3a\n"));
    }
    big.push_str("Zu;Viel;3a\n");
    let report = preview(&office, upload(&office, &big).await).await;
    assert_eq!(
        (report.count(Change::New), report.errors.len()),
        (10_000, 1)
    );
    assert_eq!(
        (report.errors[0].line, report.errors[0].message),
        (10_002, Key::ImportTooManyRows)
    );

    // A UTF-16 file, as some spreadsheet programs save "Unicode text".
    let utf16: Vec<u8> = "Vorname;Nachname;Klasse\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(utf16).file_name("liste.csv"),
    );
    let res = office
        .client
        .post(s.url("/admin/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = res.text().await.unwrap();
    assert!(page.contains("keine Textdatei"));
    // Issue 18 §6: the refusal is a page of the app, with its styles and a way back.
    assert!(
        page.contains("id=\"main-css\"") && page.contains("href=\"/pkg/schulhof.css\""),
        "{page}"
    );
    assert!(
        page.contains("href=\"/admin/users\" class=\"btn btn-primary\""),
        "{page}"
    );
    assert_eq!(s.count("imports").await, 3);
}

// ACC-4: a Windows-1252 file through the upload form, then the export.
#[tokio::test]
async fn acc_4_upload_form_and_export() {
    let s = TestServer::start().await;
    let (_, office) = s.school_with(Role::Secretariat).await;
    let bytes = b"Vorname;Nachname;Klasse\r\nJ\xfcrgen;Wei\xdf;1a\r\n=cmd;Trick;1a\r\n".to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("1a.csv"),
    );
    let res = office
        .client
        .post(s.url("/admin/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = location(&res);
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let html = office.page(&page).await;
    assert!(
        html.contains("Weiß, Jürgen") && html.contains("2 neu"),
        "decoded from Windows-1252"
    );
    office
        .call("users/import-apply", &[("id", &id.to_string())])
        .await;

    let csv = office.page("/admin/users.csv").await;
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("\"Jürgen\";\"Weiß\";\"1a\";\"\";\"juergen.weiss\";\"pupil\""));
    assert!(csv.contains("\"'=cmd\""), "formulas are neutralised");
    let other = s.browser();
    assert_eq!(location(&other.get("/admin/users.csv").await), "/login");
}

// ACC-1: another school's import is not there for anyone else.
#[tokio::test]
async fn acc_1_imports_stay_in_their_school() {
    let s = TestServer::start().await;
    let (_, office) = s.school_with(Role::Secretariat).await;
    let id = upload(&office, LIST).await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, login) = s
        .person(other, Role::Admin, "Otto", "Admin", None, Some(GOOD))
        .await;
    let stranger = s.browser();
    stranger.login(&login, GOOD).await;
    assert_eq!(
        stranger
            .call("users/import-preview", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .call("users/import-apply", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.count("users").await, 2);
}

// ACC-4, LIFE-2: every class moves up a grade; the fourth grade gets its leaving date; once a year.
#[tokio::test]
async fn acc_4_the_end_of_year_run_moves_classes_up() {
    let s = TestServer::start().await;
    let (school, office) = s.school_with(Role::Secretariat).await;
    for (first, class) in [("Anna", "1a"), ("Ben", "3a"), ("Cem", "4a"), ("Dana", "4b")] {
        s.person(school, Role::Pupil, first, "Kind", Some(class), None)
            .await;
    }
    let plan: app::users::YearEndPlan = office
        .call("users/year-end-preview", &[])
        .await
        .json()
        .await
        .unwrap();
    let moves: Vec<(String, Option<String>, i64)> = plan
        .moves
        .into_iter()
        .map(|m| (m.from, m.to, m.members))
        .collect();
    assert_eq!(
        moves,
        vec![
            ("4b".into(), None, 1),
            ("4a".into(), None, 1),
            ("3a".into(), Some("4a".into()), 1),
            ("1a".into(), Some("2a".into()), 1)
        ]
    );
    assert!(plan.leaving_date.ends_with("-07-31"));
    assert_eq!(
        s.count("groups WHERE kind = 'class'").await,
        4,
        "a preview changes nothing"
    );

    let bad = office
        .call("users/year-end-apply", &[("leaving_date", "31.02.2027")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let res = office
        .call("users/year-end-apply", &[("leaving_date", "31.07.2027")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = pupils(&office).await;
    let of = |login: &str| {
        list.rows
            .iter()
            .find(|r| r.login == login)
            .map(|r| (r.class.clone(), r.leaving_date.clone()))
            .unwrap()
    };
    assert_eq!(of("anna.kind"), (Some("2a".into()), None));
    assert_eq!(of("ben.kind"), (Some("4a".into()), None));
    assert_eq!(of("cem.kind"), (None, Some("2027-07-31".into())));
    assert_eq!(
        office
            .call("users/year-end-apply", &[("leaving_date", "2027-07-31")])
            .await
            .status(),
        StatusCode::CONFLICT,
        "not twice a year"
    );
    assert_eq!(of("ben.kind").0.as_deref(), Some("4a"));
    let page = office.page("/admin/year-end").await;
    assert_eq!(page.matches("data-testid=\"class-move\"").count(), 2);
}
