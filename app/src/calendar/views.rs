//! CAL-1..3: the calendar pages. The default page holds a week (shown on tablets and larger)
//! and an agenda (shown on phones); `view=month|week|agenda` picks one. Plain forms only.
use leptos::prelude::*;

use super::{
    CalendarInfo, CalendarPage, EventPage, FeedInfo, Occurrence, RevokeFeed, calendar_view, event,
    feeds,
};
use crate::components::{Card, Icon, IconName, InlineScript, await_data};
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::calendar::{self as rule, EventFields, Repeat};

fn param(name: &str) -> String {
    leptos_router::hooks::use_query_map().with_untracked(|m| m.get(name).unwrap_or_default())
}

fn calendar_name(lang: Lang, info: &CalendarInfo) -> String {
    match info.code.as_str() {
        "me" => lang.t(Key::CalMine).into(),
        "school" => lang.t(Key::CalSchool).into(),
        _ => info.name.clone(),
    }
}

fn weekday(lang: Lang, day: i64) -> &'static str {
    const KEYS: [Key; 7] = [
        Key::CalMon,
        Key::CalTue,
        Key::CalWed,
        Key::CalThu,
        Key::CalFri,
        Key::CalSat,
        Key::CalSun,
    ];
    lang.t(KEYS[(day + 3).rem_euclid(7) as usize])
}

/// `2026-10-19` as people read it: `19.10.` or `10/19`.
fn short_date(lang: Lang, date: &str) -> String {
    let (_, m, d) = rule::date_parts(date).unwrap_or((0, 0, 0));
    match lang {
        Lang::De => format!("{d:02}.{m:02}."),
        Lang::En => format!("{m:02}/{d:02}"),
    }
}

fn time_span(lang: Lang, o: &Occurrence) -> String {
    if o.start.is_empty() {
        lang.t(Key::CalAllDay).into()
    } else {
        format!("{}–{}", o.start, o.end)
    }
}

#[component]
pub fn CalendarPageView() -> impl IntoView {
    let lang = use_lang();
    let (calendar, view_name, date) = (param("cal"), param("view"), param("date"));
    view! {
        <leptos_meta::Title text=lang.t(Key::CalTitle)/>
        <h1 class="page-title module-calendar">{lang.t(Key::CalTitle)}</h1>
        {await_data(
            lang,
            move || calendar_view(calendar.clone(), view_name.clone(), date.clone()),
            move |page| view! { <Calendar lang page/> },
        )}
    }
}

