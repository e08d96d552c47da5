//! ABS-1, ABS-2, ABS-3: a family reports a child absent from the phone, the class teacher's
//! morning list shows it and marks a child missing without a report, the office calls that
//! child's family, the term's counts add up, and the details go after the school year.

use app::absences::{
    AbsenceSettings, ClassDay, ClassRef, Classes, DayState, Mark, Missing, MissingChild,
    MorningList, Reached, Report, SetSettings, Settings, Term, TermRecord,
};
use app::auth::Role;
use app::guardians::{ChildHome, Home};
use app::i18n::Key;
use app::rules::absence as rule;
use reqwest::StatusCode;

use crate::common::{Browser, TestServer};

/// Today in German school time, as a day number.
fn today() -> i64 {
    let (y, m, d, _, _) = app::rules::date::berlin_time(app::platform::now());
    app::rules::date::days_from_civil(y, m, d)
}

fn report(pupil_id: i64, from: &str, to: &str, part: &str, reason: &str, note: &str) -> Report {
    Report {
        pupil_id,
        from: from.into(),
        to: to.into(),
        part: part.into(),
        reason: reason.into(),
        note: note.into(),
    }
}

/// Class 2b with its class teacher, three pupils, and a guardian each for two of them.
struct Class {
    s: TestServer,
    school: i64,
    class: i64,
    teacher: Browser,
    office: Browser,
    mia: i64,
    lena: i64,
    emil: i64,
    /// Mia's mother.
    petra: Browser,
    /// Lena's father.
    karl: Browser,
}

async fn class_2b() -> Class {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let (teacher_id, teacher) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let mut pupils = Vec::new();
    for first in ["Mia", "Lena", "Emil"] {
        let (id, _) = s
            .person(school, Role::Pupil, first, "Schulz", Some("2b"), None)
            .await;
        pupils.push(id);
    }
    let (mia, lena, emil) = (pupils[0], pupils[1], pupils[2]);
    let class = s
        .scalar(&format!(
            "SELECT group_id FROM group_members WHERE user_id = {mia}"
        ))
        .await;
    s.sql(&format!(
        "INSERT INTO group_members (group_id, user_id, is_owner) VALUES ({class}, {teacher_id}, TRUE)"
    ))
    .await;
    let (petra_id, petra) = s.ready_person(school, Role::Guardian, "Petra", None).await;
    let (karl_id, karl) = s.ready_person(school, Role::Guardian, "Karl", None).await;
    for (guardian, pupil) in [(petra_id, mia), (karl_id, lena)] {
        s.sql(&format!(
            "INSERT INTO guardian_links (guardian_id, pupil_id, school_id, created_at)
             VALUES ({guardian}, {pupil}, {school}, 0)"
        ))
        .await;
    }
    // Karl shows the school his number; Petra gave none.
    s.sql(&format!(
        "INSERT INTO address_fields (user_id, phone, show_phone, updated_at) VALUES ({karl_id}, '0151 2345678', TRUE, 0)"
    ))
    .await;
    Class {
        s,
        school,
        class,
        teacher,
        office,
        mia,
        lena,
        emil,
        petra,
        karl,
    }
}

fn state_of(list: &MorningList, pupil: i64) -> DayState {
    list.rows
        .iter()
        .find(|r| r.pupil_id == pupil)
        .map(|r| r.state.clone())
        .expect("the pupil is on the list")
}

