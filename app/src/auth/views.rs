//! The sign-in and password pages. The pages are rendered on the server only; the forms are
//! islands, so they work as plain HTML forms first and gain instant feedback once hydrated.
use leptos::prelude::*;

use super::{ChangePassword, Login};
use crate::components::{
    Card, ErrorSummary, Field, Icon, IconName, InlineScript, await_data, use_hydrated,
};
use crate::error::AppError;
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::password::Part;

/// The error a plain (no-JavaScript) form post came back with, if it was `F`'s.
pub fn error_from_url<F: leptos::server_fn::ServerFn>() -> Option<AppError> {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| {
        (q.get("__path").as_deref() == Some(F::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|err| AppError::from_url(&err))
    })
}

/// The current error of a form: the latest action result, or the one the page was loaded with.
pub fn form_error<F>(action: ServerAction<F>, initial: Option<AppError>) -> Signal<Option<AppError>>
where
    F: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    F::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => initial.clone(),
    })
}

pub fn field_error(
    lang: Lang,
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> Signal<Option<&'static str>> {
    Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.field_message(field))
            .map(|key| lang.t(key))
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let initial_error = error_from_url::<Login>();
    view! {
        <leptos_meta::Title text=lang.t(Key::LoginTitle)/>
        <div class="narrow">
            <Card title=lang.t(Key::LoginTitle) icon=IconName::Key>
                <p class="lead">{lang.t(Key::LoginIntro)}</p>
                <LoginForm lang initial_error/>
            </Card>
            <SlipCodeScript/>
            // PW-2: there is deliberately no reset link; a new password is handed over in person.
            <aside class="notice" aria-labelledby="forgot">
                <h2 id="forgot"><Icon name=IconName::Info/>{lang.t(Key::LoginForgotTitle)}</h2>
                <p>{lang.t(Key::LoginForgotText)}</p>
            </aside>
        </div>
    }
}

/// Not an island: signing in needs no live feedback, so the login page ships no WASM at all.
/// Without JavaScript the form posts and the server redirects, back here with the error.
#[component]
fn LoginForm(lang: Lang, initial_error: Option<AppError>) -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = form_error(action, initial_error);
    // Issue 18: a refused sign-in keeps the user name (see `auth::take_kept_login`); the
    // page is rendered on the server only.
    #[cfg(feature = "ssr")]
    let kept = super::take_kept_login().unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let kept = String::new();
    view! {
        <ActionForm action>
            <ErrorSummary lang error/>
            <Field
                name="login"
                label=lang.t(Key::LoginName)
                hint=lang.t(Key::LoginNameHint)
                autocomplete="username"
                error=field_error(lang, error, "login")
                value=kept
            />
            <Field
                name="password"
                label=lang.t(Key::LoginPassword)
                input_type="password"
                autocomplete="current-password"
                error=field_error(lang, error, "password")
            />
            <button class="btn btn-primary btn-wide" type="submit" disabled=move || action.pending().get()>
                <Icon name=IconName::Key/>
                {lang.t(Key::LoginSubmit)}
            </button>
        </ActionForm>
    }
}

/// PW-2, issue 18: the QR code on a start-password slip opens `/login#u=…&p=…`. The fragment
/// never reaches the server or its logs; this script fills the form from it, removes it from
/// the history at once (class tablets are shared) and signs in. A few lines, not an island:
/// the login page loads no WASM.
#[component]
fn SlipCodeScript() -> impl IntoView {
    const SCRIPT: &str = "(function(){var h=location.hash.slice(1);if(!h)return;\
history.replaceState(null,'',location.pathname+location.search);\
var q=new URLSearchParams(h),u=q.get('u'),p=q.get('p'),\
l=document.querySelector('input[name=login]'),w=document.querySelector('input[name=password]');\
if(!u||!p||!l||!w)return;l.value=u;w.value=p;\
var f=l.form;if(f.requestSubmit){f.requestSubmit()}else{f.submit()}})()";
    view! { <InlineScript code=SCRIPT/> }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let lang = use_lang();
    let initial_error = error_from_url::<ChangePassword>();
    // PW-2: a session opened with a start password is not asked for it again.
    let ask_current = !use_context::<Option<super::SessionUser>>()
        .flatten()
        .is_some_and(|user| user.must_change_password);
    #[cfg(feature = "ssr")]
    let idea = super::password_idea(lang);
    #[cfg(not(feature = "ssr"))]
    let idea = String::new();
    view! {
        <leptos_meta::Title text=lang.t(Key::PasswordTitle)/>
        <div class="narrow">
            <Card title=lang.t(Key::PasswordTitle) icon=IconName::Key>
                <p class="lead">{lang.t(Key::PasswordIntro)}</p>
                {await_data(lang, super::start_password_origin, move |origin| origin.map(|o| view! {
                    <p class="notice" data-testid="reset-notice">{lang.fill(Key::PasswordResetBy, &[
                        ("time", &lang.timestamp(o.issued_at)),
                        ("by", &o.by.unwrap_or_else(|| lang.t(Key::PasswordResetBySchool).to_string())),
                    ])}</p>
                }))}
                <PasswordForm lang initial_error ask_current idea/>
            </Card>
        </div>
    }
}

