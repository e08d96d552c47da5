//! The absence pages (ABS-1..3): the family's report on the phone, the class teacher's
//! morning list on the tablet, the office's list of children missing without a report, and
//! the term's counts. No island: every tap is a plain form that works without JavaScript.
use leptos::prelude::*;

use super::{
    AbsenceSettings, ClassRef, DayState, FamilyReport, Mark, MissingChild, MorningList, Reached,
    SetSettings, TermRecord, days_text,
};
use crate::auth::views::{error_from_url, field_error, form_error};
use crate::components::{Card, DataTable, ErrorSummary, Field, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::absence::{Part, Reason};

fn route_id() -> i64 {
    leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()))
        .unwrap_or_default()
}

fn reason_text(lang: Lang, code: &str) -> &'static str {
    Reason::from_code(code).map_or("", |r| lang.t(r.label()))
}

/// "07.12.2026" or "07.12.2026 – 09.12.2026", and the half day if it is one.
fn days_of(lang: Lang, from: &str, to: &str, part: &str) -> String {
    let days = if from == to {
        lang.day(from)
    } else {
        format!("{} – {}", lang.day(from), lang.day(to))
    };
    match Part::from_code(part) {
        Some(part @ (Part::Morning | Part::Afternoon)) => {
            format!("{days}, {}", lang.t(part.label()))
        }
        _ => days,
    }
}

