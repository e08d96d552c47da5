//! The compose page and its form (MAIL-2, MAIL-3).
use super::*;
use crate::mail::compose;

#[component]
pub fn ComposeView() -> impl IntoView {
    let lang = use_lang();
    crate::components::islands_on_page();
    let (draft, reply, forward) = (number("draft"), number("reply"), number("forward"));
    let all = param("all") == "true";
    let to = param("to");
    view! {
        <leptos_meta::Title text=lang.t(Key::MailCompose)/>
        <h1 class="page-title module-mail">{lang.t(Key::MailCompose)}</h1>
        {await_data(
            lang,
            move || compose(draft, reply, all, forward, to.clone()),
            move |page| {
                let upload = (page.draft_id > 0).then(|| format!(
                    "/files/upload?space=me&folder=0&back=%2Fmail%2Fcompose%3Fdraft%3D{}",
                    page.draft_id
                ));
                view! {
                    <ComposeForm lang page/>
                    {upload.map(|action| view! {
                        <Card title=lang.t(Key::MailUploadNew) icon=IconName::Upload>
                            <form method="post" enctype="multipart/form-data" action=action>
                                <input type="file" name="file" required/>
                                <button class="btn" type="submit">{lang.t(Key::MailUploadButton)}</button>
                            </form>
                        </Card>
                    })}
                }
            },
        )}
    }
}

