//! MAIL-1..5, ADM-1, FILE-3: internal mail over real HTTP on the backend under test.
//!
//! Long on purpose: one file per feature, as in `app/src/`; each test is one story.
use app::auth::Role;
use app::files::{DeleteEntry, EmptyTrash, SetQuota};
use app::mail::{
    Attach, Autosave, CaseMessage, CloseReport, Compose, CreateMailFolder, DeleteMessage, Mailbox,
    MailboxPage, MarkUnread, Message, MessagePage, MoveMessage, OpenCase, Report, Reports,
    SaveAttachment, SendMail, SetBetweenSchools, SetMailSettings, Unread,
};
use reqwest::{Response, StatusCode};

use crate::common::{Browser, TestServer};

const DOMAIN: &str = "paulusschule.example";

fn address(login: &str) -> String {
    format!("{login}@{DOMAIN}")
}

async fn send(b: &Browser, to: &str, subject: &str, body: &str) -> Response {
    send_as(b, to, subject, body, "typed", 0, 0).await
}

async fn send_as(
    b: &Browser,
    to: &str,
    subject: &str,
    body: &str,
    format: &str,
    draft: i64,
    forward: i64,
) -> Response {
    b.send(SendMail {
        draft,
        forward,
        to: to.into(),
        subject: subject.into(),
        body: body.into(),
        format: format.into(),
    })
    .await
}

async fn inbox(b: &Browser, box_code: &str, query: &str) -> MailboxPage {
    b.send(Mailbox {
        box_code: box_code.into(),
        query: query.into(),
        before: 0,
    })
    .ok()
    .await
}

async fn open(b: &Browser, item: i64) -> Response {
    b.send(Message { item }).await
}

async fn unread(b: &Browser) -> i64 {
    b.send(Unread {}).ok().await
}

async fn error_text(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap();
    (status, body.to_string())
}

async fn login_of(s: &TestServer, id: i64) -> String {
    s.text(&format!("SELECT login FROM users WHERE id = {id}"))
        .await
}

async fn newest_item(s: &TestServer, user: i64, box_code: &str) -> i64 {
    s.scalar(&format!(
        "SELECT COALESCE(MAX(id), 0) FROM mail_items WHERE user_id = {user} AND box = '{box_code}'"
    ))
    .await
}

// MAIL-1, MAIL-2: a teacher writes to one pupil and to the class address; the class gets it,
// unread counts move, reading marks read, the pupil replies, and search finds it.

