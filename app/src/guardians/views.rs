//! The guardians' pages, phone first: registration with the code slip, adding a child, the
//! children on the home page, and the secretariat's card on a pupil's page. No island: each
//! is a plain form that works without JavaScript.
use leptos::prelude::*;

use super::{AddChild, ChildHome, GiveConsent, Register, RequestEnd, SetRepresentative, Unlink};
use crate::auth::views::{error_from_url, field_error, form_error};
use crate::components::{Card, ErrorSummary, Field, Icon, IconName, InlineScript, await_data};
use crate::error::AppError;
use crate::i18n::{Key, Lang, use_lang};

/// PAR-2: `/register`, public. The QR code on the letter opens `/register#code=…`; a few
/// lines of script put the code into its field and drop it from the history (phones are
/// shared in families too). Without the script the parent types the code.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let lang = use_lang();
    let initial_error = error_from_url::<Register>();
    let action = ServerAction::<Register>::new();
    let error = form_error(action, initial_error);
    let kept = kept_registration();
    let value = move |name: &str| {
        kept.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    view! {
        <leptos_meta::Title text=lang.t(Key::GuardiansRegisterTitle)/>
        <div class="narrow">
            <Card title=lang.t(Key::GuardiansRegisterTitle) icon=IconName::User>
                <p class="lead">{lang.t(Key::GuardiansRegisterIntro)}</p>
                <ActionForm action attr:data-testid="register-form">
                    <ErrorSummary lang error/>
                    <Field name="code" label=lang.t(Key::GuardiansLetterCode) hint=lang.t(Key::GuardiansCodeHint)
                        autocomplete="one-time-code" error=field_error(lang, error, "code") value=value("code")/>
                    <Field name="first_name" label=lang.t(Key::UsersFirstName) autocomplete="given-name"
                        error=field_error(lang, error, "first_name") value=value("first_name")/>
                    <Field name="last_name" label=lang.t(Key::UsersLastName) autocomplete="family-name"
                        error=field_error(lang, error, "last_name") value=value("last_name")/>
                    <Field name="password" label=lang.t(Key::PasswordNew) input_type="password" autocomplete="new-password"
                        hint=lang.t(Key::GuardiansPasswordHint) error=field_error(lang, error, "password")/>
                    <Field name="repeat" label=lang.t(Key::PasswordRepeat) input_type="password" autocomplete="new-password"
                        error=field_error(lang, error, "repeat")/>
                    <button class="btn btn-primary btn-wide" type="submit" data-testid="register-submit">
                        <Icon name=IconName::Check/>{lang.t(Key::GuardiansRegisterSubmit)}
                    </button>
                </ActionForm>
            </Card>
            <CodeFromFragment/>
            <aside class="notice" aria-labelledby="have-account">
                <h2 id="have-account"><Icon name=IconName::Info/>{lang.t(Key::GuardiansHaveAccountTitle)}</h2>
                <p>{lang.t(Key::GuardiansHaveAccountText)}</p>
                <a class="btn" href="/login">{lang.t(Key::LoginSubmit)}</a>
            </aside>
        </div>
    }
}