/// MAIL-1, MAIL-3: the compose form. Without script it posts as it is; with it, it suggests
/// addresses from the school's directory, warns before too many recipients, and saves the draft.
#[island]
fn ComposeForm(lang: Lang, page: ComposePage) -> impl IntoView {
    let hydrated = crate::components::use_hydrated();
    let to = RwSignal::new(page.to.clone());
    let subject = RwSignal::new(page.subject.clone());
    let body = RwSignal::new(page.body.clone());
    let draft = RwSignal::new(page.draft_id);
    let suggestions: RwSignal<Vec<crate::mail::Suggestion>> = RwSignal::new(Vec::new());
    let limits = page.limits;
    let count = move || crate::rules::mail::split_recipients(&to.get()).len();
    let too_many =
        move || crate::rules::mail::check_recipients(count(), limits).is_err() && count() > 0;
    #[cfg(feature = "hydrate")]
    {
        let dirty = RwSignal::new(false);
        Effect::new(move |first: Option<()>| {
            to.track();
            subject.track();
            body.track();
            if first.is_some() {
                dirty.set(true);
            }
        });
        // Saves at most every five seconds, and only after a change.
        let _ = set_interval_with_handle(
            move || {
                if !dirty.get_untracked() {
                    return;
                }
                dirty.set(false);
                let (d, t, s, b) = (
                    draft.get_untracked(),
                    to.get_untracked(),
                    subject.get_untracked(),
                    body.get_untracked(),
                );
                leptos::task::spawn_local(async move {
                    if let Ok(id) = crate::mail::autosave(d, t, s, b).await {
                        draft.set(id);
                    }
                });
            },
            std::time::Duration::from_secs(5),
        );
    }
    let on_to = move |value: String| {
        to.set(value.clone());
        #[cfg(feature = "hydrate")]
        {
            let last = value
                .rsplit([',', ';'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if last.chars().count() < 2 || last.contains('@') {
                suggestions.set(Vec::new());
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(found) = crate::mail::suggest(last).await {
                    suggestions.set(found);
                }
            });
        }
    };
    let pick = move |address: String| {
        let current = to.get_untracked();
        let kept: Vec<&str> = current.split([',', ';']).collect();
        let mut parts: Vec<String> = kept[..kept.len().saturating_sub(1)]
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        parts.push(address);
        to.set(format!("{}, ", parts.join(", ")));
        suggestions.set(Vec::new());
    };
    let german = lang == Lang::De;
    let attached = page.attachments.clone();
    let forwarded = page.forwarded.clone();
    let files = page.files.clone();
    view! {
        <form method="post" action="/api/mail/send" class="card compose" data-hydrated=move || hydrated.get().then_some("true")>
            <input type="hidden" name="draft" prop:value=move || draft.get().to_string()/>
            <input type="hidden" name="forward" value=page.forward.to_string()/>
            <input type="hidden" name="format" value="typed"/>
            <div class="actions">
                <button class="btn btn-primary" type="submit" data-testid="send"><Icon name=IconName::Mail/>{lang.t(Key::MailSend)}</button>
                <button class="btn" type="submit" formaction="/api/mail/save-draft" formnovalidate>{lang.t(Key::MailSaveDraft)}</button>
            </div>
            <div class="field" class:field-error=too_many>
                <label for="field-to">{lang.t(Key::MailTo)}</label>
                <p class="field-hint" id="field-to-hint">{lang.fill(Key::MailToHint, &[("max", &limits.recipients.to_string())])}</p>
                <p class="field-message" data-testid="recipient-warning" hidden=move || !too_many()>
                    <Icon name=IconName::Alert/>
                    {move || lang.fill(Key::MailRecipientWarning, &[("count", &count().to_string()), ("max", &limits.recipients.to_string())])}
                </p>
                <input id="field-to" name="to" autocomplete="off" aria-describedby="field-to-hint" data-testid="to"
                    prop:value=move || to.get()
                    on:input:target=move |ev| on_to(ev.target().value())/>
                <ul class="suggestions" role="listbox" hidden=move || suggestions.with(Vec::is_empty)>
                    {move || suggestions.get().into_iter().map(|s| {
                        let address = s.address.clone();
                        view! {
                            <li>
                                <button type="button" class="suggestion" data-testid="suggestion" on:click=move |_| pick(address.clone())>
                                    <strong>{s.label.clone()}</strong>
                                    {s.role.map(|role| format!(" · {}", role.describe(lang, s.class.as_deref())))}
                                    " "<span class="hint">{s.address.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
            <div class="field">
                <label for="field-subject">{lang.t(if page.child_words { Key::MailSubjectChild } else { Key::MailSubject })}</label>
                <input id="field-subject" name="subject" maxlength="200" data-testid="subject"
                    prop:value=move || subject.get()
                    on:input:target=move |ev| subject.set(ev.target().value())/>
            </div>
            <div class="field">
                <label for="field-body">{lang.t(Key::MailBody)}</label>
                <p class="field-hint">{lang.t(if page.child_words { Key::MailBodyHintChild } else { Key::MailBodyHint })}</p>
                <textarea id="field-body" name="body" rows="12" data-testid="body"
                    prop:value=move || body.get()
                    on:input:target=move |ev| body.set(ev.target().value())>{page.body.clone()}</textarea>
            </div>
            <h2>{lang.t(Key::MailAttachments)}</h2>
            <p class="field-hint">{lang.fill(Key::MailAttachHint, &[("limit", &format_bytes(page.transfer_limit, german))])}</p>
            <ul class="mail-attachments" data-testid="attached">
                {attached.into_iter().map(|a| view! {
                    <li>
                        {a.name.clone()}" "<span class="hint">{format_bytes(a.size, german)}</span>" "
                        <button class="btn" type="submit" name="attachment" value=a.id.to_string() formaction="/api/mail/detach" formnovalidate>{lang.t(Key::MailDetach)}</button>
                    </li>
                }).collect_view()}
                {forwarded.into_iter().map(|a| view! {
                    <li>{a.name.clone()}" "<span class="hint">{format_bytes(a.size, german)}</span></li>
                }).collect_view()}
            </ul>
            <details class="attach-files">
                <summary class="btn">{lang.t(Key::MailAttachFromFiles)}</summary>
                <ul class="mail-attachments">
                    {files.into_iter().map(|(id, name, size)| view! {
                        <li>
                            {name}" "<span class="hint">{format_bytes(size, german)}</span>" "
                            <button class="btn" type="submit" name="file" value=id.to_string() formaction="/api/mail/attach" formnovalidate data-testid="attach">{lang.t(Key::MailAttach)}</button>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </form>
    }
}