#[component]
fn Calendar(lang: Lang, page: CalendarPage) -> impl IntoView {
    let link = {
        let (selected, view_name) = (page.selected.clone(), page.view.clone());
        move |cal: &str, view: &str, date: &str| {
            let cal = if cal.is_empty() {
                selected.as_str()
            } else {
                cal
            };
            let view = if view == "=" {
                view_name.as_str()
            } else {
                view
            };
            format!("/calendar?cal={cal}&view={view}&date={date}")
        }
    };
    let day = rule::day_number(&page.date).unwrap_or(0);
    let step = match page.view.as_str() {
        "month" => 31,
        "agenda" => 30,
        _ => 7,
    };
    let writable: Vec<CalendarInfo> = page
        .calendars
        .iter()
        .filter(|c| c.can_write)
        .cloned()
        .collect();
    // Issue 18: "Neuer Termin" is offered where it can be written: in the calendar shown, or,
    // in the view of all calendars, in one's own (the form lets the writer choose another).
    let new_in = if page.selected == "all" {
        Some("me".to_string())
    } else {
        writable
            .iter()
            .any(|c| c.code == page.selected)
            .then(|| page.selected.clone())
    };
    let (first, last) = (
        rule::day_number(&page.first_day).unwrap_or(day),
        rule::day_number(&page.last_day).unwrap_or(day),
    );
    let occurrences = page.occurrences.clone();
    let week_start = rule::week_start(day);
    let body = match page.view.as_str() {
        "month" => view! { <Grid lang occurrences=occurrences.clone() first last month_of=day today=page.today.clone()/> }.into_any(),
        "week" => view! { <Week lang occurrences=occurrences.clone() first=week_start today=page.today.clone()/> }.into_any(),
        "agenda" => view! { <Agenda lang occurrences=occurrences.clone() today=page.today.clone()/> }.into_any(),
        _ => view! {
            <div class="cal-wide"><Week lang occurrences=occurrences.clone() first=week_start today=page.today.clone()/></div>
            <div class="cal-narrow"><Agenda lang occurrences=occurrences.iter().filter(|o| o.date >= page.date).cloned().collect() today=page.today.clone()/></div>
        }
        .into_any(),
    };
    view! {
        <nav class="cal-tabs" aria-label=lang.t(Key::CalCalendars)>
            <a class="mail-box" class:active=page.selected == "all" href=link("all", "=", &page.date)>{lang.t(Key::CalAll)}</a>
            {page.calendars.iter().map(|c| view! {
                <a class="mail-box" class:active=page.selected == c.code href=link(&c.code, "=", &page.date)>{calendar_name(lang, c)}</a>
            }).collect_view()}
        </nav>
        <div class="toolbar">
            <div class="actions">
                <a class="btn" href=link("", "=", &rule::date_of(day - step))>{lang.t(Key::CalEarlier)}</a>
                <a class="btn" href=link("", "=", "")>{lang.t(Key::CalToday)}</a>
                <a class="btn" href=link("", "=", &rule::date_of(day + step))>{lang.t(Key::CalLater)}</a>
            </div>
            <div class="actions">
                <a class="btn" href=link("", "week", &page.date)>{lang.t(Key::CalWeek)}</a>
                <a class="btn" href=link("", "month", &page.date)>{lang.t(Key::CalMonth)}</a>
                <a class="btn" href=link("", "agenda", &page.date)>{lang.t(Key::CalAgenda)}</a>
            </div>
            <div class="actions">
                {new_in.map(|cal| view! {
                    <a class="btn btn-primary" href=format!("/calendar/new?cal={cal}&date={}", page.date) data-testid="new-event"><Icon name=IconName::Check/>{lang.t(Key::CalNew)}</a>
                })}
                <a class="btn" href="/calendar/feeds" data-testid="feeds-link">{lang.t(Key::CalFeeds)}</a>
            </div>
        </div>
        {body}
    }
}

#[component]
fn Entry(lang: Lang, o: Occurrence) -> impl IntoView {
    view! {
        <a class="cal-entry" href=format!("/calendar/event?id={}", o.event_id) data-testid="cal-entry">
            <span class="cal-time">{time_span(lang, &o)}</span>
            <strong>{o.title.clone()}</strong>
            {(!o.place.is_empty()).then(|| view! { <span class="hint">{o.place.clone()}</span> })}
        </a>
    }
}

