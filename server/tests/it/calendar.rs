//! AB-1, AB-2, CAL-1..3: the address book and the calendars over real HTTP on the backend
//! under test.
use app::addressbook::AddressBookView;
use app::auth::Role;
use app::calendar::{CalendarPage, EventPage};
use reqwest::{Response, StatusCode};

use crate::common::{Browser, TestServer};

fn event_form<'a>(
    calendar: &'a str,
    title: &'a str,
    date: &'a str,
    start: &'a str,
    end: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("calendar", calendar),
        ("title", title),
        ("place", ""),
        ("description", ""),
        ("date", date),
        ("start", start),
        ("end", end),
        ("repeat", ""),
        ("until", ""),
        ("exceptions", ""),
        ("reminder", ""),
    ]
}

async fn create(b: &Browser, form: &[(&str, &str)]) -> Response {
    b.call("calendar/create", form).await
}

/// A new feed address for `calendar`, and its path on this server.
async fn new_feed(b: &Browser, calendar: &str) -> (String, String) {
    let url: String = b
        .call("calendar/create-feed", &[("calendar", calendar)])
        .await
        .json()
        .await
        .unwrap();
    let path = url
        .split_once("/calendar/")
        .map(|(_, p)| format!("/calendar/{p}"))
        .unwrap();
    (url, path)
}