// ABS-1: a family reports its child absent: the days as typed, the reason, a note without a
// diagnosis; the home page shows the report, and from the third school day the doctor's note.
// Every bad field is refused with its own message and nothing written.
#[tokio::test]
async fn abs_1_a_family_reports_a_child_absent_and_sees_it() {
    let c = class_2b().await;
    let s = &c.s;
    let today = today();
    let lang = app::i18n::Lang::De;
    let typed = |day: i64| lang.day(&rule::date_of(day));
    let refused = [
        (
            report(c.mia, &typed(today - 8), "", "whole", "sick", ""),
            "from",
            Key::AbsTooFarBack,
        ),
        (
            report(c.mia, &typed(today), &typed(today - 1), "whole", "sick", ""),
            "to",
            Key::AbsToBeforeFrom,
        ),
        (
            report(c.mia, "", &typed(today + 42), "whole", "sick", ""),
            "to",
            Key::AbsTooLong,
        ),
        (
            report(c.mia, "", &typed(today + 1), "morning", "sick", ""),
            "part",
            Key::AbsHalfDayOneDay,
        ),
        (
            report(c.mia, "32.13.", "", "whole", "sick", ""),
            "from",
            Key::AbsDateInvalid,
        ),
        (
            report(c.mia, "", "", "whole", "flu", ""),
            "reason",
            Key::AbsReasonMissing,
        ),
        (
            report(c.mia, "", "", "whole", "sick", &"x".repeat(501)),
            "note",
            Key::AbsNoteTooLong,
        ),
    ];
    for (args, field, key) in refused {
        let error = c.petra.send(args).refused(StatusCode::BAD_REQUEST).await;
        assert_eq!(error.field_message(field), Some(key), "{field}");
    }
    // ABS-3: never another family's child.
    c.petra
        .send(report(c.lena, "", "", "whole", "sick", ""))
        .refused(StatusCode::NOT_FOUND)
        .await;
    assert_eq!(s.count("absences").await, 0, "nothing written");

    // Today to six days on: at least three school days, so the doctor's note is asked for.
    c.petra
        .send(report(
            c.mia,
            "",
            &typed(today + 6),
            "whole",
            "sick",
            "Kommt voraussichtlich Montag wieder.",
        ))
        .expect(StatusCode::OK)
        .await;
    let home: Vec<ChildHome> = c.petra.send(Home {}).ok().await;
    let reports = &home[0].absences;
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].from_day, rule::date_of(today));
    assert_eq!(reports[0].to_day, rule::date_of(today + 6));
    assert_eq!(reports[0].reason, "sick");
    assert_eq!(reports[0].doctors_note_from, rule::DEFAULT_NOTE_FROM_DAY);
    let page = c.petra.page("/").await;
    assert!(
        page.contains("Kind krankmelden"),
        "the button on the child's card"
    );
    assert!(
        page.contains("data-testid=\"absence-reports\""),
        "the report under the child"
    );
    let form = c.petra.page(&format!("/children/{}/absence", c.mia)).await;
    assert!(form.contains("Bitte keine Diagnosen angeben"));
    assert!(form.contains("Mia krankmelden"));
    // The log has the days, never the note.
    assert_eq!(
        s.count(
            "audit_events WHERE action = 'absence.reported' AND details LIKE '%voraussichtlich%'"
        )
        .await,
        0
    );
    // Lena's father sees nothing of it.
    let karls: Vec<ChildHome> = c.karl.send(Home {}).ok().await;
    assert!(karls[0].absences.is_empty());

    // The doctor's note, photographed on the phone: a program under a photo's name, and a
    // web page, are refused; the photo arrives, and the class teacher opens it.
    let id = reports[0].id;
    let note = |b: &Browser, name: &str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        b.client
            .post(s.url(&format!("/absences/note/{id}")))
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let photo = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    for (name, bytes) in [
        ("attest.jpg", b"MZ\x90\x00 a program".to_vec()),
        ("attest.html", b"<html>".to_vec()),
    ] {
        assert_eq!(
            note(&c.petra, name, bytes).await.unwrap().status(),
            StatusCode::BAD_REQUEST,
            "{name}"
        );
    }
    assert_eq!(
        note(&c.karl, "attest.png", photo.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.count("absences WHERE doctors_note_key IS NOT NULL").await,
        0
    );
    let sent = note(&c.petra, "attest.png", photo.clone()).await.unwrap();
    assert!(
        sent.status().is_success() || sent.status().is_redirection(),
        "{}",
        sent.status()
    );
    let home: Vec<ChildHome> = c.petra.send(Home {}).ok().await;
    assert!(home[0].absences[0].has_doctors_note);
    let list: MorningList = c.teacher.send(ClassDay { group_id: c.class }).ok().await;
    assert!(matches!(
        state_of(&list, c.mia),
        DayState::Reported {
            doctors_note: true,
            ref note,
            ..
        } if note.starts_with("Kommt voraussichtlich")
    ));
    let opened = c.teacher.get(&format!("/absences/note/{id}")).await;
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(opened.bytes().await.unwrap().as_ref(), photo.as_slice());
    for outsider in [&c.karl] {
        assert_eq!(
            outsider.get(&format!("/absences/note/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
    }

    // The office sets the school's rules: no doctor's note asked for any more, reports late
    // after 7:45. A time nobody can read is refused and changes nothing.
    let set = |late_after: &str, note_from_day: i64| SetSettings {
        late_after: late_after.into(),
        note_from_day,
        keep_days: 0,
    };
    let error = c
        .office
        .send(set("25 Uhr", 0))
        .refused(StatusCode::BAD_REQUEST)
        .await;
    assert_eq!(error.field_message("late_after"), Some(Key::AbsTimeInvalid));
    c.petra
        .send(set("7.45", 0))
        .refused(StatusCode::FORBIDDEN)
        .await;
    c.teacher
        .send(set("7.45", 0))
        .refused(StatusCode::FORBIDDEN)
        .await;
    c.office.send(set("7.45", 0)).expect(StatusCode::OK).await;
    let settings: AbsenceSettings = c.office.send(Settings {}).ok().await;
    assert_eq!(settings.late_after, "07:45");
    assert_eq!(settings.note_from_day, 0);
    let home: Vec<ChildHome> = c.petra.send(Home {}).ok().await;
    assert_eq!(home[0].absences[0].doctors_note_from, 0);
}

// ABS-2: the class teacher's morning list shows the family's report and marks another child
// missing with one tap; the office's list has that child with the guardian's number, and a
// tick when reached. Another teacher, an administrator and a pupil see no class's list.
#[tokio::test]
async fn abs_2_the_morning_list_and_the_offices_calls() {
    let c = class_2b().await;
    let s = &c.s;
    c.petra
        .send(report(c.mia, "", "", "morning", "appointment", ""))
        .expect(StatusCode::OK)
        .await;
    let classes: Vec<ClassRef> = c.teacher.send(Classes {}).ok().await;
    assert_eq!(classes.len(), 1);
    assert_eq!(classes[0].name, "2b");
    let list: MorningList = c.teacher.send(ClassDay { group_id: c.class }).ok().await;
    assert_eq!(list.rows.len(), 3);
    assert!(matches!(
        state_of(&list, c.mia),
        DayState::Reported { ref reason, ref part, .. } if reason == "appointment" && part == "morning"
    ));
    assert_eq!(state_of(&list, c.lena), DayState::Present);
    let mark = |pupil_id: i64, missing: &str| Mark {
        group_id: c.class,
        pupil_id,
        missing: missing.into(),
    };
    c.teacher
        .send(mark(c.lena, "yes"))
        .expect(StatusCode::OK)
        .await;
    // A second tap, and a tap on a reported child, change nothing.
    c.teacher
        .send(mark(c.lena, "yes"))
        .expect(StatusCode::OK)
        .await;
    c.teacher
        .send(mark(c.mia, "yes"))
        .expect(StatusCode::OK)
        .await;
    c.teacher
        .send(mark(c.emil, "yes"))
        .expect(StatusCode::OK)
        .await;
    c.teacher
        .send(mark(c.emil, "no"))
        .expect(StatusCode::OK)
        .await;
    let list: MorningList = c.teacher.send(ClassDay { group_id: c.class }).ok().await;
    assert_eq!(
        state_of(&list, c.lena),
        DayState::Missing { reached: false }
    );
    assert_eq!(state_of(&list, c.emil), DayState::Present);
    assert!(matches!(state_of(&list, c.mia), DayState::Reported { .. }));
    let page = c
        .teacher
        .page(&format!("/absences/class/{}", c.class))
        .await;
    assert!(page.contains("Heute in der 2b"));

    // Nobody else keeps this class's list: another teacher, an administrator (ADM-1), a
    // pupil, a guardian.
    let (_, other) =
        c.s.ready_person(c.school, Role::Teacher, "Otto", None)
            .await;
    let (_, admin) = c.s.ready_person(c.school, Role::Admin, "Ada", None).await;
    for outsider in [&other, &admin] {
        let none: Vec<ClassRef> = outsider.send(Classes {}).ok().await;
        assert!(none.is_empty());
        outsider
            .send(ClassDay { group_id: c.class })
            .refused(StatusCode::NOT_FOUND)
            .await;
        outsider
            .send(mark(c.mia, "yes"))
            .refused(StatusCode::NOT_FOUND)
            .await;
        outsider
            .send(Term { group_id: c.class })
            .refused(StatusCode::NOT_FOUND)
            .await;
        outsider
            .send(Missing {})
            .refused(StatusCode::FORBIDDEN)
            .await;
    }
    c.petra
        .send(ClassDay { group_id: c.class })
        .refused(StatusCode::FORBIDDEN)
        .await;

    // The office: Lena with her father's number; Mia, reported, is not there.
    let missing: Vec<MissingChild> = c.office.send(Missing {}).ok().await;
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].pupil_id, c.lena);
    assert_eq!(missing[0].class.as_deref(), Some("2b"));
    assert_eq!(missing[0].guardians.len(), 1);
    assert_eq!(missing[0].guardians[0].name, "Karl Muster");
    assert_eq!(missing[0].guardians[0].phone, "0151 2345678");
    let page = c.office.page("/absences/missing").await;
    assert!(page.contains("tel:01512345678"));
    c.office
        .send(Reached {
            absence_id: missing[0].absence_id,
        })
        .expect(StatusCode::OK)
        .await;
    let missing: Vec<MissingChild> = c.office.send(Missing {}).ok().await;
    assert_eq!(missing[0].reached_by.as_deref(), Some("Sabine Muster"));
    assert!(missing[0].reached_at.is_some());
    let list: MorningList = c.teacher.send(ClassDay { group_id: c.class }).ok().await;
    assert_eq!(state_of(&list, c.lena), DayState::Missing { reached: true });

    // Another school's office sees none of it and ticks nothing.
    let other_school = s.school("Marienschule", "marienschule.example").await;
    let (_, stranger) = s
        .ready_person(other_school, Role::Secretariat, "Sonja", None)
        .await;
    let theirs: Vec<MissingChild> = stranger.send(Missing {}).ok().await;
    assert!(theirs.is_empty());
    stranger
        .send(Reached {
            absence_id: missing[0].absence_id,
        })
        .refused(StatusCode::NOT_FOUND)
        .await;
    stranger
        .send(ClassDay { group_id: c.class })
        .refused(StatusCode::NOT_FOUND)
        .await;

    // The father reports after all: his word replaces the mark, marked late.
    c.karl
        .send(report(c.lena, "", "", "whole", "sick", ""))
        .expect(StatusCode::OK)
        .await;
    let list: MorningList = c.teacher.send(ClassDay { group_id: c.class }).ok().await;
    assert!(matches!(
        state_of(&list, c.lena),
        DayState::Reported { late: true, .. }
    ));
    let missing: Vec<MissingChild> = c.office.send(Missing {}).ok().await;
    assert!(missing.is_empty());
}

// ABS-3: the term's counts per pupil (each school day once, half days as halves, the
// family's report excusing), the office's CSV, and the scheduled job that blanks reasons and
// notes of a school year that has ended, keeping the days.
#[tokio::test]
async fn abs_3_term_counts_and_details_gone_after_the_school_year() {
    let c = class_2b().await;
    let s = &c.s;
    let (term_start, _) = rule::term_of(today());
    // The term's first Monday, and a day of the school year before.
    let monday = (term_start..term_start + 7)
        .find(|d| rule::weekday(*d) == 0)
        .unwrap();
    let last_year = term_start - 200;
    let insert = |pupil: i64, from: i64, to: i64, part: &str, source: &str, excused: bool| {
        format!(
            "INSERT INTO absences (school_id, pupil_id, from_day, to_day, part, source, reason, note, reported_at, excused)
             VALUES ({}, {pupil}, '{}', '{}', '{part}', '{source}', '{}', '{}', 0, {})",
            c.school,
            rule::date_of(from),
            rule::date_of(to),
            if source == "guardian" { "sick" } else { "" },
            if source == "guardian" { "Fieber" } else { "" },
            if excused { "TRUE" } else { "FALSE" },
        )
    };
    for sql in [
        // Monday to the next Monday: six school days, excused; the second household reports
        // the Tuesday again, which counts once.
        insert(c.mia, monday, monday + 7, "whole", "guardian", true),
        insert(c.mia, monday + 1, monday + 1, "whole", "guardian", true),
        // A morning, and a day missing without a report.
        insert(c.lena, monday + 2, monday + 2, "morning", "guardian", true),
        insert(c.lena, monday + 3, monday + 3, "whole", "teacher", false),
        // Last school year's report: its details go, its days stay.
        insert(c.emil, last_year, last_year, "whole", "guardian", true),
    ] {
        s.sql(&sql).await;
    }
    let record: TermRecord = c.teacher.send(Term { group_id: c.class }).ok().await;
    let row = |pupil: i64| {
        record
            .rows
            .iter()
            .find(|r| r.pupil_id == pupil)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (row(c.mia).excused_halves, row(c.mia).unexcused_halves),
        (12, 0)
    );
    assert_eq!(
        (row(c.lena).excused_halves, row(c.lena).unexcused_halves),
        (1, 2)
    );
    assert_eq!(
        (row(c.emil).excused_halves, row(c.emil).unexcused_halves),
        (0, 0)
    );
    let csv = c.office.page("/absences/term.csv").await;
    assert!(csv.contains("\"2b\";\"Lena Schulz\";\"½\";\"1\""), "{csv}");
    assert!(csv.contains("\"Mia Schulz\";\"6\";\"0\""), "{csv}");
    // Teachers and families get no CSV of the whole school.
    assert_ne!(
        c.teacher.get("/absences/term.csv").await.status(),
        StatusCode::OK
    );
    assert_ne!(
        c.petra.get("/absences/term.csv").await.status(),
        StatusCode::OK
    );

    let report = s.run_jobs().await;
    assert_eq!(report.absence_details_purged, 1);
    assert_eq!(
        s.count(&format!(
            "absences WHERE pupil_id = {} AND reason = '' AND note = '' AND details_purged",
            c.emil
        ))
        .await,
        1,
        "last year's details are gone, its day stays"
    );
    assert_eq!(
        s.count("absences WHERE note = 'Fieber'").await,
        3,
        "this year's details stay"
    );
    assert_eq!(s.run_jobs().await.absence_details_purged, 0, "once only");
}
