//! The sign-in and password pages. The pages are rendered on the server only; the forms are
//! islands, so they work as plain HTML forms first and gain instant feedback once hydrated.
use leptos::prelude::*;

use super::{ChangePassword, Login};
use crate::components::{Card, ErrorSummary, Field, Icon, IconName, await_data, use_hydrated};
use crate::error::AppError;
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::password::Part;

/// The error a plain (no-JavaScript) form post came back with, if it was `F`'s.
fn error_from_url<F: leptos::server_fn::ServerFn>() -> Option<AppError> {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| {
        (q.get("__path").as_deref() == Some(F::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|err| AppError::from_url(&err))
    })
}

/// The current error of a form: the latest action result, or the one the page was loaded with.
fn form_error<F>(action: ServerAction<F>, initial: Option<AppError>) -> Signal<Option<AppError>>
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

fn field_error(
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

#[component]
pub fn PasswordPage() -> impl IntoView {
    let lang = use_lang();
    let initial_error = error_from_url::<ChangePassword>();
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
                <PasswordForm lang initial_error/>
            </Card>
        </div>
    }
}

/// PW-1: the rule as a checklist that ticks itself off while the child types.
#[island]
fn PasswordForm(lang: Lang, initial_error: Option<AppError>) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = form_error(action, initial_error);
    let (typed, set_typed) = signal(String::new());
    let hydrated = use_hydrated();
    view! {
        <ActionForm action attr:data-hydrated=move || hydrated.get().to_string()>
            <ErrorSummary lang error/>
            <Field
                name="current"
                label=lang.t(Key::PasswordCurrent)
                input_type="password"
                autocomplete="current-password"
                error=field_error(lang, error, "current")
            />
            <Field
                name="new"
                label=lang.t(Key::PasswordNew)
                input_type="password"
                autocomplete="new-password"
                error=field_error(lang, error, "new")
                on_input=Callback::new(move |value| set_typed.set(value))
            />
            <div class="rules" aria-live="polite">
                <p class="rules-title">{lang.t(Key::PasswordRulesTitle)}</p>
                <ul>
                    {Part::ALL
                        .into_iter()
                        .map(|part| {
                            let met = move || typed.with(|pw| part.is_met(pw));
                            view! {
                                <li class:met=met>
                                    {move || if met() {
                                        view! { <Icon name=IconName::Check/> }
                                    } else {
                                        view! { <Icon name=IconName::Circle/> }
                                    }}
                                    <span>{lang.t(part.label())}</span>
                                    <span class="visually-hidden">
                                        {move || lang.t(if met() { Key::PasswordRuleMet } else { Key::PasswordRuleOpen })}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
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