/// Attaches a file from one's own files to a draft (0 starts one), as the compose form does.
fn attach(draft: i64, file: i64) -> Attach {
    Attach {
        draft,
        to: String::new(),
        subject: "Blatt".into(),
        body: "Anbei.".into(),
        file,
    }
}
#[tokio::test]
async fn mail_1_mail_2_person_and_group_address() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (teacher, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    let (ben, bb) = s.ready_person(school, Role::Pupil, "Ben", Some("2b")).await;
    let (carl, cb) = s
        .ready_person(school, Role::Pupil, "Carl", Some("3a"))
        .await;
    let anna_login = login_of(&s, anna).await;

    assert_eq!(unread(&ab).await, 0);
    let res = send(
        &tb,
        &address(&anna_login),
        "Lesen üben",
        "Bitte **Seite 4** lesen.",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    assert_eq!(unread(&ab).await, 1);
    assert_eq!(unread(&bb).await, 0);

    let res = send(
        &tb,
        "klasse-2b@paulusschule.example",
        "Wandertag",
        "Am Freitag!",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    assert_eq!(unread(&ab).await, 2);
    assert_eq!(unread(&bb).await, 1);
    assert_eq!(unread(&cb).await, 0, "3a is not 2b");
    // One message row, however many recipients.
    assert_eq!(
        s.count("mail_messages WHERE subject = 'Wandertag'").await,
        1
    );
    assert_eq!(
        s.count(&format!(
            "mail_items WHERE user_id = {teacher} AND box = 'sent'"
        ))
        .await,
        2
    );

    let page = inbox(&bb, "inbox", "").await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.address, address(&login_of(&s, ben).await));
    let item = page.items[0].item_id;
    assert!(!page.items[0].is_read);
    let message: MessagePage = open(&bb, item).await.json().await.unwrap();
    assert_eq!(message.subject, "Wandertag");
    assert!(message.sender.contains("Tina Muster"));
    assert_eq!(message.recipients, "klasse-2b@paulusschule.example");
    assert!(message.received);
    assert_eq!(unread(&bb).await, 0);

    // The reply goes back to the teacher with "AW:".
    let compose: app::mail::ComposePage = bb
        .send(Compose {
            draft: 0,
            reply: item,
            all: false,
            forward: 0,
            to: String::new(),
        })
        .ok()
        .await;
    assert_eq!(compose.subject, "AW: Wandertag");
    assert!(compose.to.contains("tina.muster@paulusschule.example"));
    assert!(compose.body.contains("> Am Freitag!"));
    let res = send(&bb, &compose.to, &compose.subject, "Ich komme mit.").await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    assert_eq!(unread(&tb).await, 1);

    // Search covers subject, sender and body, within the caller's own mailbox only.
    assert_eq!(inbox(&ab, "inbox", "seite 4").await.items.len(), 1);
    assert_eq!(inbox(&ab, "inbox", "tina").await.items.len(), 2);
    assert_eq!(inbox(&ab, "inbox", "gibtsnicht").await.items.len(), 0);
    assert_eq!(inbox(&cb, "inbox", "wandertag").await.items.len(), 0);
    // The body was formatted and kept plain text for search.
    let first = s
        .scalar(&format!(
            "SELECT MIN(id) FROM mail_items WHERE user_id = {anna}"
        ))
        .await;
    let anna_page: MessagePage = open(&ab, first).await.json().await.unwrap();
    assert!(
        anna_page.body_html.contains("<strong>Seite 4</strong>"),
        "{}",
        anna_page.body_html
    );
    let _ = carl;
}

// MAIL-2: nothing leaves the deployment; other schools only when the operator allows it.
#[tokio::test]
async fn mail_2_external_addresses_are_refused() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (far, _) = s
        .person(other, Role::Teacher, "Olga", "Fern", None, None)
        .await;
    let far_address = format!("{}@andere.example", login_of(&s, far).await);
    let before = s.count("mail_messages").await;

    for external in ["jemand@gmail.com", "tina@paulusschule.example.evil.com"] {
        let (status, body) = error_text(send(&tb, external, "Hallo", "Hi").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{external}");
        assert!(body.contains("MailExternal"), "{external}: {body}");
        assert!(
            body.contains(external),
            "the message names the address: {body}"
        );
    }
    let (status, body) =
        error_text(send(&tb, "niemand@paulusschule.example", "Hallo", "Hi").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("MailUnknownAddress"), "{body}");
    let (_, body) = error_text(send(&tb, "über@paulusschule.example", "Hallo", "Hi").await).await;
    assert!(body.contains("MailAddressInvalid"), "{body}");
    let (status, body) = error_text(send(&tb, &far_address, "Hallo", "Hi").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("MailOtherSchool"), "{body}");
    assert_eq!(
        s.count("mail_messages").await,
        before,
        "refusals store nothing"
    );

    // The translated page text says what the rule is.
    let page = tb
        .submit(
            "mail/send",
            "/mail/compose",
            &[
                ("draft", "0"),
                ("forward", "0"),
                ("to", "jemand@gmail.com"),
                ("subject", "x"),
                ("body", "y"),
                ("format", "typed"),
            ],
        )
        .await;
    let back = crate::common::location(&page);
    let back = back.strip_prefix(&tb.base).unwrap_or(&back).to_string();
    let text = tb.page(&back).await;
    assert!(text.contains("nur für die Schule da"), "{back}");
    // Issue 18: the field's message names the refused address, in the summary's list too.
    assert!(
        text.contains("„jemand@gmail.com“ liegt außerhalb der Schule"),
        "{back}"
    );

    let operator = s.signed_in_operator().await;
    operator
        .send(SetBetweenSchools {
            allowed: "yes".into(),
        })
        .ok::<()>()
        .await;
    let res = send(&tb, &far_address, "Hallo", "Hi").await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    assert_eq!(
        s.count(&format!(
            "mail_items WHERE user_id = {far} AND box = 'inbox'"
        ))
        .await,
        1
    );
}

// MAIL-3: recipients and messages per hour, per role; group addresses count once and only
// for those who may write to the group. Refusals are logged.
#[tokio::test]
async fn mail_3_mass_mail_guard() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    let (_, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (_, pb) = s
        .ready_person(school, Role::Pupil, "Paul", Some("2b"))
        .await;
    let mut logins = Vec::new();
    for name in ["Ada", "Bea", "Cem", "Dan", "Eva", "Fin"] {
        let (id, _) = s
            .person(school, Role::Pupil, name, "Klein", Some("2b"), None)
            .await;
        logins.push(address(&login_of(&s, id).await));
    }
    let six = logins.join(", ");
    let five = logins[..5].join(", ");
    let (status, body) = error_text(send(&pb, &six, "Hallo", "Hi").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("MailTooManyRecipients"), "{body}");
    // Issue 18: the refusal names the limit, so the pupil knows how many may go.
    assert!(body.contains(r#""detail":"5""#), "{body}");
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.refused'").await,
        1
    );
    assert_eq!(s.count("mail_messages WHERE kind = 'mail'").await, 0);
    let res = send(&pb, &five, "Hallo", "Hi").await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    // Staff may name six, and the class address counts as one.
    let res = send(
        &tb,
        &format!("{six}, klasse-2b@{DOMAIN}"),
        "Elternabend",
        "Am Montag",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);

    // Pupils write to their own class only when the school allows it.
    let (_, body) =
        error_text(send(&pb, &format!("klasse-2b@{DOMAIN}"), "Hallo", "Hi").await).await;
    assert!(body.contains("MailGroupNotAllowed"), "{body}");
    let settings = |to_class: &str, pupil_per_hour: i64| SetMailSettings {
        pupil_recipients: 5,
        pupil_per_hour,
        staff_recipients: 50,
        staff_per_hour: 200,
        pupils_to_class: to_class.into(),
        trash_days: 30,
        guardian_recipients: None,
        guardian_per_hour: None,
    };
    admin.send(settings("yes", 3)).ok::<()>().await;
    let res = send(&pb, &format!("klasse-2b@{DOMAIN}"), "Hallo Klasse", "Hi").await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    let (_, body) =
        error_text(send(&pb, &format!("klasse-3a@{DOMAIN}"), "Hallo", "Hi").await).await;
    assert!(
        body.contains("MailUnknownAddress") || body.contains("MailGroupNotAllowed"),
        "{body}"
    );

    // Per hour: two sent so far; the third is the last allowed, the fourth is refused.
    assert_eq!(
        send(&pb, &logins[0], "3", "x").await.status(),
        StatusCode::OK
    );
    let (status, body) = error_text(send(&pb, &logins[0], "4", "x").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("MailTooManyPerHour"), "{body}");
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.refused'").await,
        2
    );
    // Settings out of range change nothing.
    admin
        .send(settings("yes", 0))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(s.scalar("SELECT mail_pupil_per_hour FROM schools").await, 3);
}

// MAIL-1: what arrives as formatted text or HTML leaves through the sanitiser: a corpus of XSS
// payloads in bodies and subjects never reaches a page as markup.
#[tokio::test]
async fn mail_1_bodies_are_sanitised() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    let to = address(&login_of(&s, anna).await);
    let corpus = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">klick</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<style>body{display:none}</style>",
        "<b onmouseover=alert(1)>fett</b>",
        "<p style=\"background:url(https://tracker.example/x.png)\">x</p>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>",
        "<object data=x></object><embed src=x>",
        "<form action=https://evil.example><input name=p></form>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<<script>script>alert(1)<</script>/script>",
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
        "<div onclick=\"alert(1)\">click</div>",
        "<meta http-equiv=refresh content=0;url=https://evil.example>",
        "<base href=https://evil.example/>",
        "<link rel=stylesheet href=https://evil.example/x.css>",
    ];
    let forbidden = [
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<style",
        "onmouseover",
        "style=",
        "data:text",
        "<object",
        "<embed",
        "<form",
        "<img",
        "<svg",
        "onclick",
        "<meta",
        "<base",
        "<link",
    ];
    for (i, payload) in corpus.iter().enumerate() {
        for format in ["html", "typed"] {
            let res = send_as(&tb, &to, &format!("{payload} {i}"), payload, format, 0, 0).await;
            assert_eq!(res.status(), StatusCode::OK, "{payload}");
            let item = newest_item(&s, anna, "inbox").await;
            let message: MessagePage = open(&ab, item).await.json().await.unwrap();
            let lower = message.body_html.to_lowercase();
            for bad in forbidden {
                assert!(
                    !lower.contains(bad),
                    "{format} {payload:?} left {bad:?}: {lower}"
                );
            }
            // The page shows the subject as text, never as markup.
            let page = ab
                .page(&format!("/mail/message?item={item}"))
                .await
                .to_lowercase();
            for bad in ["<script>alert", "<img src=x", "<svg onload", "<iframe src"] {
                assert!(!page.contains(bad), "page kept {bad:?} for {payload:?}");
            }
        }
    }
    // What is allowed survives: bold, italic, lists, links with safe targets.
    send_as(
        &tb,
        &to,
        "ok",
        "<b>fett</b> <em>kursiv</em><ul><li>eins</li></ul><a href=\"https://schule.example\">Link</a>",
        "html",
        0,
        0,
    )
    .await;
    let item = newest_item(&s, anna, "inbox").await;
    let message: MessagePage = open(&ab, item).await.json().await.unwrap();
    for good in [
        "<b>fett</b>",
        "<em>kursiv</em>",
        "<li>eins</li>",
        "href=\"https://schule.example\"",
        "rel=\"noopener noreferrer nofollow\"",
    ] {
        assert!(
            message.body_html.contains(good),
            "{good}: {}",
            message.body_html
        );
    }
}

