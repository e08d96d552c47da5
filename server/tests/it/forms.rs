//! Issue 18 §1: nothing typed is ever lost. Every plain form (no script) that the server
//! refuses comes back with its other values filled in; the values wait on the server under a
//! key bound to the session, never in the URL, and are given out once.

use crate::common::{Browser, TestServer, location};
use app::auth::Role;

/// One form of the app, posted from its page with one bad field.
struct Refused {
    page: &'static str,
    endpoint: &'static str,
    form: &'static [(&'static str, &'static str)],
    /// What the page must show again, as it appears in the HTML.
    kept: &'static [&'static str],
}

const FORMS: &[Refused] = &[
    // An address outside the school wiped recipients, subject and text.
    Refused {
        page: "/mail/compose",
        endpoint: "mail/send",
        form: &[
            ("draft", "0"),
            ("forward", "0"),
            ("format", "typed"),
            ("to", "fremd@example.org"),
            ("subject", "Ausflug am Freitag"),
            ("body", "Liebe Klasse,\nwir treffen uns um 8."),
        ],
        kept: &[
            r#"value="fremd@example.org""#,
            r#"value="Ausflug am Freitag""#,
            ">Liebe Klasse,\nwir treffen uns um 8.</textarea>",
        ],
    },
    // A time nobody can read wiped every field of the event.
    Refused {
        page: "/calendar/new?cal=me",
        endpoint: "calendar/create",
        form: &[
            ("calendar", "me"),
            ("id", "0"),
            ("version", "0"),
            ("title", "Elternabend 2b"),
            ("date", "11.12.2026"),
            ("start", "25:99"),
            ("end", ""),
            ("place", "Aula"),
            ("description", "Bitte pünktlich"),
            ("repeat", "weekly"),
            ("until", ""),
            ("exceptions", ""),
            ("reminder", "30"),
        ],
        kept: &[
            r#"value="Elternabend 2b""#,
            r#"value="11.12.2026""#,
            r#"value="25:99""#,
            r#"value="Aula""#,
            ">Bitte pünktlich</textarea>",
            r#"value="weekly" selected"#,
            r#"value="30""#,
        ],
    },
    Refused {
        page: "/files?space=me&folder=0",
        endpoint: "files/create-folder",
        form: &[("space", "me"), ("folder", "0"), ("name", "Bilder/Sommer")],
        kept: &[
            r#"value="Bilder/Sommer""#,
            // The field's message is beside the field, not only in the summary.
            r#"id="kept-error-name">Der Name darf keine Schrägstriche und keine Steuerzeichen enthalten.</p>"#,
        ],
    },
];

async fn refuse(b: &Browser, form: &Refused) -> String {
    let res = b.submit(form.endpoint, form.page, form.form).await;
    assert!(
        res.status().is_redirection(),
        "{}: {}",
        form.endpoint,
        res.status()
    );
    let back = location(&res);
    assert!(
        back.contains("__err=") && back.contains("__kept="),
        "{back}"
    );
    for (name, value) in form.form {
        if value.len() > 3 && *name != "format" {
            assert!(
                !back.contains(&value.replace(' ', "+")),
                "{name} travels in the URL"
            );
        }
    }
    back.strip_prefix(&b.base).unwrap_or(&back).to_string()
}

#[tokio::test]
async fn ux_1_refused_forms_come_back_filled_in_once() {
    let s = TestServer::start().await;
    let (school, teacher) = s.school_with(Role::Teacher).await;
    for form in FORMS {
        let back = refuse(&teacher, form).await;
        let page = teacher.page(&back).await;
        assert!(
            page.contains("data-testid=\"form-error\""),
            "{back}: the error is shown"
        );
        for kept in form.kept {
            assert!(
                page.contains(kept),
                "{}: {kept} is not on the page again",
                form.endpoint
            );
        }
        // Read once: a reload (or the tablet's next user going back) shows the empty form.
        let again = teacher.page(&back).await;
        for kept in form.kept {
            assert!(
                !again.contains(kept),
                "{}: {kept} shown twice",
                form.endpoint
            );
        }
    }
    // Bound to the session: another session with the same address gets nothing.
    let back = refuse(&teacher, &FORMS[0]).await;
    let (_, other) = s.ready_person(school, Role::Teacher, "Tom", None).await;
    assert!(!other.page(&back).await.contains("Ausflug am Freitag"));
    assert!(teacher.page(&back).await.contains("Ausflug am Freitag"));
    // A refused send left no copy of the text in a second draft.
    assert_eq!(s.count("mail_messages WHERE kind = 'draft'").await, 0);
    // Each kept form was given out once, and is gone.
    assert_eq!(s.count("kept_forms").await, 0);
}

// Issue 18 §7: a child's mail form speaks a child's words; staff keep "Betreff".
#[tokio::test]
async fn ux_7_a_childs_mail_form_has_no_jargon() {
    let s = TestServer::start().await;
    let (school, teacher) = s.school_with(Role::Teacher).await;
    let (_, pupil) = s
        .ready_person(school, Role::Pupil, "Lena", Some("2b"))
        .await;
    let page = pupil.page("/mail/compose").await;
    assert!(page.contains("Worum geht es?") && page.contains("Schreib hier deine Nachricht."));
    assert!(!page.contains("**fett**") && !page.contains(">Betreff<"));
    let page = teacher.page("/mail/compose").await;
    assert!(page.contains(">Betreff<") && page.contains("**fett**"));
}