async fn view(b: &Browser, calendar: &str, kind: &str, date: &str) -> CalendarPage {
    let res = b
        .call(
            "calendar/view",
            &[("calendar", calendar), ("view", kind), ("date", date)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn event(b: &Browser, id: i64) -> EventPage {
    let res = b.call("calendar/event", &[("id", &id.to_string())]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

// AB-1, AB-2: everybody at the school finds everybody; further fields appear only when their
// owner switched them on, in no response at all otherwise; nobody else can change them.
#[tokio::test]
async fn ab_1_ab_2_address_book_is_shared_and_private_by_default() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let other = s.school("Andere Schule", "andere.example").await;
    let (_, anna) = s
        .ready_person(school, Role::Pupil, "Anna", Some("2b"))
        .await;
    let (_, ben) = s.ready_person(school, Role::Pupil, "Ben", Some("3a")).await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    let (_, stranger) = s.ready_person(other, Role::Teacher, "Olga", None).await;

    let save = |phone: &'static str, show: bool| {
        let mut form = vec![
            ("phone", phone),
            ("postal", "Hauptstraße 1, 49740 Haselünne"),
            ("birthday", "01.04.2018"),
            ("note", "Mag Pferde"),
            ("show_birthday", "on"),
        ];
        if show {
            form.push(("show_phone", "on"));
        }
        form
    };
    let res = anna
        .call("addressbook/save", &save("0151 2345678", false))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Ben searches by class; the raw JSON holds Anna's birthday (on) and nothing else of hers.
    let res = ben.call("addressbook/search", &[("query", "2b")]).await;
    let raw = res.text().await.unwrap();
    assert!(raw.contains("anna.muster@paulusschule.example"), "{raw}");
    assert!(raw.contains("2018-04-01"), "the birthday was switched on");
    for secret in ["0151", "Hauptstraße", "Pferde"] {
        assert!(!raw.contains(secret), "{secret} is not switched on: {raw}");
    }
    let book: AddressBookView = serde_json::from_str(&raw).unwrap();
    assert_eq!(book.entries.len(), 1);
    assert_eq!(book.entries[0].class.as_deref(), Some("2b"));
    // The page shows the same, and the hint.
    let page = ben.page("/addressbook?q=anna").await;
    assert!(page.contains("Gib so wenig persönliche Daten wie möglich preis"));
    assert!(!page.contains("0151"));
    // The owner sees her own values to edit them; switched on, the phone appears for others.
    let mine: AddressBookView = anna
        .call("addressbook/search", &[("query", "")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.mine.phone, "0151 2345678");
    anna.call("addressbook/save", &save("0151 2345678", true))
        .await;
    let raw = ben
        .call("addressbook/search", &[("query", "anna")])
        .await
        .text()
        .await
        .unwrap();
    assert!(raw.contains("0151 2345678"));
    // By role too.
    let raw = ben
        .call("addressbook/search", &[("query", "Administration")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains("Adam Muster") || raw.contains("adam.muster"),
        "{raw}"
    );
    // Another school's people are not in this address book, nor this one in theirs.
    let raw = stranger
        .call("addressbook/search", &[("query", "anna")])
        .await
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("anna.muster"), "{raw}");
    // The only writing endpoint writes the caller's own fields: the admin cannot reach Anna's.
    admin.call("addressbook/save", &save("999", true)).await;
    let raw = ben
        .call("addressbook/search", &[("query", "anna")])
        .await
        .text()
        .await
        .unwrap();
    assert!(raw.contains("0151 2345678") && !raw.contains("\"999\""));
    // Bad input changes nothing.
    let res = anna
        .call(
            "addressbook/save",
            &[
                ("phone", ""),
                ("postal", ""),
                ("birthday", "32.13.2018"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(s.scalar("SELECT COUNT(*) FROM address_fields WHERE phone = '0151 2345678' AND birthday = '2018-04-01'").await, 1);
    // The vCard holds what the others see.
    let card = anna.page("/addressbook/me.vcf").await;
    assert!(
        card.contains("BEGIN:VCARD")
            && card.contains("TEL:0151 2345678")
            && !card.contains("Pferde")
    );
}

// CAL-1, CAL-2: a teacher (owner of 2b) writes the class calendar; a pupil reads it but cannot
// write; every change keeps its history, deletion too; a stale save is refused.
#[tokio::test]
async fn cal_1_cal_2_group_calendar_history_and_conflicts() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (teacher_id, teacher) = s.ready_person(school, Role::Teacher, "Tina", None).await;
    let (_, pupil) = s
        .ready_person(school, Role::Pupil, "Paul", Some("2b"))
        .await;
    let (_, other_pupil) = s
        .ready_person(school, Role::Pupil, "Olli", Some("3a"))
        .await;
    let (_, office) = s
        .ready_person(school, Role::Secretariat, "Sabine", None)
        .await;
    let class = s.scalar("SELECT id FROM groups WHERE name = '2b'").await;
    s.sql(&format!("INSERT INTO group_members (group_id, user_id, is_owner) VALUES ({class}, {teacher_id}, TRUE)")).await;
    let cal = format!("g{class}");

    let res = create(&pupil, &event_form(&cal, "Party", "2026-11-20", "", "")).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "members read, owners write"
    );
    let res = create(
        &teacher,
        &event_form(&cal, "Wandertag", "2026-11-20", "08:00", "12:00"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: i64 = res.json().await.unwrap();

    let week = view(&pupil, &cal, "week", "2026-11-18").await;
    assert_eq!(week.occurrences.len(), 1);
    assert_eq!(week.occurrences[0].title, "Wandertag");
    assert_eq!(
        other_pupil
            .call("calendar/event", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = other_pupil
        .call(
            "calendar/view",
            &[("calendar", &cal), ("view", "week"), ("date", "2026-11-18")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another class's calendar"
    );

    // Two people open version 1; the first save wins, the second is refused, not merged.
    let mut change = event_form(&cal, "Wandertag", "2026-11-20", "09:00", "13:00");
    let id_text = id.to_string();
    change.extend([("id", id_text.as_str()), ("version", "1")]);
    assert_eq!(
        teacher.call("calendar/update", &change).await.status(),
        StatusCode::OK
    );
    let (status, body) = {
        let res = teacher.call("calendar/update", &change).await;
        (res.status(), res.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("CalChanged"), "{body}");
    let page = event(&pupil, id).await;
    assert_eq!(page.fields.start, "09:00");
    assert_eq!(page.version, 2);
    assert_eq!(page.history.len(), 2);
    assert_eq!(page.history[1].action, "updated");
    assert!(
        page.history[1]
            .changes
            .contains(&("start".into(), "08:00".into(), "09:00".into()))
    );
    assert!(page.history[1].by.contains("Tina Muster"));

    // Deleting is soft and recorded; the pupil still sees the history.
    let res = teacher
        .call("calendar/delete", &[("id", &id_text), ("version", "2")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = event(&pupil, id).await;
    assert!(page.deleted);
    assert_eq!(page.history.len(), 3);
    assert_eq!(page.history[2].action, "deleted");
    assert!(
        view(&pupil, &cal, "week", "2026-11-18")
            .await
            .occurrences
            .is_empty()
    );
    assert_eq!(s.count("calendar_history").await, 3);

    // The school calendar: the secretariat writes, everyone reads, pupils cannot write.
    let res = create(
        &office,
        &event_form("school", "Elternabend", "2026-11-24", "19:00", "21:00"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        create(&teacher, &event_form("school", "x", "2026-11-24", "", ""))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let all = view(&other_pupil, "all", "month", "2026-11-01").await;
    assert!(all.occurrences.iter().any(|o| o.title == "Elternabend"));
    // A personal event is the owner's alone and keeps no history.
    let res = create(
        &pupil,
        &event_form("me", "Zahnarzt", "2026-11-25", "15:00", "16:00"),
    )
    .await;
    let mine: i64 = res.json().await.unwrap();
    assert_eq!(
        teacher
            .call("calendar/event", &[("id", &mine.to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.count(&format!("calendar_history WHERE event_id = {mine}"))
            .await,
        0
    );
    // The school may let members write their groups' calendars; then the pupil can.
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    assert_eq!(
        admin
            .call("calendar/settings", &[])
            .await
            .text()
            .await
            .unwrap(),
        "false"
    );
    let res = admin
        .call("calendar/set-members-write", &[("allowed", "yes")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = create(
        &pupil,
        &event_form(&cal, "Kuchenbasar", "2026-11-27", "", ""),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        create(&other_pupil, &event_form(&cal, "x", "2026-11-27", "", ""))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Bad input is refused with the field named and stores nothing.
    let before = s.count("calendar_events").await;
    let res = create(&pupil, &event_form("me", "x", "2026-02-30", "", "")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(s.count("calendar_events").await, before);
}

// CAL-1, CAL-3: a weekly 09:00 event stays at 09:00 German time across the end of summer
// time; the feed carries RRULE and EXDATE that an independent parser reads back; revoked
// tokens and locked owners get 404.
#[tokio::test]
async fn cal_3_recurrence_across_dst_and_feeds() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (pupil_id, pupil) = s
        .ready_person(school, Role::Pupil, "Paul", Some("2b"))
        .await;
    let (_, admin) = s.ready_person(school, Role::Admin, "Adam", None).await;
    let mut form = event_form("me", "Schwimmen", "2026-10-19", "09:00", "10:00");
    form.retain(|(k, _)| !matches!(*k, "repeat" | "until" | "exceptions" | "reminder"));
    form.extend([
        ("repeat", "weekly"),
        ("until", "2026-11-30"),
        ("exceptions", "2026-11-09"),
        ("reminder", "30"),
    ]);
    let res = create(&pupil, &form).await;
    assert_eq!(res.status(), StatusCode::OK);

    let page = view(&pupil, "me", "agenda", "2026-10-19").await;
    let dates: Vec<&str> = page.occurrences.iter().map(|o| o.date.as_str()).collect();
    assert_eq!(
        dates,
        ["2026-10-19", "2026-10-26", "2026-11-02", "2026-11-16"]
    );
    // 09:00 CEST is 07:00 UTC; after 25 October, 09:00 CET is 08:00 UTC.
    let at = |i: usize| page.occurrences[i].starts_at.rem_euclid(86_400) / 3600;
    assert_eq!((at(0), at(1)), (7, 8));

    let (url, path) = new_feed(&pupil, "all").await;
    // Shown once on the page, then only its hash is left.
    let feeds: Vec<app::calendar::FeedInfo> = pupil
        .call("calendar/feeds", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(feeds[0].url_once.as_deref(), Some(url.as_str()));
    let feeds: Vec<app::calendar::FeedInfo> = pupil
        .call("calendar/feeds", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(feeds[0].url_once, None);
    assert_eq!(
        s.count("calendar_feeds WHERE token_once IS NOT NULL").await,
        0
    );

    // The page shows a new address exactly once, however it renders (a second load in one
    // render would swallow it).
    for _ in 0..3 {
        let res = pupil
            .submit(
                "calendar/create-feed",
                "/calendar/feeds",
                &[("calendar", "me")],
            )
            .await;
        assert!(res.status().is_redirection() || res.status().is_success());
        let page = pupil.page("/calendar/feeds").await;
        assert!(
            page.contains("/calendar/feed/"),
            "the new address is on the page"
        );
        let again = pupil.page("/calendar/feeds").await;
        assert!(!again.contains("/calendar/feed/"), "and only once");
    }
    let phone = s.browser();
    let res = phone.get(&path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser.next().unwrap().unwrap();
    assert_eq!(calendar.timezones.len(), 1);
    let event = &calendar.events[0];
    let prop = |name: &str| event.properties.iter().find(|p| p.name == name).unwrap();
    assert_eq!(prop("SUMMARY").value.as_deref(), Some("Schwimmen"));
    let start = prop("DTSTART");
    assert_eq!(start.value.as_deref(), Some("20261019T090000"));
    assert_eq!(
        start.params.as_ref().unwrap()[0],
        ("TZID".to_string(), vec!["Europe/Berlin".to_string()])
    );
    assert_eq!(
        prop("RRULE").value.as_deref(),
        Some("FREQ=WEEKLY;UNTIL=20261130T225959Z")
    );
    assert_eq!(prop("EXDATE").value.as_deref(), Some("20261109T090000"));
    assert_eq!(event.alarms.len(), 1);

    // Revoked: 404. A locked owner: 404 for every feed (VIOL-2).
    let second: String = pupil
        .call("calendar/create-feed", &[("calendar", "me")])
        .await
        .json()
        .await
        .unwrap();
    let second_path = second
        .split_once("/calendar/")
        .map(|(_, p)| format!("/calendar/{p}"))
        .unwrap();
    let id = feeds[0].id.to_string();
    assert_eq!(
        pupil
            .call("calendar/revoke-feed", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(phone.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(phone.get(&second_path).await.status(), StatusCode::OK);
    let res = admin
        .call(
            "users/lock",
            &[("user_id", &pupil_id.to_string()), ("reason", "Prüfung")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        phone.get(&second_path).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        phone.get("/calendar/feed/nonsense.ics").await.status(),
        StatusCode::NOT_FOUND
    );
}

// SEC-6: control characters never reach a stored title, place or description (a bare `\r`
// would break the iCal feed); line breaks in a description are kept as `\n`, and the feed
// with them reads back with an independent parser, one event with its text intact.
#[tokio::test]
async fn sec_6_control_characters_stay_out_of_the_calendar() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, pupil) = s.ready_person(school, Role::Pupil, "Mia", Some("2b")).await;
    let before = s.count("calendar_events").await;
    for (field, value) in [
        ("title", "Sportfest\rX-INJECTED:1"),
        ("title", "Sport\u{0}fest"),
        ("place", "Halle\r\nX-INJECTED:1"),
        ("description", "Bitte\rX-INJECTED:1"),
        ("description", "Klingel\u{7}"),
    ] {
        let mut form = event_form("me", "Sportfest", "2026-11-18", "09:00", "12:00");
        for pair in form.iter_mut() {
            if pair.0 == field {
                pair.1 = value;
            }
        }
        let answer = create(&pupil, &form).await;
        assert_eq!(
            answer.status(),
            StatusCode::BAD_REQUEST,
            "{field}: {value:?}"
        );
    }
    assert_eq!(s.count("calendar_events").await, before);
    let mut form = event_form("me", "Sportfest", "2026-11-18", "09:00", "12:00");
    for pair in form.iter_mut() {
        if pair.0 == "description" {
            pair.1 = "Turnbeutel mitbringen.\r\nTrinkflasche auch.";
        }
    }
    assert_eq!(create(&pupil, &form).await.status(), StatusCode::OK);
    let (_, path) = new_feed(&pupil, "me").await;
    let text = s.browser().page(&path).await;
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser.next().unwrap().unwrap();
    assert!(parser.next().is_none());
    assert_eq!(calendar.events.len(), 1);
    let property = |name: &str| {
        calendar.events[0]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(property("SUMMARY"), "Sportfest");
    assert_eq!(
        property("DESCRIPTION"),
        "Turnbeutel mitbringen.\\nTrinkflasche auch."
    );
    assert!(!text.contains("X-INJECTED"));
}
