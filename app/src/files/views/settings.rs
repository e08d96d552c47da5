//! The school's file rules and a person's quota and transfer exception (FILE-2, FILE-4).
use super::*;

/// FLT-3: the school's list of blocked file types, for administrators.
#[component]
pub fn FileRulesPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=lang.t(Key::FilesRulesTitle)/>
        <h1 class="page-title">{lang.t(Key::FilesRulesTitle)}</h1>
        {await_data(lang, crate::schools::school_settings, move |s| view! { <SettingsCard lang s/> })}
        {await_data(lang, blocked_types, move |list| view! {
            <Card title=lang.t(Key::FilesBlockedTitle) icon=IconName::Alert>
                <p class="hint">{lang.t(Key::FilesBlockedHint)}</p>
                <ActionForm action={ServerAction::<SetBlockedTypes>::new()}>
                    <div class="field">
                        <label for="blocked-list">{lang.t(Key::FilesBlockedTitle)}</label>
                        <textarea id="blocked-list" name="list" rows="4">{list}</textarea>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
                </ActionForm>
            </Card>
        })}
    }
}

/// FILE-2, FILE-4: an administrator's forms on a person's page: an exception to the transfer
/// limit (with a reason and an end date) and the person's own quota.
#[component]
pub fn AllowanceForms(lang: Lang, user_id: i64) -> impl IntoView {
    let (id, quota_id) = (user_id.to_string(), user_id.to_string());
    view! {
        <div class="grid">
            <Card title=lang.t(Key::FilesExceptionTitle) icon=IconName::Upload>
                <ActionForm action={ServerAction::<GrantException>::new()} attr:data-testid="exception-form">
                    <input type="hidden" name="user_id" value=id/>
                    <div class="field">
                        <label for="exception-limit">{lang.t(Key::FilesExceptionLimit)}</label>
                        <input id="exception-limit" name="limit_mb" type="number" min="1" max="10240" value="200" required/>
                    </div>
                    <div class="field">
                        <label for="exception-reason">{lang.t(Key::FilesExceptionReason)}</label>
                        <input id="exception-reason" name="reason" required maxlength="200"/>
                    </div>
                    <div class="field">
                        <label for="exception-until">{lang.t(Key::FilesExceptionUntil)}</label>
                        <input id="exception-until" name="until" type="date" required/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesExceptionGrant)}</button>
                </ActionForm>
            </Card>
            <Card title=lang.t(Key::FilesQuotaTitle) icon=IconName::Folder>
                <ActionForm action={ServerAction::<SetQuota>::new()}>
                    <input type="hidden" name="user_id" value=quota_id/>
                    <div class="field">
                        <label for="quota-mb">{lang.t(Key::FilesQuotaMb)}</label>
                        <input id="quota-mb" name="quota_mb" inputmode="numeric"/>
                    </div>
                    <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
                </ActionForm>
            </Card>
        </div>
    }
}

/// The school's own periods and limits (FILE-1, FILE-2, LIFE-3, LOG-3).
#[component]
fn SettingsCard(lang: Lang, s: crate::schools::SchoolLimits) -> impl IntoView {
    let fields = [
        (
            "transfer_limit_mb",
            Key::SettingsTransferLimit,
            s.transfer_limit_mb,
        ),
        ("trash_days", Key::SettingsTrashDays, s.trash_days),
        (
            "deletion_grace_days",
            Key::SettingsGraceDays,
            s.deletion_grace_days,
        ),
        (
            "audit_retention_days",
            Key::SettingsRetentionDays,
            s.audit_retention_days,
        ),
    ];
    view! {
        <Card title=lang.t(Key::SettingsTitle) icon=IconName::School>
            <ActionForm action={ServerAction::<crate::schools::SetSchoolSettings>::new()} attr:class="filters">
                {fields.into_iter().map(|(name, label, value)| view! {
                    <div class="field">
                        <label for=format!("field-{name}")>{lang.t(label)}</label>
                        <input id=format!("field-{name}") name=name type="number" value=value.to_string() required/>
                    </div>
                }).collect_view()}
                <button class="btn btn-primary" type="submit">{lang.t(Key::FilesSave)}</button>
            </ActionForm>
        </Card>
    }
}