// MAIL-1, FILE-2, FLT-3: attachments come from the user's files, are stored once for every
// recipient, can be saved into the recipient's files, and the blob goes only with its last row.
#[tokio::test]
async fn mail_1_attachments_are_shared_and_reference_counted() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (teacher, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    let (ben, bb) = s.ready_person(school, Role::Pupil, "Ben", Some("2b")).await;
    let upload = tb
        .upload("me", 0, "Arbeitsblatt.pdf", b"%PDF-1.4 Blatt".to_vec())
        .await;
    assert_eq!(upload.status(), StatusCode::OK);
    let file: serde_json::Value = upload.json().await.unwrap();
    let file = file["ids"][0].as_i64().unwrap();

    // Attaching saves the draft and shares the blob.
    let draft: i64 = tb.send(attach(0, file)).ok().await;
    assert_eq!(s.count("mail_messages WHERE kind = 'draft'").await, 1);
    let key = s
        .text("SELECT blob_key FROM file_nodes WHERE name = 'Arbeitsblatt.pdf'")
        .await;
    assert_eq!(s.text("SELECT blob_key FROM mail_attachments").await, key);

    let res = send_as(
        &tb,
        &format!("klasse-2b@{DOMAIN}"),
        "Blatt",
        "Anbei.",
        "typed",
        draft,
        0,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    assert_eq!(
        s.count("mail_messages WHERE kind = 'draft'").await,
        0,
        "the draft became the message"
    );
    assert_eq!(
        s.count("mail_attachments").await,
        1,
        "one row for every recipient"
    );
    assert_eq!(
        s.count(&format!("mail_items WHERE user_id IN ({anna}, {ben})"))
            .await,
        2
    );

    // Anna downloads it and saves it into her files; the blob is still the same.
    let item = newest_item(&s, anna, "inbox").await;
    let message: MessagePage = open(&ab, item).await.json().await.unwrap();
    let attachment = message.attachments[0].id;
    let res = ab
        .get(&format!("/mail/attachment/{item}/{attachment}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 Blatt");
    let res = ab.send(SaveAttachment { item, attachment }).await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    assert_eq!(
        s.count(&format!(
            "file_nodes WHERE owner_user_id = {anna} AND blob_key = '{key}'"
        ))
        .await,
        1
    );
    // Ben cannot take Anna's item, nor the attachment through his own item number.
    let res = bb
        .get(&format!("/mail/attachment/{item}/{attachment}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = bb.send(SaveAttachment { item, attachment }).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Deleting: the teacher's file and every mailbox copy but Anna's saved file go; the blob stays
    // until the last reference goes.
    let tmp = s.data_dir.0.join("files/tmp");
    let blobs = || {
        crate::files::blob_files(&s)
            .iter()
            .filter(|p| !p.starts_with(&tmp))
            .count()
    };
    assert_eq!(blobs(), 1);
    let trash_all = |b: Browser, user: i64| {
        let s = &s;
        async move {
            for _ in 0..2 {
                let items: Vec<i64> = s
                    .column(&format!("SELECT id FROM mail_items WHERE user_id = {user}"))
                    .await;
                for item in items {
                    let res = b.send(DeleteMessage { item }).await;
                    assert_eq!(res.status(), StatusCode::OK);
                }
            }
            b
        }
    };
    let tb = trash_all(tb, teacher).await;
    let _ = trash_all(bb, ben).await;
    tb.send(DeleteEntry { id: file }).ok::<()>().await;
    tb.send(EmptyTrash {
        space: "me".into(),
        id: 0,
    })
    .expect(StatusCode::OK)
    .await;
    assert_eq!(blobs(), 1, "Anna still holds the message and her copy");
    let ab = trash_all(ab, anna).await;
    assert_eq!(s.count("mail_messages").await, 0);
    assert_eq!(s.count("mail_attachments").await, 0);
    assert_eq!(blobs(), 1, "her saved file keeps the blob");
    let own: i64 = s
        .scalar(&format!(
            "SELECT id FROM file_nodes WHERE owner_user_id = {anna}"
        ))
        .await;
    ab.send(DeleteEntry { id: own }).ok::<()>().await;
    ab.send(EmptyTrash {
        space: "me".into(),
        id: 0,
    })
    .expect(StatusCode::OK)
    .await;
    assert_eq!(blobs(), 0, "the last reference took the blob with it");
}

// MAIL-1: drafts, own folders, the trash and its purge.
#[tokio::test]
async fn mail_1_drafts_folders_and_trash() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (teacher, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    let to = address(&login_of(&s, anna).await);
    let autosave = |draft: i64, to: &str, subject: &str, body: &str| Autosave {
        draft,
        to: to.into(),
        subject: subject.into(),
        body: body.into(),
    };
    // Issue 18: an address typed alone makes no draft.
    let none: i64 = tb.send(autosave(0, &to, "", " ")).ok().await;
    assert_eq!(none, 0);
    assert!(inbox(&tb, "drafts", "").await.items.is_empty());
    let draft: i64 = tb.send(autosave(0, &to, "Ent", "wurf")).ok().await;
    let again: i64 = tb
        .send(autosave(draft, &to, "Entwurf", "fertig"))
        .ok()
        .await;
    assert_eq!(again, draft, "the same draft is updated");
    assert_eq!(inbox(&tb, "drafts", "").await.items[0].subject, "Entwurf");
    // Someone else's draft cannot be written to.
    ab.send(autosave(draft, "", "x", "x"))
        .expect(StatusCode::NOT_FOUND)
        .await;
    let res = send_as(&tb, &to, "Entwurf", "fertig", "typed", draft, 0).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(inbox(&tb, "drafts", "").await.items.is_empty());

    let folder: i64 = ab
        .send(CreateMailFolder {
            name: "Wichtig".into(),
        })
        .ok()
        .await;
    let item = newest_item(&s, anna, "inbox").await;
    ab.send(MoveMessage {
        item,
        target: format!("f{folder}"),
    })
    .expect(StatusCode::OK)
    .await;
    assert_eq!(inbox(&ab, &format!("f{folder}"), "").await.items.len(), 1);
    // Only one's own folders are targets.
    let other: i64 = tb
        .send(CreateMailFolder {
            name: "Privat".into(),
        })
        .ok()
        .await;
    ab.send(MoveMessage {
        item,
        target: format!("f{other}"),
    })
    .expect(StatusCode::BAD_REQUEST)
    .await;
    ab.send(Mailbox {
        box_code: format!("f{other}"),
        query: String::new(),
        before: 0,
    })
    .expect(StatusCode::NOT_FOUND)
    .await;

    let res = ab.send(DeleteMessage { item }).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(inbox(&ab, "trash", "").await.items.len(), 1);
    let report = s.run_jobs().await;
    assert_eq!(report.mail_purged, 0, "too young to purge");
    s.sql("UPDATE mail_items SET trashed_at = trashed_at - 31 * 86400 WHERE box = 'trash'")
        .await;
    let report = s.run_jobs().await;
    assert_eq!(report.mail_purged, 0, "no attachments to collect");
    assert!(inbox(&ab, "trash", "").await.items.is_empty());
    assert_eq!(
        s.count(&format!("mail_items WHERE user_id = {teacher}"))
            .await,
        1,
        "the sender keeps theirs"
    );
}

// MAIL-5, ADM-1: a recipient reports a message; management sees that message and nothing else.
#[tokio::test]
async fn mail_5_abuse_report() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, mb) = s
        .ready_person(school, Role::Management, "Maria", None)
        .await;
    let (bully, bb) = s
        .ready_person(school, Role::Pupil, "Bert", Some("2b"))
        .await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    let to = address(&login_of(&s, anna).await);
    send(&bb, &to, "Du bist doof", "Niemand mag dich.").await;
    send(&bb, &to, "Hausaufgaben", "Was war auf?").await;
    let items: Vec<i64> = s
        .column(&format!(
            "SELECT id FROM mail_items WHERE user_id = {anna} ORDER BY id"
        ))
        .await;
    ab.send(Report {
        item: items[0],
        comment: "Das ist gemein".into(),
    })
    .expect(StatusCode::OK)
    .await;
    // Only received messages can be reported.
    let sent = newest_item(&s, bully, "sent").await;
    bb.send(Report {
        item: sent,
        comment: String::new(),
    })
    .expect(StatusCode::BAD_REQUEST)
    .await;

    let reports: Vec<app::mail::ReportView> = mb.send(Reports {}).ok().await;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].subject, "Du bist doof");
    assert_eq!(reports[0].comment, "Das ist gemein");
    assert!(reports[0].body_html.contains("Niemand mag dich."));
    assert!(reports[0].sender.contains("Bert Muster"));
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.reported'").await,
        1
    );
    // The rest of the mailbox stays closed to management.
    for item in &items {
        assert_eq!(open(&mb, *item).await.status(), StatusCode::NOT_FOUND);
    }
    // A pupil cannot read the report list.
    assert_eq!(ab.send(Reports {}).await.status(), StatusCode::FORBIDDEN);
    // Even after Anna deletes it for good, the report keeps what she handed over.
    ab.send(DeleteMessage { item: items[0] }).await;
    ab.send(DeleteMessage { item: items[0] }).await;
    bb.send(DeleteMessage { item: sent }).await;
    let reports: Vec<app::mail::ReportView> = mb.send(Reports {}).ok().await;
    assert_eq!(reports.len(), 1);
    mb.send(CloseReport { id: reports[0].id })
        .expect(StatusCode::OK)
        .await;
}

