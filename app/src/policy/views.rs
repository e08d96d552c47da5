use leptos::prelude::*;

use super::{AcceptPolicy, PolicyText, SetPolicySummary, current_policy, display_date};
use crate::auth::{Capability, SessionUser};
use crate::components::{Card, Icon, IconName, await_data};
use crate::i18n::{Key, Lang, use_lang};
use crate::rules::policy::{self, Pictogram};

/// VIOL-1: the policy text, and for users who have not accepted it yet, the one button.
#[component]
pub fn PolicyPage() -> impl IntoView {
    let lang = use_lang();
    let user = use_context::<Option<SessionUser>>().flatten();
    let pending = user.as_ref().is_some_and(|u| u.policy_pending);
    let edits = user
        .as_ref()
        .is_some_and(|u| u.school_id.is_some() && u.can(Capability::PolicyPublish));
    view! {
        <leptos_meta::Title text=lang.t(Key::PolicyTitle)/>
        {await_data(lang, current_policy, move |policy| view! { <Policy lang policy pending edits/> })}
    }
}

/// Short lines without closing punctuation are the policy's headings.
fn is_heading(paragraph: &str) -> bool {
    paragraph.chars().count() < 60 && !paragraph.ends_with(['.', ':', ';', ','])
}

/// The picture for each kind of rule.
fn icon(pictogram: Pictogram) -> IconName {
    match pictogram {
        Pictogram::Password => IconName::Key,
        Pictogram::Kind => IconName::Heart,
        Pictogram::School => IconName::School,
        Pictogram::Photos => IconName::Camera,
        Pictogram::Protection => IconName::Shield,
        Pictogram::Mail => IconName::Mail,
        Pictogram::Parents => IconName::People,
        Pictogram::Help => IconName::Hand,
        Pictogram::SignOut => IconName::Logout,
    }
}

/// Issue 18 §7: the rules in a child's words, each with its picture, above the legal text.
#[component]
fn Summary(lang: Lang, text: String) -> impl IntoView {
    // The server refuses a summary that does not parse; one stored before a rule changed
    // falls back to showing nothing rather than a wrong picture.
    let lines = policy::parse(&text).unwrap_or_default();
    view! {
        <section class="policy-summary" aria-labelledby="summary-title" data-testid="policy-summary">
            <h2 id="summary-title">{lang.t(Key::PolicySummaryTitle)}</h2>
            <ul lang="de">
                {lines.into_iter().map(|line| view! {
                    <li class=format!("rule rule-{}", line.pictogram.code())>
                        <span class="rule-picture"><Icon name=icon(line.pictogram)/></span>
                        <span>{line.text}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Management rewrites the short version in place; the form explains the pictures' names.
#[component]
fn SummaryEditor(lang: Lang, text: String) -> impl IntoView {
    let names = Pictogram::ALL.map(Pictogram::code).join(", ");
    view! {
        <Card title=lang.t(Key::PolicySummaryEdit) icon=IconName::Settings>
            <ActionForm action={ServerAction::<SetPolicySummary>::new()}>
                <div class="field">
                    <label for="summary">{lang.t(Key::PolicySummaryLabel)}</label>
                    <p class="hint" id="summary-hint">{lang.fill(Key::PolicySummaryHint, &[("names", &names)])}</p>
                    <textarea id="summary" name="summary" rows="12" aria-describedby="summary-hint">{text}</textarea>
                </div>
                <button class="btn btn-primary" type="submit" data-testid="save-summary">{lang.t(Key::PolicySummarySave)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn Policy(lang: Lang, policy: PolicyText, pending: bool, edits: bool) -> impl IntoView {
    let date = display_date(&policy.effective_date, lang).unwrap_or(policy.effective_date.clone());
    let version = policy.version.to_string();
    let summary = policy.summary.clone();
    let shown = summary.clone();
    view! {
        <div class="reading">
            <Card title=lang.t(Key::PolicyTitle) icon=IconName::Info>
                <p class="lead">{lang.t(Key::PolicyIntro)}</p>
                <Summary lang text=shown/>
                <h2 class="policy-legal-title">{lang.t(Key::PolicyLegalTitle)}</h2>
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
            {edits.then(|| view! { <SummaryEditor lang text=summary/> })}
        </div>
    }
}
