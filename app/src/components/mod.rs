//! The small design system: every page is built from these, so a fix here fixes everywhere.
//! Looks live in `style/main.css` under the same class names.
mod icon;

pub use icon::{Icon, IconName};

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Key, Lang};

/// Set while rendering a page that contains an island. Pages without one get no WASM.
/// Islands must therefore render outside any `Suspense` (such as [`await_data`]): content that
/// is still loading may render after the shell has decided.
#[derive(Clone, Default)]
pub struct IslandsOnPage(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl IslandsOnPage {
    pub fn any(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// For a page whose island sits inside loaded data (see [`await_data`]): tells the shell
/// to load the script before the data arrives.
pub fn islands_on_page() {
    if let Some(islands) = use_context::<IslandsOnPage>() {
        islands.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Every island calls this first. On the server it tells the shell to load the WASM; in the
/// browser it turns true once the island runs, driving the `data-hydrated` marker that the
/// end-to-end tests wait for before they click.
pub fn use_hydrated() -> Signal<bool> {
    if let Some(islands) = use_context::<IslandsOnPage>() {
        islands.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated.into()
}

/// Data for a server-rendered page: waits for `fetch`, then shows `show(data)`, or the
/// translated error in its place.
pub fn await_data<T, Fut, V>(
    lang: Lang,
    fetch: impl FnOnce() -> Fut,
    show: impl Fn(T) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    // Suspense re-runs its children's closures while it looks for pending work (`dry_resolve`),
    // polling each new future once and dropping it. A closure that called the server function
    // itself would start it again each time, and a half-run call that had already sent its
    // write would still commit it: a read that is logged (MAIL-4) was logged twice under load.
    // So the call starts once here, and every run of the closure awaits the same one.
    let data = futures::FutureExt::shared(Box::pin(fetch()));
    view! {
        <Suspense fallback=move || view! { <p>{lang.t(Key::Loading)}</p> }>
            {move || {
                let data = data.clone();
                let show = show.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => show(value).into_any(),
                        Err(error) => view! { <p class="field-message">{error.text(lang)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A white panel with an optional heading, the unit of every page.
#[component]
pub fn Card(
    #[prop(optional)] title: Option<&'static str>,
    #[prop(optional)] icon: Option<IconName>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card">
            {title.map(|title| view! { <h2 class="card-title">{icon.map(|name| view! { <Icon name/> })}{title}</h2> })}
            {children()}
        </section>
    }
}

/// A query parameter of the page's address, empty when absent.
pub fn query_param(name: &str) -> String {
    leptos_router::hooks::use_query_map().with_untracked(|m| m.get(name).unwrap_or_default())
}

/// A labelled input with its hint and its error right beside it (GOV.UK pattern).
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into)] error: Signal<Option<&'static str>>,
    #[prop(optional)] on_input: Option<Callback<String>>,
    /// What the field holds when the page comes (a value kept from a refused post).
    #[prop(optional, into)]
    value: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:field-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <p class="field-message" id=error_id.clone() hidden=move || error.get().is_none()>
                <Icon name=IconName::Alert/>
                {move || error.get().unwrap_or_default()}
            </p>
            <input
                id=id
                name=name
                value=value
                type=input_type
                autocomplete=autocomplete
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
                on:input:target=move |ev| {
                    if let Some(callback) = on_input {
                        callback.run(ev.target().value());
                    }
                }
            />
        </div>
    }
}

/// The list of problems at the top of a form, each linking to its field.
#[component]
pub fn ErrorSummary(lang: Lang, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| {
            let fields = error.fields.clone();
            let summary = error.text(lang);
            view! {
                <div class="error-summary" role="alert" tabindex="-1">
                    <h2><Icon name=IconName::Alert/>{lang.t(Key::ErrorTitle)}</h2>
                    <p>{summary}</p>
                    <ul>
                        {fields
                            .into_iter()
                            .map(|f| view! { <li><a href=format!("#field-{}", f.field)>{error.field_text(lang, f.message)}</a></li> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// A short confirmation that something worked.
/// A few lines of our own script, under the page's CSP nonce: for small behaviour on pages
/// that load no WASM (an island would cost a download for a few lines).
#[component]
pub fn InlineScript(code: &'static str) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    view! { <script nonce=nonce inner_html=code></script> }
}

#[component]
pub fn Toast(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <output class="toast" role="status">
            <Icon name=IconName::Check/>
            <span>{message}</span>
        </output>
    }
}

/// Progress of long work (uploads, imports, exports), readable by screen readers.
#[component]
pub fn ProgressBar(#[prop(into)] value: Signal<f64>, label: &'static str) -> impl IntoView {
    view! {
        <label class="progress">
            <span>{label}</span>
            <progress max="100" value=move || value.get().clamp(0.0, 100.0)></progress>
            <span class="progress-percent">{move || format!("{:.0} %", value.get().clamp(0.0, 100.0))}</span>
        </label>
    }
}

/// A confirmation that repeats what will happen before a destructive or bulk action. Works
/// without JavaScript as a `<details>` disclosure holding the real form.
#[component]
pub fn ConfirmDialog(
    lang: Lang,
    summary: String,
    question: String,
    children: Children,
) -> impl IntoView {
    let label = question.clone();
    view! {
        <details class="confirm">
            <summary class="btn">{summary}</summary>
            <div class="confirm-body" role="dialog" aria-label=label>
                <p>{question}</p>
                {children()}
                <p class="confirm-cancel">{lang.t(Key::DialogCancel)}</p>
            </div>
        </details>
    }
}

/// A table with a sticky header; rows are passed as children.
#[component]
pub fn DataTable(headers: Vec<&'static str>, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr>{headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