/// ABS-1: on each child's card on the family's home: the large "Kind krankmelden" button and
/// the reports from a week back on, each with its days, reason and whether it came late.
#[component]
pub fn ChildAbsences(lang: Lang, pupil_id: i64, reports: Vec<FamilyReport>) -> impl IntoView {
    // A success says so (UX): the report that was just sent.
    let sent = crate::components::query_param("reported") == pupil_id.to_string();
    view! {
        <div class="absences" data-testid="child-absences">
            {sent.then(|| view! { <crate::components::Toast message=lang.t(Key::AbsSent)/> })}
            <a class="btn btn-primary btn-wide" href=format!("/children/{pupil_id}/absence") data-testid="report-absence">
                <Icon name=IconName::Heart/>{lang.t(Key::AbsReportButton)}
            </a>
            {(!reports.is_empty()).then(|| view! {
                <h3>{lang.t(Key::AbsReportsTitle)}</h3>
                <ul class="cal-next" data-testid="absence-reports">
                    {reports.into_iter().map(|r| view! {
                        <li>
                            <strong>{days_of(lang, &r.from_day, &r.to_day, &r.part)}</strong>
                            " · "{reason_text(lang, &r.reason)}
                            <br/><span class="hint">{lang.fill(Key::AbsReceived, &[("date", &lang.timestamp(r.reported_at))])}</span>
                            {r.late.then(|| view! { " · "<span class="hint">{lang.t(Key::AbsLate)}</span> })}
                            {(r.doctors_note_from > 0 || r.has_doctors_note).then(|| doctors_note(lang, &r))}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}

/// ABS-1: where the school asks for a doctor's note: the hint and a form that sends a photo
/// of it (the phone's camera opens), or the note that arrived.
fn doctors_note(lang: Lang, report: &FamilyReport) -> impl IntoView + use<> {
    let url = format!("/absences/note/{}", report.id);
    if report.has_doctors_note {
        return view! {
            <p class="ok" data-testid="doctors-note-sent"><Icon name=IconName::Check/>
                <a href=url>{lang.t(Key::AbsNoteSent)}</a>
            </p>
        }
        .into_any();
    }
    let input_id = format!("note-file-{}", report.id);
    view! {
        <div class="notice-inline" data-testid="doctors-note">
            <p>{lang.fill(Key::AbsDoctorsNote, &[("n", &report.doctors_note_from.to_string())])}</p>
            <form method="post" action=url enctype="multipart/form-data" class="create-user">
                <label for=input_id.clone()>{lang.t(Key::AbsNotePhoto)}</label>
                <input id=input_id type="file" name="file" accept="image/*,application/pdf" capture="environment" required=true/>
                <button class="btn" type="submit" data-testid="send-doctors-note"><Icon name=IconName::Camera/>{lang.t(Key::AbsNoteSend)}</button>
            </form>
        </div>
    }
    .into_any()
}

/// ABS-1: `/children/:id/absence`: the report form, phone first: the days (today is filled
/// in), the whole day or half of it, the reason as large choices, and an optional note that
/// asks for no diagnosis.
#[component]
pub fn ReportPage() -> impl IntoView {
    let lang = use_lang();
    let pupil_id = route_id();
    let action = ServerAction::<super::Report>::new();
    let error = form_error(action, error_from_url::<super::Report>());
    let field = move |name: &'static str| field_error(lang, error, name);
    let children = crate::guardians::home;
    view! {
        <leptos_meta::Title text=lang.t(Key::AbsReportButton)/>
        <div class="narrow">
            {await_data(lang, children, move |children| {
                let Some(home) = children.into_iter().find(|c| c.child.pupil_id == pupil_id) else {
                    return view! { <p class="empty">{lang.t(Key::ErrorNotFound)}</p> }.into_any();
                };
                view! {
                    <Card icon=IconName::Heart>
                        <h1 class="card-title">{lang.fill(Key::AbsReportTitle, &[("name", &home.child.first_name)])}</h1>
                        <p class="lead">{lang.t(Key::AbsReportIntro)}</p>
                        <ActionForm action attr:class="absence-form" attr:data-testid="absence-form">
                            <ErrorSummary lang error/>
                            <input type="hidden" name="pupil_id" value=pupil_id.to_string()/>
                            <Field name="from" label=lang.t(Key::AbsFrom) error=field("from")/>
                            <Field name="to" label=lang.t(Key::AbsTo) error=field("to")/>
                            <fieldset class="pills">
                                <legend>{lang.t(Key::AbsPart)}</legend>
                                {Part::ALL.into_iter().map(|p| view! {
                                    <label class="pill">
                                        <input type="radio" name="part" value=p.code() checked=p == Part::Whole/>
                                        <span>{lang.t(p.label())}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <fieldset class="pills" data-testid="reasons">
                                <legend>{lang.t(Key::AbsReason)}</legend>
                                {move || field("reason").get().map(|message| view! { <p class="field-message">{message}</p> })}
                                {Reason::ALL.into_iter().map(|r| view! {
                                    <label class="pill">
                                        <input type="radio" name="reason" value=r.code() checked=r == Reason::Sick/>
                                        <span>{lang.t(r.label())}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <div class="field">
                                <label for="absence-note">{lang.t(Key::AbsNote)}</label>
                                <p class="field-hint" id="absence-note-hint"><Icon name=IconName::Info/>{lang.t(Key::AbsNoteHint)}</p>
                                <textarea id="absence-note" name="note" rows="3" maxlength="500" aria-describedby="absence-note-hint"></textarea>
                            </div>
                            <button class="btn btn-primary btn-wide" type="submit" data-testid="send-absence">
                                <Icon name=IconName::Check/>{lang.t(Key::AbsSubmit)}
                            </button>
                        </ActionForm>
                    </Card>
                }
                .into_any()
            })}
        </div>
    }
}

/// ABS-2: on the staff's start page: a link to each class's morning list, and for the office
/// the list of children missing without a report.
#[component]
pub fn AbsencesCard(lang: Lang, school_wide: bool) -> impl IntoView {
    await_data(lang, super::classes, move |classes: Vec<ClassRef>| {
        if classes.is_empty() && !school_wide {
            return ().into_any();
        }
        view! {
            <Card title=lang.t(Key::AbsMorningLists) icon=IconName::People>
                {school_wide.then(|| view! {
                    <a class="btn btn-primary" href="/absences/missing" data-testid="missing-link">
                        <Icon name=IconName::Alert/>{lang.t(Key::AbsMissingTitle)}
                    </a>
                })}
                <nav class="class-links" data-testid="morning-lists">
                    {classes.into_iter().map(|c| view! {
                        <a class="btn" href=format!("/absences/class/{}", c.id)>{c.name}</a>
                    }).collect_view()}
                </nav>
            </Card>
        }
        .into_any()
    })
}

/// ABS-2: `/absences/class/:id`, "Heute in der 2b": every pupil with today's state, one tap
/// to mark a child missing without a report (or back), on a tablet.
#[component]
pub fn MorningListPage() -> impl IntoView {
    let lang = use_lang();
    let id = route_id();
    let action = ServerAction::<Mark>::new();
    let error = form_error(action, error_from_url::<Mark>());
    view! {
        <leptos_meta::Title text=lang.t(Key::AbsMorningLists)/>
        {await_data(lang, move || super::class_day(id), move |list: MorningList| {
            let count = |f: fn(&DayState) -> bool| list.rows.iter().filter(|r| f(&r.state)).count().to_string();
            let summary = lang.fill(Key::AbsSummary, &[
                ("present", &count(|s| matches!(s, DayState::Present))),
                ("reported", &count(|s| matches!(s, DayState::Reported { .. }))),
                ("missing", &count(|s| matches!(s, DayState::Missing { .. }))),
            ]);
            let class_id = list.class.id;
            view! {
                <h1 class="page-title" data-testid="morning-list-title">{lang.fill(Key::AbsTodayIn, &[("class", &list.class.name)])}</h1>
                <p class="lead">{lang.day(&list.day)}" · "<span data-testid="morning-summary">{summary}</span></p>
                <ErrorSummary lang error/>
                <ul class="morning-list" data-testid="morning-list">
                    {list.rows.into_iter().map(|row| {
                        let (badge, button) = match &row.state {
                            DayState::Present => (
                                view! { <span class="badge">{lang.t(Key::AbsPresent)}</span> }.into_any(),
                                Some(("yes", Key::AbsMarkMissing, "btn")),
                            ),
                            DayState::Reported { absence_id, reason, note, part, late, doctors_note } => (
                                view! {
                                    <span class="badge badge-info">{reason_text(lang, reason)}
                                        {Part::from_code(part).filter(|p| *p != Part::Whole).map(|p| format!(", {}", lang.t(p.label())))}
                                    </span>
                                    {late.then(|| view! { " "<span class="hint">{lang.t(Key::AbsLate)}</span> })}
                                    {doctors_note.then(|| view! {
                                        " "<a href=format!("/absences/note/{absence_id}") data-testid="doctors-note-link">{lang.t(Key::AbsNoteLink)}</a>
                                    })}
                                    {(!note.is_empty()).then(|| view! { <blockquote class="note">{note.clone()}</blockquote> })}
                                }.into_any(),
                                None,
                            ),
                            DayState::Missing { reached } => (
                                view! {
                                    <span class="badge badge-error">{lang.t(Key::AbsMissing)}</span>
                                    {reached.then(|| view! { " "<span class="hint">{lang.t(Key::AbsFamilyReached)}</span> })}
                                }.into_any(),
                                Some(("no", Key::AbsCame, "btn")),
                            ),
                        };
                        view! {
                            <li id=format!("pupil-{}", row.pupil_id) data-testid="morning-row">
                                <span class="morning-name">{row.name.clone()}</span>
                                <span class="morning-state">{badge}</span>
                                {button.map(|(missing, label, class)| view! {
                                    <ActionForm action attr:class="inline-form">
                                        <input type="hidden" name="group_id" value=class_id.to_string()/>
                                        <input type="hidden" name="pupil_id" value=row.pupil_id.to_string()/>
                                        <input type="hidden" name="missing" value=missing/>
                                        <button class=class type="submit" data-testid=format!("mark-{missing}")>{lang.t(label)}</button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <a class="btn" href=format!("/absences/class/{class_id}/term")><Icon name=IconName::Calendar/>{lang.t(Key::AbsTermLink)}</a>
            }
            .into_any()
        })}
    }
}

/// ABS-3: `/absences/class/:id/term`: the term's absences per pupil, for the report card.
#[component]
pub fn TermPage() -> impl IntoView {
    let lang = use_lang();
    let id = route_id();
    view! {
        <leptos_meta::Title text=lang.t(Key::AbsTermLink)/>
        {await_data(lang, move || super::term(id), move |record: TermRecord| view! {
            <h1 class="page-title">{lang.fill(Key::AbsTermTitle, &[("class", &record.class.name)])}</h1>
            <p class="lead">{lang.fill(Key::AbsTermSpan, &[("from", &lang.day(&record.from_day)), ("to", &lang.day(&record.to_day))])}</p>
            <DataTable headers=vec![lang.t(Key::AbsName), lang.t(Key::AbsExcused), lang.t(Key::AbsUnexcused)]>
                {record.rows.into_iter().map(|row| view! {
                    <tr data-testid="term-row">
                        <td>{row.name}</td>
                        <td>{days_text(row.excused_halves)}</td>
                        <td>{days_text(row.unexcused_halves)}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
            <a class="btn" href=format!("/absences/class/{}", record.class.id)>{lang.t(Key::AbsBackToList)}</a>
        })}
    }
}

/// ABS-2: `/absences/missing`, "Heute fehlen ohne Meldung": each child with their class, the
/// guardians' names and numbers (a tap calls), and a tick once the family was reached.
#[component]
pub fn MissingPage() -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<Reached>::new();
    let error = form_error(action, error_from_url::<Reached>());
    view! {
        <leptos_meta::Title text=lang.t(Key::AbsMissingTitle)/>
        <h1 class="page-title">{lang.t(Key::AbsMissingTitle)}</h1>
        <ErrorSummary lang error/>
        {await_data(lang, super::missing, move |children: Vec<MissingChild>| {
            if children.is_empty() {
                return view! { <p class="empty" data-testid="no-missing">{lang.t(Key::AbsMissingNone)}</p> }.into_any();
            }
            view! {
                <ul class="guardian-list" data-testid="missing-list">
                    {children.into_iter().map(|c| view! {
                        <li data-testid="missing-child">
                            <strong>{c.pupil.clone()}</strong>
                            {c.class.clone().map(|class| view! { " · "{class} })}
                            {if c.guardians.is_empty() {
                                view! { <p class="hint">{lang.t(Key::AbsNoGuardians)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="contacts">
                                        {c.guardians.iter().map(|g| view! {
                                            <li>{g.name.clone()}": "
                                                {if g.phone.is_empty() {
                                                    view! { <span class="hint">{lang.t(Key::AbsNoPhone)}</span> }.into_any()
                                                } else {
                                                    view! { <a href=format!("tel:{}", g.phone.replace(' ', "")) data-testid="phone">{g.phone.clone()}</a> }.into_any()
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {match (c.reached_at, c.reached_by.clone()) {
                                (Some(at), by) => view! {
                                    <p class="ok" data-testid="reached"><Icon name=IconName::Check/>
                                        {lang.fill(Key::AbsReachedBy, &[("name", by.as_deref().unwrap_or("–")), ("time", &lang.timestamp(at))])}
                                    </p>
                                }.into_any(),
                                (None, _) => view! {
                                    <ActionForm action attr:class="inline-form">
                                        <input type="hidden" name="absence_id" value=c.absence_id.to_string()/>
                                        <button class="btn btn-primary" type="submit" data-testid="mark-reached">
                                            <Icon name=IconName::Check/>{lang.t(Key::AbsMarkReached)}
                                        </button>
                                    </ActionForm>
                                }.into_any(),
                            }}
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        })}
        <a class="btn" href="/absences/term.csv" data-testid="absences-csv"><Icon name=IconName::Download/>{lang.t(Key::AbsCsv)}</a>
        <SettingsCard lang/>
    }
}

/// ABS-2, ABS-3: the school's rules for reports, on the office's page.
#[component]
fn SettingsCard(lang: Lang) -> impl IntoView {
    let action = ServerAction::<SetSettings>::new();
    let error = form_error(action, error_from_url::<SetSettings>());
    view! {
        <Card title=lang.t(Key::AbsSettingsTitle) icon=IconName::Settings>
            {await_data(lang, super::settings, move |current: AbsenceSettings| view! {
                <ActionForm action attr:class="create-user" attr:data-testid="absence-settings">
                    <ErrorSummary lang error/>
                    <Field name="late_after" label=lang.t(Key::AbsSettingsLate)
                        error=field_error(lang, error, "late_after") value=current.late_after/>
                    <Field name="note_from_day" label=lang.t(Key::AbsSettingsNoteDay) input_type="number"
                        error=field_error(lang, error, "note_from_day") value=current.note_from_day.to_string()/>
                    <Field name="keep_days" label=lang.t(Key::AbsSettingsKeep) input_type="number"
                        hint=lang.t(Key::AbsSettingsKeepHint)
                        error=field_error(lang, error, "keep_days") value=current.keep_days.to_string()/>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::AbsSettingsSave)}</button>
                </ActionForm>
            })}
        </Card>
    }
}