// MAIL-4, ADM-1: a case is opened, the owner is told at once (inbox and banner), the designated
// reader reads read-only and every read is logged; at the end date access ends and the owner
// is told again.
#[tokio::test]
async fn mail_4_inspection_case() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, mb) = s
        .ready_person(school, Role::Management, "Maria", None)
        .await;
    let (reader, rb) = s.ready_person(school, Role::Teacher, "Rita", None).await;
    let (_, other_teacher) = s.ready_person(school, Role::Teacher, "Olaf", None).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    let (pupil, pb) = s
        .ready_person(school, Role::Pupil, "Paul", Some("2b"))
        .await;
    let (_, friend) = s
        .ready_person(school, Role::Pupil, "Fritz", Some("2b"))
        .await;
    let pupil_login = login_of(&s, pupil).await;
    let reader_login = login_of(&s, reader).await;
    send(&friend, &address(&pupil_login), "Geheim", "Treffen um 3").await;
    let secret = newest_item(&s, pupil, "inbox").await;

    // Without a case, nobody gets in: not management, not the admin, not the would-be reader.
    for b in [&mb, &admin, &rb] {
        assert_eq!(open(b, secret).await.status(), StatusCode::NOT_FOUND);
    }
    // A case needs a reason, readers from the school's staff and an end date.
    let (y, m, d, _, _) = app::rules::date::berlin_time(app::platform::now() + 30 * 86400);
    let until = format!("{y:04}-{m:02}-{d:02}");
    let open_case = |reason: &str, readers: String| {
        mb.send(OpenCase {
            login: pupil_login.clone(),
            reason: reason.into(),
            reference: "AZ 2026/17".into(),
            readers,
            until: until.clone(),
        })
    };
    open_case("kurz", reader_login.clone())
        .refused(StatusCode::BAD_REQUEST)
        .await;
    let pupil_as_reader = login_of(&s, pupil).await;
    open_case(
        "Verdacht auf Erpressung laut Anzeige der Eltern",
        pupil_as_reader,
    )
    .refused(StatusCode::BAD_REQUEST)
    .await;
    assert_eq!(s.count("mail_cases").await, 0);
    pb.send(OpenCase {
        login: "x".into(),
        reason: "x".into(),
        reference: "x".into(),
        readers: "x".into(),
        until: "x".into(),
    })
    .refused(StatusCode::FORBIDDEN)
    .await;
    let case: i64 = open_case(
        "Verdacht auf Erpressung laut Anzeige der Eltern",
        reader_login.clone(),
    )
    .ok()
    .await;
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.case_opened'")
            .await,
        1
    );

    // The notice is in the inbox and on the start page at once.
    let notice = newest_item(&s, pupil, "inbox").await;
    let message: MessagePage = open(&pb, notice).await.json().await.unwrap();
    assert!(message.is_notice);
    assert!(message.subject.contains("AZ 2026/17"));
    assert!(
        message.body_html.contains("Maria Muster"),
        "names who opened it"
    );
    s.sql(&format!(
        "UPDATE mail_items SET is_read = FALSE WHERE id = {notice}"
    ))
    .await;
    let home = pb.page("/").await;
    assert!(
        home.contains("notice-banner") && home.contains("AZ 2026/17"),
        "banner at sign-in"
    );

    // The reader sees the mailbox marked as an inspection, and each opened message is logged.
    let case_page = rb.page(&format!("/mail/case?case={case}")).await;
    assert!(
        case_page.contains("Einsicht – Vorgang AZ 2026/17"),
        "{case_page}"
    );
    // SEC-1: the list page shows senders and subjects: browsing it is a read, logged too.
    assert_eq!(s.count("mail_case_reads").await, 1);
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.case_listed'")
            .await,
        1
    );
    let res = rb.send(CaseMessage { case, item: secret }).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(s.count("mail_case_reads").await, 2);
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.case_read'")
            .await,
        1
    );
    // Read-only: the reader's own endpoints do not reach the owner's items.
    let item = secret;
    rb.send(DeleteMessage { item })
        .refused(StatusCode::NOT_FOUND)
        .await;
    rb.send(MarkUnread { item })
        .refused(StatusCode::NOT_FOUND)
        .await;
    rb.send(Message { item })
        .refused(StatusCode::NOT_FOUND)
        .await;
    let res = send_as(&rb, &address(&pupil_login), "x", "y", "typed", 0, secret).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "no forwarding from the inspected mailbox"
    );
    // Others on the staff are not readers.
    let res = other_teacher.send(CaseMessage { case, item: secret }).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // At the end date the job closes it; the reader is out and the owner is told.
    s.sql(&format!(
        "UPDATE mail_cases SET ends_at = ends_at - 31 * 86400 WHERE id = {case}"
    ))
    .await;
    let res = rb.send(CaseMessage { case, item: secret }).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "access ends with the end date, job or not"
    );
    let report = s.run_jobs().await;
    assert_eq!(report.cases_closed, 1);
    assert_eq!(s.count("mail_cases WHERE closed_at IS NOT NULL").await, 1);
    // SEC-5: closed by the job, the event still belongs to the school.
    assert_eq!(
        s.count("audit_events WHERE action = 'mail.case_closed' AND school_id IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        s.count(&format!("mail_items i JOIN mail_messages m ON m.id = i.message_id WHERE i.user_id = {pupil} AND m.kind = 'notice'")).await,
        2
    );
    let res = rb
        .get(&format!("/mail/attachment/{secret}/1?case={case}"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

// FILE-3: "download all my data" holds every message as an .eml an independent parser reads,
// the address book entry as .vcf and the calendars as .ics.
#[tokio::test]
async fn file_3_export_holds_mail_as_eml() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, tb) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    send(
        &tb,
        &address(&login_of(&s, anna).await),
        "Zeugnis: Glückwunsch",
        "Sehr **gut** gemacht!",
    )
    .await;
    let res = ab.get("/account/export.zip").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let eml = names
        .iter()
        .find(|n| n.starts_with("Post/Posteingang/") && n.ends_with(".eml"))
        .unwrap_or_else(|| panic!("{names:?}"))
        .clone();
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&eml).unwrap(), &mut text).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&text).unwrap();
    assert_eq!(parsed.subject(), Some("Zeugnis: Glückwunsch"));
    assert_eq!(
        parsed.from().unwrap().first().unwrap().address(),
        Some("tina.muster@paulusschule.example")
    );
    assert!(
        parsed
            .body_text(0)
            .unwrap()
            .contains("Sehr **gut** gemacht!")
    );
    assert!(
        parsed
            .body_html(0)
            .unwrap()
            .contains("<strong>gut</strong>")
    );
    // AB-2, CAL-1: the own address book entry as vCard and the calendars as iCalendar.
    let login = login_of(&s, anna).await;
    let mut card = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("Adressbuch/{login}.vcf")).unwrap(),
        &mut card,
    )
    .unwrap();
    assert!(card.contains("BEGIN:VCARD") && card.contains(&format!("EMAIL:{login}@")));
    let mut ics = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("Kalender/{login}.ics")).unwrap(),
        &mut ics,
    )
    .unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR"));
    let mut readme = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("README.txt").unwrap(), &mut readme).unwrap();
    assert!(readme.contains("Post/"), "{readme}");
}

