use leptos::prelude::*;

use super::{AcceptPolicy, PolicyText, current_policy, display_date};
use crate::auth::SessionUser;
use crate::components::{Card, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};

/// VIOL-1: the policy text, and for users who have not accepted it yet, the one button.
#[component]
pub fn PolicyPage() -> impl IntoView {
    let lang = use_lang();
    let pending = use_context::<Option<SessionUser>>()
        .flatten()
        .is_some_and(|u| u.policy_pending);
    view! {
        <leptos_meta::Title text=lang.t(Key::PolicyTitle)/>
        {await_data(lang, current_policy, move |policy| view! { <Policy lang policy pending/> })}
    }
}

/// Short lines without closing punctuation are the policy's headings.
fn is_heading(paragraph: &str) -> bool {
    paragraph.chars().count() < 60 && !paragraph.ends_with(['.', ':', ';', ','])
}

#[component]
fn Policy(lang: Lang, policy: PolicyText, pending: bool) -> impl IntoView {
    let date = display_date(&policy.effective_date, lang).unwrap_or(policy.effective_date.clone());
    let version = policy.version.to_string();
    view! {
        <div class="reading">
            <Card title=lang.t(Key::PolicyTitle) icon=IconName::Info>
                <p class="lead">{lang.t(Key::PolicyIntro)}</p>
                <p class="policy-version">{lang.fill(Key::PolicyVersion, &[("version", &version), ("date", &date)])}</p>
                <article class="policy-text" lang="de">
                    {policy
                        .body
                        .split("\n\n")
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(|p| if is_heading(p) {
                            view! { <h2>{p.to_string()}</h2> }.into_any()
                        } else {
                            view! { <p>{p.to_string()}</p> }.into_any()
                        })
                        .collect_view()}
                </article>
                {if pending {
                    view! {
                        <ActionForm action={ServerAction::<AcceptPolicy>::new()}>
                            <input type="hidden" name="version_id" value=policy.id.to_string()/>
                            <button class="btn btn-primary btn-wide" type="submit" data-testid="accept-policy">
                                <Icon name=IconName::Check/>{lang.t(Key::PolicyAccept)}
                            </button>
                        </ActionForm>
                    }
                    .into_any()
                } else {
                    view! { <p class="policy-done"><Icon name=IconName::Check/>{lang.t(Key::PolicyAccepted)}</p> }.into_any()
                }}
            </Card>
        </div>
    }
}
