//! PAR-1, PAR-2, PAR-3: guardians register with the code slip the secretariat prints, see
//! exactly their linked children, lose a child's link at once, and are never staff.

use app::auth::Role;
use app::guardians::{
    AddChild, ChildHome, GiveConsent, Guardian, GuardiansOf, Home, Register, RequestEnd,
    SetRepresentative, Unlink,
};
use app::i18n::Key;
use app::lifecycle::{ConfirmEnd, EndRequest, EndRequests};
use app::mail::{SendMail, SetMailSettings, Suggest, Suggestion};
use app::users::UserSummary;
use reqwest::{StatusCode, header};

use crate::common::{Browser, TestServer};

const DOMAIN: &str = "paulusschule.example";
const GOOD: &str = "Wolke-Radio-Gurke-83!";

/// The codes on a printed letters page, in order.
fn codes(page: &str) -> Vec<String> {
    page.split("data-testid=\"guardian-code\"")
        .skip(1)
        .map(|after| {
            after[after.find('>').unwrap() + 1..]
                .split('<')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The secretariat prints `copies` letters for each of `pupils`.
async fn print_codes(
    s: &TestServer,
    office: &Browser,
    pupils: &[i64],
    copies: &str,
) -> Vec<String> {
    let mut form: Vec<(&str, String)> = pupils
        .iter()
        .map(|id| ("user_id", id.to_string()))
        .collect();
    form.push(("copies", copies.to_string()));
    let res = office
        .client
        .post(s.url("/admin/guardian-codes"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store",
        "the codes exist on this page only"
    );
    codes(&res.text().await.unwrap())
}

/// A school with its secretariat and administrator, and two siblings in two classes.
struct Family {
    school: i64,
    office: Browser,
    admin: Browser,
    mia: i64,
    ben: i64,
}

async fn family(s: &TestServer) -> Family {
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Ada", None).await;
    let (mia, _) = s
        .person(school, Role::Pupil, "Mia", "Schulz", Some("2b"), None)
        .await;
    let (ben, _) = s
        .person(school, Role::Pupil, "Ben", "Schulz", Some("4a"), None)
        .await;
    Family {
        school,
        office,
        admin,
        mia,
        ben,
    }
}

fn registration(code: &str, first: &str, last: &str, password: &str) -> Register {
    Register {
        code: code.into(),
        first_name: first.into(),
        last_name: last.into(),
        password: password.into(),
        repeat: password.into(),
    }
}

/// A parent registers with `code` in a browser of their own and accepts the policy.
async fn register(s: &TestServer, school: i64, code: &str, first: &str, last: &str) -> Browser {
    let b = s.browser();
    b.send(registration(code, first, last, GOOD))
        .expect(StatusCode::OK)
        .await;
    // VIOL-1: the policy comes first, as for everyone.
    let res = b.get("/").await;
    assert_eq!(crate::common::location(&res), "/policy");
    let version = s
        .scalar(&format!(
            "SELECT MAX(id) FROM policy_versions WHERE school_id = {school}"
        ))
        .await;
    let accepted = b
        .call("policy/accept", &[("version_id", &version.to_string())])
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    b
}

async fn children(b: &Browser) -> Vec<String> {
    b.send(Home {})
        .ok::<Vec<ChildHome>>()
        .await
        .into_iter()
        .map(|c| {
            format!(
                "{} {}",
                c.child.first_name,
                c.child.class.unwrap_or_default()
            )
        })
        .collect()
}

// PAR-2, PAR-1, PW-1: the secretariat prints two letters (two households); each parent
// registers on a phone with their code, without an e-mail address, and is signed in with the
// link in place; a code works once, an expired one not at all; a sibling is added with the
// next code; the administrator can print none; the database keeps no code.
#[tokio::test]
async fn par_2_registration_with_code_slips_two_households_and_siblings() {
    let s = TestServer::start().await;
    let Family {
        school,
        office,
        admin,
        mia,
        ben,
    } = family(&s).await;

    // ADM-1, PAR-1: the administrator prints no code; nothing is stored.
    let refused = admin
        .client
        .post(s.url("/admin/guardian-codes"))
        .form(&[("user_id", mia.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count("guardian_codes").await, 0);
    let admin_page = admin.page(&format!("/admin/users/{mia}")).await;
    assert!(!admin_page.contains("print-codes"), "no letters offered");

    // A whole class from the class's page: one letter a pupil (Mia is 2b's only pupil).
    let class_2b = s.scalar("SELECT id FROM groups WHERE name = '2b'").await;
    let class_page = office.page(&format!("/admin/groups/{class_2b}")).await;
    assert!(class_page.contains("Eltern-Zugänge für die 2b drucken"));
    assert!(
        !admin
            .page(&format!("/admin/groups/{class_2b}"))
            .await
            .contains("/admin/guardian-codes")
    );
    let res = office
        .client
        .post(s.url("/admin/guardian-codes"))
        .form(&[("class", "2b")])
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&res.text().await.unwrap()).len(), 1);

    let letters = print_codes(&s, &office, &[mia], "2").await;
    assert_eq!(letters.len(), 2, "one letter each household");
    assert_ne!(letters[0], letters[1]);
    assert!(
        letters
            .iter()
            .all(|c| c.len() == 19 && c.matches('-').count() == 3)
    );
    // Only hashes are kept: no table holds a code.
    for (table, rows) in s.dump().await {
        for code in &letters {
            assert!(
                !rows.contains(&code.replace('-', "")),
                "{table} holds a code"
            );
        }
    }

    // The registration page is public and names what it needs; a signed-in person is sent home.
    let anonymous = s.browser();
    let page = anonymous.page("/register").await;
    assert!(page.contains("name=\"code\"") && page.contains("Eltern-Zugang einrichten"));
    assert!(!page.contains("E-Mail-Adresse</label>"));

    // PW-1: the school's password rule, and no password built from the parent's own name.
    for weak in ["kurz", "Schulz-2024!"] {
        let refusal = anonymous
            .send(registration(&letters[0], "Petra", "Schulz", weak))
            .refused(StatusCode::BAD_REQUEST)
            .await;
        assert!(refusal.field_message("password").is_some(), "{weak}");
    }
    assert_eq!(s.count("users WHERE role = 'guardian'").await, 0);

    // The first household: the code typed as people type it (lower case, spaces).
    let typed = letters[0].to_lowercase().replace('-', " ");
    let petra = register(&s, school, &typed, "Petra", "Schulz").await;
    assert_eq!(children(&petra).await, vec!["Mia 2b"]);
    assert_eq!(
        s.text("SELECT login FROM users WHERE role = 'guardian'")
            .await,
        "petra.schulz",
        "the school's one login rule"
    );
    let home = petra.page("/").await;
    assert!(home.contains("data-testid=\"child-tabs\"") && home.contains("Mia"));

    // PAR-2: the same code again is refused kindly, and creates nobody.
    let again = s
        .browser()
        .send(registration(&letters[0], "Olaf", "Schulz", GOOD))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(again.field_message("code"), Some(Key::GuardiansCodeUsed));
    assert_eq!(s.count("users WHERE role = 'guardian'").await, 1);

    // The second household, with the second letter; the secretariat sees both.
    let _olaf = register(&s, school, &letters[1], "Olaf", "Schulz").await;
    let guardians: Vec<Guardian> = office.send(GuardiansOf { pupil_id: mia }).ok().await;
    let names: Vec<&str> = guardians.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Olaf Schulz", "Petra Schulz"]);
    assert_eq!(
        s.text("SELECT login FROM users WHERE first_name = 'Olaf'")
            .await,
        "olaf.schulz"
    );

    // Siblings: Petra adds Ben with his letter.
    let ben_code = print_codes(&s, &office, &[ben], "1").await;
    petra
        .send(AddChild {
            code: ben_code[0].clone(),
        })
        .expect(StatusCode::OK)
        .await;
    assert_eq!(children(&petra).await, vec!["Ben 4a", "Mia 2b"]);
    let twice = petra
        .send(AddChild {
            code: ben_code[0].clone(),
        })
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(twice.field_message("code"), Some(Key::GuardiansCodeUsed));

    // An expired code is refused and says so.
    let expired = "MMMM-NNNN-PPPP-QQQQ";
    s.sql(&format!(
        "INSERT INTO guardian_codes (school_id, pupil_id, code_hash, created_at, expires_at)
         VALUES ({school}, {mia}, '{}', 0, 1)",
        app::guardians::code_hash(&app::rules::guardian::normalise(expired).unwrap())
    ))
    .await;
    let late = s
        .browser()
        .send(registration(expired, "Erik", "Spät", GOOD))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(late.field_message("code"), Some(Key::GuardiansCodeExpired));

    // A signed-in person cannot register another account over their own session.
    let over = petra
        .send(registration(
            &print_codes(&s, &office, &[mia], "1").await[0],
            "Zoe",
            "Z",
            GOOD,
        ))
        .refused(StatusCode::FORBIDDEN)
        .await;
    assert_eq!(over.message, Key::GuardiansSignOutFirst);
    assert_eq!(s.count("users WHERE role = 'guardian'").await, 2);
    assert_eq!(
        s.count("audit_events WHERE action = 'guardian.registered'")
            .await,
        2
    );
}

// PAR-2, issue 18 §1: without JavaScript a refused registration comes back with the code and
// the names kept (never the password); a guessed code is throttled like a sign-in.
#[tokio::test]
async fn par_2_refused_registration_keeps_the_form_and_guessing_is_throttled() {
    let s = TestServer::start().await;
    s.school("Paulusschule", DOMAIN).await;
    let b = s.browser();
    let res = b
        .submit(
            "guardians/register",
            "/register",
            &[
                ("code", "HK7M-QP3R-XT9W-4NCD"),
                ("first_name", "Petra"),
                ("last_name", "Schulz"),
                ("password", "Tinte&Feder42"),
                ("repeat", "Tinte&Feder42"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = crate::common::location(&res);
    let back = location.trim_start_matches(s.base.as_str());
    assert!(back.starts_with("/register?"), "{back}");
    let page = b.page(back).await;
    assert!(page.contains("value=\"Petra\"") && page.contains("value=\"Schulz\""));
    assert!(page.contains("value=\"HK7M-QP3R-XT9W-4NCD\""));
    assert!(
        !page.contains("Tinte&amp;Feder42") && !page.contains("Tinte&Feder42"),
        "the password is never kept"
    );
    assert!(page.contains("Diesen Code kennen wir nicht"));
    // Read once: the next visit starts empty.
    assert!(!b.page("/register").await.contains("value=\"Petra\""));

    // SEC-2: guessing from one address is slowed down, and then even a right code waits.
    let mut throttled = false;
    for n in 0..20 {
        let guess = format!("HK7M-QP3R-XT9W-{}", ["AAAA", "BBBB", "CCCC", "DDDD"][n % 4]);
        let res = b.send(registration(&guess, "Gero", "Rate", GOOD)).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    assert!(throttled, "guessing is throttled");
    assert_eq!(s.count("users WHERE role = 'guardian'").await, 0);
    assert!(
        s.count("audit_events WHERE action = 'guardian.code_failed'")
            .await
            >= 10,
        "each wrong code is on record"
    );
}

// PAR-1: the secretariat removes a link with a reason, and it takes effect at once: the
// guardian's next request no longer sees that child, their session stays for the other; with
// the last child gone the account is locked and signed out. Administrators can do neither.
#[tokio::test]
async fn par_1_link_removed_at_once_last_child_locks_the_guardian() {
    let s = TestServer::start().await;
    let Family {
        school,
        office,
        admin,
        mia,
        ben,
    } = family(&s).await;
    let letters = print_codes(&s, &office, &[mia, ben], "1").await;
    let petra = register(&s, school, &letters[0], "Petra", "Schulz").await;
    petra
        .send(AddChild {
            code: letters[1].clone(),
        })
        .expect(StatusCode::OK)
        .await;
    let guardian = s
        .scalar("SELECT id FROM users WHERE role = 'guardian'")
        .await;
    assert_eq!(children(&petra).await.len(), 2);

    // ADM-1, PAR-1: the people table lists guardians for the secretariat, never for the
    // administrator (the rights table's `View`).
    let people = |b: &Browser| {
        b.send(app::users::ListUsers {
            query: String::new(),
            sort: "name".into(),
            page: 1,
        })
        .ok::<app::users::UserList>()
    };
    let names = |list: app::users::UserList| -> Vec<String> {
        list.rows.into_iter().map(|r| r.first_name).collect()
    };
    assert!(names(people(&office).await).contains(&"Petra".to_string()));
    assert!(!names(people(&admin).await).contains(&"Petra".to_string()));
    // The pupil's page shows the secretariat the guardians; the administrator sees no card.
    let page = office.page(&format!("/admin/users/{mia}")).await;
    assert!(page.contains("data-testid=\"guardians\"") && page.contains("Petra Schulz"));
    // PAR-3: Mia is in 2b, so her class's parent representative can be marked.
    assert!(page.contains("data-testid=\"toggle-representative\""));
    let unlink = |pupil_id, reason: &str| Unlink {
        pupil_id,
        guardian_id: guardian,
        reason: reason.into(),
    };
    let before = s.fingerprint().await;
    admin
        .send(unlink(ben, "Sorgerecht"))
        .refused(StatusCode::FORBIDDEN)
        .await;
    admin
        .send(GuardiansOf { pupil_id: ben })
        .refused(StatusCode::FORBIDDEN)
        .await;
    // A reason is required; without one nothing changes.
    let no_reason = office
        .send(unlink(ben, "  "))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(no_reason.field_message("reason"), Some(Key::ErrorRequired));
    assert_eq!(s.fingerprint().await, before);

    office
        .send(unlink(ben, "Sorgerecht laut Beschluss"))
        .expect(StatusCode::OK)
        .await;
    assert_eq!(
        children(&petra).await,
        vec!["Mia 2b"],
        "at once, same session"
    );
    assert_eq!(
        s.count("audit_events WHERE action = 'guardian.unlinked'")
            .await,
        1
    );
    // Adding Ben again needs a new letter: the old code is used up.
    let again = petra
        .send(AddChild {
            code: letters[1].clone(),
        })
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(again.field_message("code"), Some(Key::GuardiansCodeUsed));

    // The last child: the account is locked, its sessions end, the reason is on record.
    office
        .send(unlink(mia, "Umzug"))
        .expect(StatusCode::OK)
        .await;
    assert_eq!(
        petra.send(Home {}).await.status(),
        StatusCode::UNAUTHORIZED,
        "signed out everywhere"
    );
    assert_eq!(
        s.text(&format!("SELECT status FROM users WHERE id = {guardian}"))
            .await,
        "locked"
    );
    assert_eq!(
        s.text(&format!(
            "SELECT status_reason FROM users WHERE id = {guardian}"
        ))
        .await,
        "Kein Kind mehr verbunden"
    );
    let res = s.browser().login("petra.schulz", GOOD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "locked");

    // LIFE-3: deleted after the school's grace period like any leaver, leaving no residue.
    let needles = vec!["petra.schulz".to_string(), "petra".to_string()];
    assert!(
        !crate::lifecycle::residue(&s, &needles, guardian)
            .await
            .is_empty()
    );
    assert_eq!(s.run_jobs().await.deleted, 0, "not before the grace period");
    s.sql(&format!(
        "UPDATE users SET deletion_due_at = deletion_due_at - 8 * 86400 WHERE id = {guardian}"
    ))
    .await;
    assert_eq!(s.run_jobs().await.deleted, 1);
    let left = crate::lifecycle::residue(&s, &needles, guardian).await;
    assert!(left.is_empty(), "residue: {left:?}");
    assert_eq!(
        s.count("users WHERE role = 'pupil'").await,
        2,
        "the children stay"
    );
}

// PAR-3, AB-1, MAIL-3: a guardian's home shows their child's class and school events; the
// address book shows them the staff and no pupil; they write to staff only, and no pupil
// writes to them. Guardians fall into no staff branch (FILE-4: the guardians' quota).
#[tokio::test]
async fn par_3_guardians_see_their_child_and_talk_to_staff_only() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (_, teacher) = s
        .ready_person(school, Role::Teacher, "Lea", Some("2b"))
        .await;
    let (mia, mia_b) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let (_, other_class) = s
        .ready_person(school, Role::Teacher, "Tom", Some("3c"))
        .await;
    let letters = print_codes(&s, &office, &[mia], "1").await;
    let petra = register(&s, school, &letters[0], "Petra", "Schulz").await;

    // The class's event and the school's, never another class's.
    let (y, m, d, _, _) = app::rules::date::berlin_time(app::platform::now() + 2 * 86_400);
    let day = format!("{d:02}.{m:02}.{y:04}");
    let class_2b = s.scalar("SELECT id FROM groups WHERE name = '2b'").await;
    let class_3c = s.scalar("SELECT id FROM groups WHERE name = '3c'").await;
    for (b, calendar, title) in [
        (&teacher, format!("g{class_2b}"), "Wandertag 2b"),
        (&other_class, format!("g{class_3c}"), "Theater 3c"),
        (&office, "school".to_string(), "Elternabend"),
    ] {
        let event = app::calendar::CreateEvent {
            calendar,
            title: title.into(),
            place: String::new(),
            description: String::new(),
            date: day.clone(),
            start: "9:00".into(),
            end: "12:00".into(),
            repeat: String::new(),
            until: String::new(),
            exceptions: String::new(),
            reminder: String::new(),
        };
        b.send(event).ok::<i64>().await;
    }
    let home: Vec<ChildHome> = petra.send(Home {}).ok().await;
    let titles: Vec<&str> = home[0].upcoming.iter().map(|o| o.title.as_str()).collect();
    assert!(
        titles.contains(&"Wandertag 2b") && titles.contains(&"Elternabend"),
        "{titles:?}"
    );
    assert!(!titles.contains(&"Theater 3c"), "another class's calendar");
    // The guardian is no member of the class: its calendar is not theirs to open.
    let view = petra
        .call(
            "calendar/view",
            &[
                ("calendar", format!("g{class_2b}").as_str()),
                ("view", "week"),
                ("date", day.as_str()),
            ],
        )
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&view.status()),
        "{}",
        view.status()
    );

    // AB-1, PAR-3: staff only in the guardian's address book; pupils never see the guardian.
    let book = petra.page("/addressbook?q=").await;
    assert!(book.contains("Lea Muster") && !book.contains("Mia Muster"));
    let pupils_book = mia_b.page("/addressbook?q=schulz").await;
    assert!(!pupils_book.contains("Petra"));

    // MAIL-3, PAR-3: to staff yes, to a pupil no; no pupil writes to a guardian.
    let mail = |to: &str| SendMail {
        draft: 0,
        forward: 0,
        to: format!("{to}@{DOMAIN}"),
        subject: "Frage".into(),
        body: "Hallo".into(),
        format: "typed".into(),
    };
    petra.send(mail("lea.muster")).expect(StatusCode::OK).await;
    let to_pupil = petra
        .send(mail("mia.muster"))
        .refused(StatusCode::FORBIDDEN)
        .await;
    assert_eq!(to_pupil.message, Key::MailPersonNotAllowed);
    assert_eq!(
        to_pupil.detail.as_deref(),
        Some("mia.muster@paulusschule.example")
    );
    mia_b
        .send(mail("petra.schulz"))
        .refused(StatusCode::FORBIDDEN)
        .await;
    teacher
        .send(mail("petra.schulz"))
        .expect(StatusCode::OK)
        .await;
    // PAR-3: the newest message shows on the guardian's home page.
    let home_page = petra.page("/").await;
    assert!(
        home_page.contains("data-testid=\"latest-messages\"") && home_page.contains("Frage"),
        "the latest messages on the home page"
    );

    // FILE-4, PAR-1: the guardians' quota, not the staff's or the children's.
    let files = petra.page("/files").await;
    assert!(files.contains("50 MB"), "the guardians' quota");
}

/// The inbox copies a person holds of messages with this subject.
async fn received(s: &TestServer, user: i64, subject: &str) -> i64 {
    s.count(&format!(
        "mail_items i JOIN mail_messages m ON m.id = i.message_id
         WHERE i.user_id = {user} AND i.box = 'inbox' AND m.subject = '{subject}'"
    ))
    .await
}

// PAR-3, MAIL-3: a family writes to the staff of its children's classes, the office and the
// head, and nobody else; staff reach a class's parents at `eltern-2b@`, as does the parent
// representative the secretariat marks; families have their own row of the mass-mail guard.
#[tokio::test]
async fn par_3_families_write_to_their_classes_staff_office_and_head() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (_, _head) = s
        .ready_person(school, Role::Management, "Maria", None)
        .await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    let (_, lea) = s
        .ready_person(school, Role::Teacher, "Lea", Some("2b"))
        .await;
    let (_, tom) = s
        .ready_person(school, Role::Teacher, "Tom", Some("3c"))
        .await;
    let (mia, mia_b) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let (ben, _) = s.ready_person(school, Role::Pupil, "Ben", Some("2b")).await;
    let letters = print_codes(&s, &office, &[mia, ben], "1").await;
    let petra = register(&s, school, &letters[0], "Petra", "Schulz").await;
    let _bernd = register(&s, school, &letters[1], "Bernd", "Berg").await;
    let id = |login: &str| {
        let login = login.to_string();
        let s = &s;
        async move {
            s.scalar(&format!("SELECT id FROM users WHERE login = '{login}'"))
                .await
        }
    };
    let (petra_id, bernd_id) = (id("petra.schulz").await, id("bernd.berg").await);
    let mail = |to: &str, subject: &str| SendMail {
        draft: 0,
        forward: 0,
        to: to
            .split(',')
            .map(|local| format!("{local}@{DOMAIN}"))
            .collect::<Vec<_>>()
            .join(", "),
        subject: subject.into(),
        body: "Hallo".into(),
        format: "typed".into(),
    };

    // The class's teacher, the office and the head: yes. Another class's teacher: no.
    for to in ["lea.muster", "sabine.muster", "maria.muster"] {
        petra.send(mail(to, "Frage")).expect(StatusCode::OK).await;
    }
    let other = petra
        .send(mail("tom.muster", "Frage"))
        .refused(StatusCode::FORBIDDEN)
        .await;
    assert_eq!(other.message, Key::MailGuardianNotAllowed);
    assert_eq!(
        other.detail.as_deref(),
        Some("tom.muster@paulusschule.example")
    );
    // Nor a family of the class, nor the class's own address.
    petra
        .send(mail("bernd.berg", "Frage"))
        .refused(StatusCode::FORBIDDEN)
        .await;
    petra
        .send(mail("klasse-2b", "Frage"))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    // What is offered when typing is what may be written to.
    let offered: Vec<Suggestion> = petra
        .send(Suggest {
            query: "muster".into(),
        })
        .ok()
        .await;
    let mut offered: Vec<&str> = offered.iter().map(|o| o.address.as_str()).collect();
    offered.sort_unstable();
    assert_eq!(
        offered,
        [
            "lea.muster@paulusschule.example",
            "maria.muster@paulusschule.example",
            "sabine.muster@paulusschule.example"
        ]
    );

    // AB-1, PAR-3: the teachers of the child's class find the guardian, with the child and
    // the phone number given for the school; another class's teacher, pupils and other
    // families do not. The secretariat finds every guardian.
    let saved = petra
        .call(
            "addressbook/save",
            &[
                ("phone", "0176 1234567"),
                ("postal", ""),
                ("birthday", ""),
                ("note", ""),
                ("show_phone", "on"),
            ],
        )
        .await;
    assert!(saved.status().is_success() || saved.status().is_redirection());
    let book = lea.page("/addressbook?q=schulz").await;
    assert!(
        book.contains("Petra Schulz")
            && book.contains("Mia Muster · 2b")
            && book.contains("0176 1234567"),
        "the class teacher's address book"
    );
    assert!(
        office
            .page("/addressbook?q=schulz")
            .await
            .contains("Petra Schulz")
    );
    for (who, b) in [
        ("another class's teacher", &tom),
        ("a pupil", &mia_b),
        ("a parent", &_bernd),
    ] {
        assert!(
            !b.page("/addressbook?q=schulz").await.contains("Petra"),
            "{who}"
        );
    }
    assert!(
        petra
            .page("/addressbook")
            .await
            .contains("Ihre Angaben sehen nur die Schule"),
        "the guardian is told who sees their details"
    );

    // The class's parents' address: the staff reach every family of the 2b.
    let offered: Vec<Suggestion> = lea
        .send(Suggest {
            query: "eltern".into(),
        })
        .ok()
        .await;
    assert!(
        offered
            .iter()
            .any(|o| o.address == "eltern-2b@paulusschule.example" && o.label == "Eltern der 2b"),
        "{offered:?}"
    );
    lea.send(mail("eltern-2b", "Wandertag"))
        .expect(StatusCode::OK)
        .await;
    assert_eq!(received(&s, petra_id, "Wandertag").await, 1);
    assert_eq!(received(&s, bernd_id, "Wandertag").await, 1);
    assert_eq!(
        received(&s, mia, "Wandertag").await,
        0,
        "parents, not pupils"
    );
    let refused = petra
        .send(mail("eltern-2b", "Kuchen"))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(refused.message, Key::MailGroupNotAllowed);

    // The secretariat makes Petra the class's parent representative: now she writes to it.
    office
        .send(SetRepresentative {
            pupil_id: mia,
            guardian_id: petra_id,
            representative: "yes".into(),
        })
        .ok::<()>()
        .await;
    let listed: Vec<Guardian> = office.send(GuardiansOf { pupil_id: mia }).ok().await;
    assert!(listed[0].representative);
    petra
        .send(mail("eltern-2b", "Kuchen"))
        .expect(StatusCode::OK)
        .await;
    assert_eq!(received(&s, bernd_id, "Kuchen").await, 1);
    assert_eq!(received(&s, petra_id, "Kuchen").await, 0, "not to herself");
    // Only a guardian of the pupil is marked; and never by the administrator.
    office
        .send(SetRepresentative {
            pupil_id: ben,
            guardian_id: petra_id,
            representative: "yes".into(),
        })
        .refused(StatusCode::NOT_FOUND)
        .await;
    admin
        .send(SetRepresentative {
            pupil_id: mia,
            guardian_id: petra_id,
            representative: "no".into(),
        })
        .refused(StatusCode::FORBIDDEN)
        .await;
    assert_eq!(
        s.count("audit_events WHERE action = 'guardian.representative'")
            .await,
        1
    );

    // MAIL-3: the families' row of the mass-mail guard (5 recipients by default); a call of
    // `mail/set-settings` written before the row existed keeps it as it is.
    let too_many = petra
        .send(mail(
            "lea.muster,sabine.muster,maria.muster,eltern-2b,tom.muster,bernd.berg",
            "Viele",
        ))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(too_many.message, Key::MailTooManyRecipients);
    let old_script = admin
        .call(
            "mail/set-settings",
            &[
                ("pupil_recipients", "5"),
                ("pupil_per_hour", "30"),
                ("staff_recipients", "50"),
                ("staff_per_hour", "200"),
                ("pupils_to_class", "no"),
                ("trash_days", "30"),
            ],
        )
        .await;
    assert_eq!(old_script.status(), StatusCode::OK);
    let kept = s
        .text(&format!(
            "SELECT mail_guardian_recipients || '/' || mail_guardian_per_hour FROM schools WHERE id = {school}"
        ))
        .await;
    assert_eq!(kept, "5/20");
    admin
        .send(SetMailSettings {
            pupil_recipients: 5,
            pupil_per_hour: 30,
            staff_recipients: 50,
            staff_per_hour: 200,
            pupils_to_class: "no".into(),
            trash_days: 30,
            guardian_recipients: Some(1),
            guardian_per_hour: Some(20),
        })
        .ok::<()>()
        .await;
    let two = petra
        .send(mail("lea.muster,sabine.muster", "Zwei"))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(two.message, Key::MailTooManyRecipients);
    // The staff's row is untouched by the families'.
    lea.send(mail("sabine.muster,maria.muster", "Zwei"))
        .expect(StatusCode::OK)
        .await;
}

// VIOL-1, PAR-4, LIFE-1: a guardian gives the policy consent for their child online (the
// exact version, their own name typed, audited), and the people table says it came online; a
// guardian asks for their child's use to end, and management, which may withdraw nobody
// otherwise, confirms it, which withdraws the child at once.
#[tokio::test]
async fn par_4_consent_online_and_the_end_of_use_confirmed_by_management() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", DOMAIN).await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (_, head) = s
        .ready_person(school, Role::Management, "Maria", None)
        .await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    let (mia, mia_b) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let (ben, _) = s.ready_person(school, Role::Pupil, "Ben", Some("2b")).await;
    let letters = print_codes(&s, &office, &[mia], "1").await;
    let petra = register(&s, school, &letters[0], "Petra", "Schulz").await;
    let version = s
        .scalar(&format!(
            "SELECT MAX(id) FROM policy_versions WHERE school_id = {school}"
        ))
        .await;
    let home: Vec<ChildHome> = petra.send(Home {}).ok().await;
    assert_eq!(home[0].consent.version_id, Some(version));
    assert_eq!(home[0].consent.given_at, None);
    assert!(
        petra
            .page("/")
            .await
            .contains("data-testid=\"consent-form\"")
    );

    let consent = |pupil_id: i64, version_id: i64, name: &str, agree: bool| GiveConsent {
        pupil_id,
        version_id,
        signed_name: name.into(),
        agree: agree.then(|| "on".to_string()),
    };
    let refused = petra
        .send(consent(mia, version, "Petra Schulz", false))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(refused.fields[0].field, "agree");
    let wrong = petra
        .send(consent(mia, version, "Paula Meier", true))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(wrong.fields[0].message, Key::GuardiansConsentNameWrong);
    assert_eq!(wrong.detail.as_deref(), Some("Petra Schulz"));
    let stale = petra
        .send(consent(mia, version + 1000, "Petra Schulz", true))
        .refused(StatusCode::CONFLICT)
        .await;
    assert_eq!(stale.message, Key::GuardiansConsentOutdated);
    // Another family's child is nobody's business here.
    petra
        .send(consent(ben, version, "Petra Schulz", true))
        .refused(StatusCode::NOT_FOUND)
        .await;
    assert_eq!(s.count("parent_consents").await, 0);
    petra
        .send(consent(mia, version, "  petra   SCHULZ ", true))
        .expect(StatusCode::OK)
        .await;
    assert_eq!(
        s.text(&format!(
            "SELECT signed_name FROM parent_consents WHERE user_id = {mia}"
        ))
        .await,
        "petra SCHULZ"
    );
    assert_eq!(
        s.count("audit_events WHERE action = 'policy.parent_consent_online'")
            .await,
        1
    );
    let home: Vec<ChildHome> = petra.send(Home {}).ok().await;
    assert!(home[0].consent.given_at.is_some() && home[0].consent.online);
    // The people table says which way each consent came.
    office
        .call("policy/parent-consent", &[("user_id", &ben.to_string())])
        .await;
    let row = |id: i64| app::users::UserDetail { user_id: id };
    let (mia_row, ben_row): (UserSummary, UserSummary) = (
        office.send(row(mia)).ok().await,
        office.send(row(ben)).ok().await,
    );
    assert!(mia_row.parent_consent && mia_row.parent_consent_online);
    assert!(ben_row.parent_consent && !ben_row.parent_consent_online);

    // LIFE-1: the request, once (a second is the same request), with a note.
    let end = |pupil_id: i64, note: &str| RequestEnd {
        pupil_id,
        note: note.into(),
    };
    petra
        .send(end(ben, "Umzug"))
        .refused(StatusCode::NOT_FOUND)
        .await;
    petra
        .send(end(mia, "Bad\u{7}note"))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    for _ in 0..2 {
        petra
            .send(end(mia, "Wir ziehen nach Hamburg."))
            .expect(StatusCode::OK)
            .await;
    }
    assert_eq!(s.count("end_requests").await, 1);
    let home: Vec<ChildHome> = petra.send(Home {}).ok().await;
    assert!(home[0].end_requested.is_some());
    // Only management sees and confirms it; the administrator and the secretariat do not.
    for other in [&admin, &office, &petra] {
        other
            .send(EndRequests {})
            .refused(StatusCode::FORBIDDEN)
            .await;
    }
    let open: Vec<EndRequest> = head.send(EndRequests {}).ok().await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].pupil, "Mia Muster");
    assert_eq!(open[0].guardian.as_deref(), Some("Petra Schulz"));
    assert_eq!(open[0].note, "Wir ziehen nach Hamburg.");
    assert!(head.page("/").await.contains("Wir ziehen nach Hamburg."));
    // Management gains no general right to withdraw: only through a family's request.
    let withdraw = head
        .call("lifecycle/withdraw", &[("user_id", &ben.to_string())])
        .await;
    assert_eq!(withdraw.status(), StatusCode::FORBIDDEN);
    office
        .send(ConfirmEnd {
            request_id: open[0].id,
        })
        .refused(StatusCode::FORBIDDEN)
        .await;
    head.send(ConfirmEnd {
        request_id: open[0].id,
    })
    .ok::<()>()
    .await;
    assert_eq!(
        s.text(&format!("SELECT status FROM users WHERE id = {mia}"))
            .await,
        "withdrawn"
    );
    assert_eq!(
        s.count(&format!(
            "users WHERE id = {mia} AND deletion_due_at IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        mia_b.call("mail/unread", &[]).await.status(),
        StatusCode::UNAUTHORIZED,
        "the child's sessions end at once"
    );
    assert!(
        head.send(EndRequests {})
            .ok::<Vec<EndRequest>>()
            .await
            .is_empty()
    );
    head.send(ConfirmEnd {
        request_id: open[0].id,
    })
    .refused(StatusCode::NOT_FOUND)
    .await;
    assert_eq!(
        s.count(&format!(
            "audit_events WHERE action = 'user.withdrawn' AND subject_id = {mia}"
        ))
        .await,
        1
    );
    // PAR-1, LIFE-3: when the child's account is deleted, a guardian with no other child is
    // locked and signed out, and their own deletion is scheduled; the consent stays given.
    s.sql(&format!(
        "UPDATE users SET deletion_due_at = 1 WHERE id = {mia}"
    ))
    .await;
    s.run_jobs().await;
    assert_eq!(s.count(&format!("users WHERE id = {mia}")).await, 0);
    assert_eq!(
        s.text("SELECT status FROM users WHERE login = 'petra.schulz'")
            .await,
        "locked"
    );
    assert_eq!(
        s.count("users WHERE login = 'petra.schulz' AND deletion_due_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        petra.call("guardians/home", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