#[component]
fn Week(lang: Lang, occurrences: Vec<Occurrence>, first: i64, today: String) -> impl IntoView {
    view! {
        <div class="cal-week" data-testid="cal-week">
            {(first..first + 7).map(|day| {
                let date = rule::date_of(day);
                let is_today = date == today;
                let today = occurrences.iter().filter(|o| o.date == date).cloned().collect::<Vec<_>>();
                view! {
                    <section class="cal-day" class:today=is_today aria-current=is_today.then_some("date")>
                        <h2 class="cal-day-title">{weekday(lang, day)}" "{short_date(lang, &date)}<TodayMark lang is_today/></h2>
                        {today.into_iter().map(|o| view! { <Entry lang o/> }).collect_view()}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Grid(
    lang: Lang,
    occurrences: Vec<Occurrence>,
    first: i64,
    last: i64,
    month_of: i64,
    today: String,
) -> impl IntoView {
    let month = crate::rules::date::civil_from_days(month_of).1;
    view! {
        <div class="cal-month" data-testid="cal-month">
            {(0..7).map(|i| view! { <div class="cal-head">{weekday(lang, first + i)}</div> }).collect_view()}
            {(first..=last).map(|day| {
                let date = rule::date_of(day);
                let inside = crate::rules::date::civil_from_days(day).1 == month;
                let is_today = date == today;
                let today = occurrences.iter().filter(|o| o.date == date).cloned().collect::<Vec<_>>();
                view! {
                    <div class="cal-cell" class:outside=!inside class:today=is_today aria-current=is_today.then_some("date")>
                        <span class="cal-date">{crate::rules::date::civil_from_days(day).2}</span>
                        {today.into_iter().map(|o| view! {
                            <a class="cal-chip" href=format!("/calendar/event?id={}", o.event_id)>{o.title.clone()}</a>
                        }).collect_view()}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Agenda(lang: Lang, occurrences: Vec<Occurrence>, today: String) -> impl IntoView {
    if occurrences.is_empty() {
        return view! { <p class="empty" data-testid="cal-agenda">{lang.t(Key::CalNothing)}</p> }
            .into_any();
    }
    let mut days: Vec<String> = occurrences.iter().map(|o| o.date.clone()).collect();
    days.dedup();
    view! {
        <div class="cal-agenda" data-testid="cal-agenda">
            {days.into_iter().map(|date| {
                let day = rule::day_number(&date).unwrap_or(0);
                let is_today = date == today;
                let today = occurrences.iter().filter(|o| o.date == date).cloned().collect::<Vec<_>>();
                view! {
                    <section class="cal-day" class:today=is_today aria-current=is_today.then_some("date")>
                        <h2 class="cal-day-title">{weekday(lang, day)}" "{short_date(lang, &date)}<TodayMark lang is_today/></h2>
                        {today.into_iter().map(|o| view! { <Entry lang o/> }).collect_view()}
                    </section>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// "heute" beside today's day, so that it is found at a glance, not only by its colour.
#[component]
fn TodayMark(lang: Lang, is_today: bool) -> impl IntoView {
    is_today.then(
        || view! { " "<span class="badge" data-testid="cal-today">{lang.t(Key::CalToday)}</span> },
    )
}

/// The event form, for a new event (`id` 0) or an existing one at `version`.
#[component]
fn EventForm(
    lang: Lang,
    calendar: String,
    /// The calendars the writer may choose from; with one, the form names it.
    choices: Vec<CalendarInfo>,
    id: i64,
    version: i64,
    fields: EventFields,
) -> impl IntoView {
    let action = if id > 0 {
        "/api/calendar/update"
    } else {
        "/api/calendar/create"
    };
    let input = move |name: &'static str, label: Key, value: String, hint: String| {
        view! {
            <div class="field">
                <label for=format!("ev-{name}")>{lang.t(label)}</label>
                <input id=format!("ev-{name}") name=name value=value placeholder=hint/>
            </div>
        }
    };
    let repeat = fields.repeat;
    view! {
        <form method="post" action=action class="event-form" data-testid="event-form">
            // Issue 18: the form says which calendar it writes to.
            {if choices.len() > 1 {
                view! {
                    <div class="field">
                        <label for="ev-calendar">{lang.t(Key::CalWritesTo)}</label>
                        <select id="ev-calendar" name="calendar" data-testid="event-calendar">
                            {choices.iter().map(|c| view! {
                                <option value=c.code.clone() selected=c.code == calendar>{calendar_name(lang, c)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            } else {
                let name = choices
                    .iter()
                    .find(|c| c.code == calendar)
                    .map(|c| calendar_name(lang, c))
                    .unwrap_or_default();
                view! {
                    <input type="hidden" name="calendar" value=calendar.clone()/>
                    <p class="field-hint" data-testid="event-calendar">{lang.t(Key::CalWritesTo)}": "<strong>{name}</strong></p>
                }.into_any()
            }}
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="version" value=version.to_string()/>
            {input("title", Key::CalEventTitle, fields.title.clone(), String::new())}
            // Issue 18: days as the reader writes them, never ISO; text fields, because native
            // date and time inputs refuse typed text and follow the device's locale.
            {input("date", Key::CalDate, lang.day(&fields.date), lang.date(2026, 10, 19))}
            <div class="cal-times">
                {input("start", Key::CalStart, fields.start.clone(), "9:00".into())}
                {input("end", Key::CalEnd, fields.end.clone(), "10:30".into())}
            </div>
            <p class="field-hint">{lang.t(Key::CalAllDayHint)}</p>
            {input("place", Key::CalPlace, fields.place.clone(), String::new())}
            <div class="field">
                <label for="ev-description">{lang.t(Key::CalDescription)}</label>
                <textarea id="ev-description" name="description" rows="3">{fields.description.clone()}</textarea>
            </div>
            <div class="field">
                <label for="ev-repeat">{lang.t(Key::CalRepeat)}</label>
                <select id="ev-repeat" name="repeat">
                    <option value="" selected=repeat == Repeat::Never>{lang.t(Repeat::Never.label())}</option>
                    <option value="weekly" selected=repeat == Repeat::Weekly>{lang.t(Repeat::Weekly.label())}</option>
                    <option value="monthly" selected=repeat == Repeat::Monthly>{lang.t(Repeat::Monthly.label())}</option>
                </select>
            </div>
            {input("until", Key::CalUntil, lang.day(&fields.until), String::new())}
            {input("exceptions", Key::CalExceptions, fields.exceptions.iter().map(|d| lang.day(d)).collect::<Vec<_>>().join(", "), String::new())}
            {input("reminder", Key::CalReminder, if fields.reminder > 0 { fields.reminder.to_string() } else { String::new() }, "30".into())}
            <button class="btn btn-primary" type="submit" data-testid="save-event">{lang.t(Key::UsersSave)}</button>
        </form>
    }
}

#[component]
pub fn NewEventPage() -> impl IntoView {
    let lang = use_lang();
    let calendar = param("cal");
    let date = param("date");
    let fields = EventFields {
        title: String::new(),
        place: String::new(),
        description: String::new(),
        date,
        start: String::new(),
        end: String::new(),
        repeat: Repeat::Never,
        until: String::new(),
        exceptions: Vec::new(),
        reminder: 0,
    };
    let wanted = calendar.clone();
    view! {
        <leptos_meta::Title text=lang.t(Key::CalNew)/>
        <h1 class="page-title module-calendar">{lang.t(Key::CalNew)}</h1>
        <Card>
            {await_data(
                lang,
                move || calendar_view("all".into(), "agenda".into(), String::new()),
                move |page| {
                    let choices: Vec<CalendarInfo> =
                        page.calendars.into_iter().filter(|c| c.can_write).collect();
                    let calendar = if choices.iter().any(|c| c.code == wanted) {
                        wanted.clone()
                    } else {
                        "me".to_string()
                    };
                    view! { <EventForm lang calendar choices id=0 version=0 fields=fields.clone()/> }
                },
            )}
        </Card>
    }
}

#[component]
pub fn EventView() -> impl IntoView {
    let lang = use_lang();
    let id: i64 = param("id").parse().unwrap_or(0);
    view! {
        <leptos_meta::Title text=lang.t(Key::CalTitle)/>
        {await_data(lang, move || event(id), move |page| view! { <Event lang page/> })}
    }
}

fn field_label(lang: Lang, name: &str) -> &'static str {
    lang.t(match name {
        "title" => Key::CalEventTitle,
        "date" => Key::CalDate,
        "start" => Key::CalStart,
        "end" => Key::CalEnd,
        "place" => Key::CalPlace,
        "description" => Key::CalDescription,
        "repeat" => Key::CalRepeat,
        "until" => Key::CalUntil,
        _ => Key::CalExceptions,
    })
}

/// CAL-2, issue 18: a day in the history reads like the day on the form (`11.12.2026`), not as
/// it is stored; the exceptions are a list of such days.
fn shown(lang: Lang, name: &str, value: &str) -> String {
    match name {
        "date" | "until" => lang.day(value),
        "repeat" => Repeat::parse(value)
            .map(|r| lang.t(r.label()).to_string())
            .unwrap_or_else(|| value.to_string()),
        "exceptions" => value
            .split(", ")
            .filter(|day| !day.is_empty())
            .map(|day| lang.day(day))
            .collect::<Vec<_>>()
            .join(", "),
        _ => value.to_string(),
    }
}

#[component]
fn Event(lang: Lang, page: EventPage) -> impl IntoView {
    let f = page.fields.clone();
    let date = lang.day(&f.date);
    let when = if f.all_day() {
        format!("{date} · {}", lang.t(Key::CalAllDay))
    } else {
        format!("{date} · {}–{}", f.start, f.end)
    };
    let can_write = page.calendar.can_write && !page.deleted;
    view! {
        <article class="card" data-testid="event">
            <p><a href=format!("/calendar?cal={}", page.calendar.code)>{calendar_name(lang, &page.calendar)}</a></p>
            <h1 class="card-title" data-testid="event-title">{f.title.clone()}</h1>
            {page.deleted.then(|| view! { <p class="badge badge-error">{lang.t(Key::CalDeleted)}</p> })}
            <dl class="facts">
                <dt>{lang.t(Key::CalDate)}</dt><dd data-testid="event-when">{when}</dd>
                {(!f.place.is_empty()).then(|| view! { <dt>{lang.t(Key::CalPlace)}</dt><dd>{f.place.clone()}</dd> })}
                {(f.repeat != Repeat::Never).then(|| view! {
                    <dt>{lang.t(Key::CalRepeat)}</dt>
                    <dd>{lang.t(f.repeat.label())}
                        {(!f.until.is_empty()).then(|| format!(" · {} {}", lang.t(Key::CalUntil), lang.day(&f.until)))}</dd>
                })}
            </dl>
            {(!f.description.is_empty()).then(|| view! { <p class="mail-body">{f.description.clone()}</p> })}
        </article>
        {can_write.then(|| view! {
            <Card title=lang.t(Key::CalEdit)>
                <EventForm lang calendar=page.calendar.code.clone() choices=vec![page.calendar.clone()] id=page.id version=page.version fields=page.fields.clone()/>
                <form method="post" action="/api/calendar/delete">
                    <input type="hidden" name="id" value=page.id.to_string()/>
                    <input type="hidden" name="version" value=page.version.to_string()/>
                    <button class="btn btn-danger" type="submit" data-testid="delete-event"><Icon name=IconName::Trash/>{lang.t(Key::FilesDelete)}</button>
                </form>
            </Card>
        })}
        {(!page.history.is_empty()).then(|| view! {
            <Card title=lang.t(Key::CalHistory)>
                <ol class="cal-history" data-testid="history">
                    {page.history.iter().map(|h| {
                        let action = lang.t(match h.action.as_str() {
                            "created" => Key::CalCreated,
                            "deleted" => Key::CalDeleted,
                            _ => Key::CalUpdated,
                        });
                        view! {
                            <li data-testid="history-entry">
                                <strong>{action}</strong>" · "{h.by.clone()}" · "{lang.timestamp(h.at)}
                                <ul>
                                    {h.changes.iter().map(|(name, before, after)| view! {
                                        <li>{field_label(lang, name)}": "<del>{shown(lang, name, before)}</del>" → "<ins>{shown(lang, name, after)}</ins></li>
                                    }).collect_view()}
                                </ul>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </Card>
        })}
    }
}

/// CAL-3: a phone subscribes with a private address; it shows once, with a copy button.
#[component]
pub fn FeedsPage() -> impl IntoView {
    let lang = use_lang();
    // Loaded exactly once per page: reading the feeds hands out a new address only once, and a
    // second load while rendering would find it gone.
    let data = OnceResource::new(async move {
        let list = feeds().await?;
        let page = calendar_view("all".into(), "agenda".into(), String::new()).await?;
        Ok::<_, crate::error::AppError>((list, page.calendars))
    });
    view! {
        <leptos_meta::Title text=lang.t(Key::CalFeeds)/>
        <h1 class="page-title module-calendar">{lang.t(Key::CalFeeds)}</h1>
        <p class="lead">{lang.t(Key::CalFeedsIntro)}</p>
        {await_data(lang, move || async move { data.await }, move |(list, calendars)| view! { <Feeds lang list calendars/> })}
        <CopyScript/>
    }
}

#[component]
fn Feeds(lang: Lang, list: Vec<FeedInfo>, calendars: Vec<CalendarInfo>) -> impl IntoView {
    let name_of = {
        let calendars = calendars.clone();
        move |code: &str| {
            calendars.iter().find(|c| c.code == code).map_or_else(
                || lang.t(Key::CalAll).to_string(),
                |c| calendar_name(lang, c),
            )
        }
    };
    view! {
        {list.iter().filter_map(|f| f.url_once.clone()).map(|url| view! {
            <div class="case-banner feed-new" role="status">
                <p>{lang.t(Key::CalFeedOnce)}</p>
                <input readonly value=url.clone() data-testid="feed-url" id="feed-url"/>
                <button class="btn btn-primary" type="button" data-copy="feed-url" data-testid="copy-feed">{lang.t(Key::CalCopy)}</button>
            </div>
        }).collect_view()}
        <Card title=lang.t(Key::CalFeedNew)>
            <form method="post" action="/api/calendar/create-feed">
                <div class="field">
                    <label for="feed-cal">{lang.t(Key::CalCalendars)}</label>
                    <select id="feed-cal" name="calendar">
                        <option value="all">{lang.t(Key::CalAll)}</option>
                        {calendars.iter().map(|c| view! { <option value=c.code.clone()>{calendar_name(lang, c)}</option> }).collect_view()}
                    </select>
                </div>
                <button class="btn btn-primary" type="submit" data-testid="create-feed">{lang.t(Key::CalFeedNew)}</button>
            </form>
        </Card>
        <ul class="mail-attachments">
            {list.into_iter().map(|f| view! {
                <li class="card" data-testid="feed-row">
                    {name_of(&f.calendar)}" · "{lang.timestamp(f.created_at)}" "
                    {if f.revoked {
                        view! { <span class="badge badge-error">{lang.t(Key::CalFeedRevoked)}</span> }.into_any()
                    } else {
                        view! {
                            <ActionForm action={ServerAction::<RevokeFeed>::new()} attr:class="inline-form">
                                <input type="hidden" name="id" value=f.id.to_string()/>
                                <button class="btn btn-danger" type="submit" data-testid="revoke-feed">{lang.t(Key::CalFeedRevoke)}</button>
                            </ActionForm>
                        }.into_any()
                    }}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Copies the field a `data-copy` button names; a few lines of script, not an island.
#[component]
fn CopyScript() -> impl IntoView {
    const SCRIPT: &str = "document.querySelectorAll('[data-copy]').forEach(function(b){\
b.addEventListener('click',function(){var f=document.getElementById(b.dataset.copy);f.select();\
(navigator.clipboard?navigator.clipboard.writeText(f.value):Promise.reject()).catch(function(){document.execCommand('copy')});\
b.dataset.copied='true';})})";
    view! { <InlineScript code=SCRIPT/> }
}