/// The code and names a refused registration kept (never the password).
fn kept_registration() -> Vec<(String, String)> {
    #[cfg(feature = "ssr")]
    {
        crate::auth::take_kept(super::ssr::KEPT_COOKIE, super::ssr::REGISTER_PATH)
            .and_then(|kept| serde_urlencoded::from_str(&kept).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Vec::new()
    }
}

/// PAR-2: fills the code field from `#code=…` and removes the fragment from the history.
#[component]
fn CodeFromFragment() -> impl IntoView {
    const SCRIPT: &str = "(function(){var h=location.hash.slice(1);if(!h)return;\
history.replaceState(null,'',location.pathname+location.search);\
var c=new URLSearchParams(h).get('code'),f=document.querySelector('input[name=code]');\
if(c&&f&&!f.value){f.value=c;var n=document.querySelector('input[name=first_name]');if(n)n.focus();}})()";
    view! { <InlineScript code=SCRIPT/> }
}

/// PAR-2 "Kind hinzufügen": `/children/add`, for a signed-in guardian with the next code.
#[component]
pub fn AddChildPage() -> impl IntoView {
    let lang = use_lang();
    let initial_error = error_from_url::<AddChild>();
    let action = ServerAction::<AddChild>::new();
    let error = form_error(action, initial_error);
    view! {
        <leptos_meta::Title text=lang.t(Key::GuardiansAddChild)/>
        <div class="narrow">
            <Card title=lang.t(Key::GuardiansAddChild) icon=IconName::User>
                <p class="lead">{lang.t(Key::GuardiansAddChildIntro)}</p>
                <ActionForm action>
                    <ErrorSummary lang error/>
                    <Field name="code" label=lang.t(Key::GuardiansLetterCode) hint=lang.t(Key::GuardiansCodeHint)
                        autocomplete="one-time-code" error=field_error(lang, error, "code")/>
                    <button class="btn btn-primary btn-wide" type="submit"><Icon name=IconName::Check/>{lang.t(Key::GuardiansAddChild)}</button>
                </ActionForm>
            </Card>
            <CodeFromFragment/>
        </div>
    }
}

/// PAR-3: the guardian's children on the home page: one tab per child (first name and
/// class), and under each what is coming up. The tabs are links to each child's section, so
/// they work without JavaScript; on a phone the sections stack.
#[component]
pub fn ChildrenHome(lang: Lang) -> impl IntoView {
    await_data(lang, super::home, move |children: Vec<ChildHome>| {
        if children.is_empty() {
            return ().into_any();
        }
        view! {
            <nav class="child-tabs" aria-label=lang.t(Key::GuardiansChildren) data-testid="child-tabs">
                {children.iter().map(|c| view! {
                    <a class="child-tab" href=format!("#child-{}", c.child.pupil_id)>
                        <strong>{c.child.first_name.clone()}</strong>
                        {c.child.class.clone().map(|class| view! { <span class="hint">{class}</span> })}
                    </a>
                }).collect_view()}
                <a class="child-tab child-tab-add" href="/children/add"><Icon name=IconName::People/>{lang.t(Key::GuardiansAddChild)}</a>
            </nav>
            <LatestMessages lang/>
            {children.into_iter().map(|c| child_section(lang, c)).collect_view()}
        }
        .into_any()
    })
}

/// PAR-3: how many of the newest messages the guardian's home shows.
const LATEST_SHOWN: usize = 3;

/// PAR-3: the newest messages from the school, above the children, unread ones in bold.
#[component]
fn LatestMessages(lang: Lang) -> impl IntoView {
    let inbox = || crate::mail::mailbox("inbox".into(), String::new(), 0);
    view! {
        <section class="card" data-testid="latest-messages">
            <h2 class="card-title"><Icon name=IconName::Mail/>{lang.t(Key::GuardiansLatestMessages)}</h2>
            {await_data(lang, inbox, move |page: crate::mail::MailboxPage| {
                if page.items.is_empty() {
                    return view! { <p class="empty">{lang.t(Key::GuardiansNoMessages)}</p> }.into_any();
                }
                view! {
                    <ul class="cal-next">
                        {page.items.into_iter().take(LATEST_SHOWN).map(|m| view! {
                            <li>
                                <span class="hint">{lang.timestamp(m.created_at)}" · "{m.sender}</span>" "
                                <a href=format!("/mail/message?item={}", m.item_id) class:unread=!m.is_read>{m.subject}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                    <a class="btn" href="/mail">{lang.t(Key::GuardiansAllMessages)}</a>
                }.into_any()
            })}
        </section>
    }
}

/// One child's card. Type-erased: the home page nests deep enough to reach the compiler's
/// query depth limit otherwise.
fn child_section(lang: Lang, home: ChildHome) -> AnyView {
    let child = home.child;
    let heading = match &child.class {
        Some(class) => format!("{} {} · {class}", child.first_name, child.last_name),
        None => format!("{} {}", child.first_name, child.last_name),
    };
    view! {
        <section class="card child-card" id=format!("child-{}", child.pupil_id) data-testid="child-card">
            <h2 class="card-title"><Icon name=IconName::Heart/>{heading}</h2>
            <crate::absences::views::ChildAbsences lang pupil_id=child.pupil_id reports=home.absences/>
            <h3>{lang.t(Key::CalNext)}</h3>
            {if home.upcoming.is_empty() {
                view! { <p class="empty">{lang.t(Key::CalNothing)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cal-next">
                        {home.upcoming.into_iter().map(|o| view! {
                            <li><span class="hint">{lang.timestamp(o.starts_at)}</span>" "<strong>{o.title}</strong></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ConsentBlock lang pupil_id=child.pupil_id consent=home.consent/>
            <EndRequestBlock lang pupil_id=child.pupil_id requested=home.end_requested/>
        </section>
    }
    .into_any()
}

/// VIOL-1, PAR-4: the policy consent for the child: given (and which way), or the form to
/// give it with the name typed as the signature.
#[component]
fn ConsentBlock(lang: Lang, pupil_id: i64, consent: crate::policy::ConsentState) -> impl IntoView {
    let Some(version_id) = consent.version_id else {
        return ().into_any();
    };
    let given = consent.given_at.map(|at| {
        let key = if consent.online {
            Key::GuardiansConsentGivenOnline
        } else {
            Key::GuardiansConsentGivenPaper
        };
        view! { <p class="ok" data-testid="consent-given"><Icon name=IconName::Check/>{lang.fill(key, &[("date", &lang.timestamp(at))])}</p> }
    });
    let form = consent.given_at.is_none().then(|| {
        let action = ServerAction::<GiveConsent>::new();
        let error = form_error(action, error_from_url::<GiveConsent>());
        let (agree_id, name_id) = (format!("agree-{pupil_id}"), format!("signed-{pupil_id}"));
        let (agree_for, name_for) = (agree_id.clone(), name_id.clone());
        view! {
            <p>{lang.fill(Key::GuardiansConsentIntro, &[("version", &consent.version.to_string())])}
                " "<a href="/policy">{lang.t(Key::GuardiansConsentRead)}</a></p>
            <ErrorSummary lang error/>
            <ActionForm action attr:class="create-user" attr:data-testid="consent-form">
                <input type="hidden" name="pupil_id" value=pupil_id.to_string()/>
                <input type="hidden" name="version_id" value=version_id.to_string()/>
                <label class="check" for=agree_for>
                    <input type="checkbox" id=agree_id name="agree" required=true/>
                    " "{lang.t(Key::GuardiansConsentAgreeLabel)}
                </label>
                <div class="field">
                    <label for=name_for>{lang.t(Key::GuardiansConsentName)}</label>
                    <input id=name_id name="signed_name" autocomplete="name" required=true/>
                </div>
                <button class="btn btn-primary" type="submit" data-testid="give-consent">{lang.t(Key::GuardiansConsentSubmit)}</button>
            </ActionForm>
        }
    });
    view! {
        <h3>{lang.t(Key::GuardiansConsentTitle)}</h3>
        {given}
        {form}
    }
    .into_any()
}

/// LIFE-1, PAR-4: asking the head to end the child's use, or the request's status.
#[component]
fn EndRequestBlock(lang: Lang, pupil_id: i64, requested: Option<i64>) -> impl IntoView {
    let body = match requested {
        Some(at) => view! {
            <p data-testid="end-requested">{lang.fill(Key::GuardiansEndPending, &[("date", &lang.timestamp(at))])}</p>
        }
        .into_any(),
        None => {
            let action = ServerAction::<RequestEnd>::new();
            let note_id = format!("end-note-{pupil_id}");
            view! {
                <details>
                    <summary>{lang.t(Key::GuardiansEndTitle)}</summary>
                    <p>{lang.t(Key::GuardiansEndIntro)}</p>
                    <ActionForm action attr:class="create-user">
                        <input type="hidden" name="pupil_id" value=pupil_id.to_string()/>
                        <div class="field">
                            <label for=note_id.clone()>{lang.t(Key::GuardiansEndNote)}</label>
                            <textarea id=note_id name="note" rows="3" maxlength="1000"></textarea>
                        </div>
                        <button class="btn btn-danger" type="submit" data-testid="request-end">{lang.t(Key::GuardiansEndSubmit)}</button>
                    </ActionForm>
                </details>
            }
            .into_any()
        }
    };
    view! { <div class="end-request">{body}</div> }
}

/// PAR-1: on a pupil's page, for the secretariat: the pupil's guardians, each link removable
/// with a reason, and the code letters to print for each household. `in_class`: the pupil is
/// in a class, so its parent representative can be marked.
#[component]
pub fn GuardiansCard(lang: Lang, pupil_id: i64, in_class: bool) -> impl IntoView {
    let initial_error: Option<AppError> = error_from_url::<Unlink>();
    let action = ServerAction::<Unlink>::new();
    let error = form_error(action, initial_error);
    let representative = ServerAction::<SetRepresentative>::new();
    view! {
        <Card title=lang.t(Key::GuardiansTitle) icon=IconName::User>
            <ErrorSummary lang error/>
            {await_data(lang, move || super::guardians_of(pupil_id), move |guardians| {
                if guardians.is_empty() {
                    return view! { <p class="empty" data-testid="no-guardians">{lang.t(Key::GuardiansNone)}</p> }.into_any();
                }
                view! {
                    <ul class="guardian-list" data-testid="guardians">
                        {guardians.into_iter().map(|g| view! {
                            <li>
                                <strong>{g.name.clone()}</strong>" "<code>{g.login.clone()}</code>
                                {g.locked.then(|| view! { " · "{lang.t(Key::UsersLocked)} })}
                                {g.representative.then(|| view! { " · "<span data-testid="representative">{lang.t(Key::GuardiansRepresentative)}</span> })}
                                {in_class.then(|| view! {
                                    <ActionForm action=representative attr:class="inline-form">
                                        <input type="hidden" name="pupil_id" value=pupil_id.to_string()/>
                                        <input type="hidden" name="guardian_id" value=g.id.to_string()/>
                                        <input type="hidden" name="representative" value=if g.representative { "no" } else { "yes" }/>
                                        <button class="btn" type="submit" data-testid="toggle-representative">
                                            {lang.t(if g.representative { Key::GuardiansEndRepresentative } else { Key::GuardiansMakeRepresentative })}
                                        </button>
                                    </ActionForm>
                                })}
                                <details>
                                    <summary>{lang.t(Key::GuardiansUnlink)}</summary>
                                    <ActionForm action attr:class="create-user">
                                        <input type="hidden" name="pupil_id" value=pupil_id.to_string()/>
                                        <input type="hidden" name="guardian_id" value=g.id.to_string()/>
                                        <div class="field">
                                            <label for=format!("unlink-reason-{}", g.id)>{lang.t(Key::UsersReason)}</label>
                                            <input id=format!("unlink-reason-{}", g.id) name="reason" required=true/>
                                        </div>
                                        <button class="btn btn-danger" type="submit">{lang.t(Key::GuardiansUnlink)}</button>
                                    </ActionForm>
                                </details>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <LettersForm lang field="user_id" value=pupil_id.to_string()
                label=lang.t(Key::GuardiansPrintCodes) testid="print-codes"/>
        </Card>
    }
}

/// PAR-2: the form that prints code letters, for one pupil (`user_id`) or a whole class
/// (`class`): it opens the letters in a new tab, as the start-password slips do.
#[component]
pub fn LettersForm(
    lang: Lang,
    /// `user_id` or `class`, as `POST /admin/guardian-codes` reads it.
    field: &'static str,
    value: String,
    #[prop(into)] label: String,
    testid: &'static str,
) -> impl IntoView {
    let copies_id = format!("{testid}-copies");
    view! {
        <form method="post" action="/admin/guardian-codes" target="_blank" class="create-user">
            <input type="hidden" name=field value=value/>
            <div class="field">
                <label for=copies_id.clone()>{lang.t(Key::GuardiansCopies)}</label>
                <select id=copies_id name="copies">
                    <option value="1">"1"</option>
                    <option value="2">"2"</option>
                </select>
            </div>
            <button class="btn" type="submit" data-testid=testid><Icon name=IconName::Key/>{label}</button>
        </form>
    }
}