/// PW-1: the rule as a checklist that ticks itself off while the child types. Its last line,
/// "not easy to guess", is the server's answer for exactly what is typed now
/// ([`super::password_check`], asked once typing pauses).
#[island]
fn PasswordForm(
    lang: Lang,
    initial_error: Option<AppError>,
    ask_current: bool,
    idea: String,
) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = form_error(action, initial_error);
    let (typed, set_typed) = signal(String::new());
    // The server's verdict and the text it was given: stale answers count for nothing.
    let verdict = RwSignal::new(None::<(String, bool)>);
    let hydrated = use_hydrated();
    let on_new = move |value: String| {
        set_typed.set(value.clone());
        #[cfg(feature = "hydrate")]
        {
            let waiting = StoredValue::new(value);
            set_timeout(
                move || {
                    let value = waiting.get_value();
                    // Asked only if nothing was typed meanwhile.
                    if typed.get_untracked() != value {
                        return;
                    }
                    leptos::task::spawn_local(async move {
                        if let Ok(ok) = super::password_check(value.clone()).await {
                            verdict.set(Some((value, ok)));
                        }
                    });
                },
                std::time::Duration::from_millis(400),
            );
        }
    };
    let hard_to_guess = move || {
        verdict.with(|v| {
            v.as_ref()
                .is_some_and(|(text, ok)| *ok && typed.with(|t| t == text))
        })
    };
    view! {
        <ActionForm action attr:data-hydrated=move || hydrated.get().to_string()>
            <ErrorSummary lang error/>
            {if ask_current {
                view! {
                    <Field
                        name="current"
                        label=lang.t(Key::PasswordCurrent)
                        input_type="password"
                        autocomplete="current-password"
                        error=field_error(lang, error, "current")
                    />
                }.into_any()
            } else {
                view! { <input type="hidden" name="current" value=""/> }.into_any()
            }}
            <Field
                name="new"
                label=lang.t(Key::PasswordNew)
                input_type="password"
                autocomplete="new-password"
                error=field_error(lang, error, "new")
                on_input=Callback::new(on_new)
            />
            <div class="rules" aria-live="polite">
                <p class="rules-title">{lang.t(Key::PasswordRulesTitle)}</p>
                <ul>
                    {Part::ALL
                        .into_iter()
                        .map(|part| {
                            let met = Signal::derive(move || typed.with(|pw| part.is_met(pw)));
                            view! { <RuleLine lang met label=part.label()/> }
                        })
                        .collect_view()}
                    <RuleLine lang met=Signal::derive(hard_to_guess) label=Key::PasswordRuleGuessable/>
                </ul>
                <p class="hint" data-testid="password-idea">{lang.fill(Key::PasswordIdea, &[("example", &idea)])}</p>
            </div>
            <Field
                name="repeat"
                label=lang.t(Key::PasswordRepeat)
                input_type="password"
                autocomplete="new-password"
                error=field_error(lang, error, "repeat")
            />
            <button class="btn btn-primary btn-wide" type="submit" disabled=move || action.pending().get()>
                <Icon name=IconName::Check/>
                {lang.t(Key::PasswordSubmit)}
            </button>
        </ActionForm>
    }
}

/// One line of the password checklist, ticked when `met`; screen readers hear the state too.
#[component]
fn RuleLine(lang: Lang, met: Signal<bool>, label: Key) -> impl IntoView {
    view! {
        <li class:met=met>
            {move || if met.get() {
                view! { <Icon name=IconName::Check/> }
            } else {
                view! { <Icon name=IconName::Circle/> }
            }}
            <span>{lang.t(label)}</span>
            <span class="visually-hidden">
                {move || lang.t(if met.get() { Key::PasswordRuleMet } else { Key::PasswordRuleOpen })}
            </span>
        </li>
    }
}