// SEC-3: 100,000 distinct recipients are refused by length before any splitting, with the
// limit named, and nothing is stored.
#[tokio::test]
async fn sec_3_a_huge_recipient_list_is_refused_with_its_limit() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, pupil) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let to: String = (0..100_000).map(|i| format!("k{i},")).collect();
    let before = s.fingerprint().await;
    let refusal = pupil
        .send(SendMail {
            draft: 0,
            forward: 0,
            to,
            subject: "Hallo".into(),
            body: "Hallo".into(),
            format: "typed".into(),
        })
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(refusal.detail.as_deref(), Some("1000"));
    assert_eq!(s.fingerprint().await, before);
}

// SEC-4, FILE-4: a blob counts against everyone who holds it. A draft attachment keeps
// counting after its file is deleted and the trash emptied; mailing oneself and deleting the
// sent copy frees nothing; deleting the last copy frees the space.
#[tokio::test]
async fn sec_4_attachments_count_against_the_quota() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Ada", None).await;
    let (anna, ab) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    admin
        .send(SetQuota {
            user_id: anna,
            quota_mb: "1".into(),
        })
        .ok::<()>()
        .await;
    let upload = ab.upload("me", 0, "eins.bin", vec![1; 600 * 1024]).await;
    assert_eq!(upload.status(), StatusCode::OK);
    let file: serde_json::Value = upload.json().await.unwrap();
    let file = file["ids"][0].as_i64().unwrap();
    let draft: i64 = ab.send(attach(0, file)).ok().await;
    // SEC-7: the same file twice in one message is refused.
    let twice = ab
        .send(attach(draft, file))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(twice.message, app::i18n::Key::MailAttachedTwice);
    ab.send(DeleteEntry { id: file }).ok::<()>().await;
    ab.send(EmptyTrash {
        space: "me".into(),
        id: 0,
    })
    .expect(StatusCode::OK)
    .await;
    let second = || ab.upload("me", 0, "zwei.bin", vec![2; 600 * 1024]);
    assert_eq!(
        second().await.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "the draft still holds the first 600 KB"
    );

    // Sent to herself, the sent copy deleted: the received copy still holds it.
    let own = format!("{}@{DOMAIN}", login_of(&s, anna).await);
    let res = send_as(&ab, &own, "Blatt", "Anbei.", "typed", draft, 0).await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", error_text(res).await);
    let sent = inbox(&ab, "sent", "").await.items[0].item_id;
    for _ in 0..2 {
        ab.send(DeleteMessage { item: sent }).ok::<()>().await;
    }
    assert_eq!(second().await.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let received = inbox(&ab, "inbox", "").await.items[0].item_id;
    for _ in 0..2 {
        ab.send(DeleteMessage { item: received }).ok::<()>().await;
    }
    assert_eq!(
        second().await.status(),
        StatusCode::OK,
        "the last reference is gone"
    );
}
