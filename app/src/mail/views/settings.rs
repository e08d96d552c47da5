//! A school's mail and calendar settings page.
use super::*;

/// MAIL-3: the school's limits; MAIL-2: the operator's switch for mail between schools.
#[component]
pub fn MailSettingsPage() -> impl IntoView {
    let lang = use_lang();
    let operator = use_context::<Option<crate::auth::SessionUser>>()
        .flatten()
        .is_some_and(|u| u.can(crate::auth::Capability::SchoolsManage));
    view! {
        <leptos_meta::Title text=lang.t(Key::MailSettingsTitle)/>
        <h1 class="page-title">{lang.t(Key::MailSettingsTitle)}</h1>
        {if operator {
            view! {
                <Card title=lang.t(Key::MailBetweenSchools) icon=IconName::School>
                    <ActionForm action={ServerAction::<SetBetweenSchools>::new()}>
                        <div class="field">
                            <label for="between">{lang.t(Key::MailBetweenSchools)}</label>
                            <select id="between" name="allowed">
                                <option value="no">{lang.t(Key::MailNo)}</option>
                                <option value="yes">{lang.t(Key::MailYes)}</option>
                            </select>
                        </div>
                        <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSave)}</button>
                    </ActionForm>
                </Card>
            }.into_any()
        } else {
            view! {
                {await_data(lang, mail_rules, move |s| view! { <SettingsForm lang s/> })}
                {await_data(lang, crate::calendar::calendar_settings, move |allowed| view! { <CalendarRules lang allowed/> })}
            }
            .into_any()
        }}
    }
}

/// CAL-1: whether group members write their groups' calendars, not only the owners.
#[component]
fn CalendarRules(lang: Lang, allowed: bool) -> impl IntoView {
    view! {
        <Card title=lang.t(Key::CalTitle) icon=IconName::Calendar>
            <ActionForm action={ServerAction::<crate::calendar::SetCalendarMembersWrite>::new()}>
                <div class="field">
                    <label for="field-members-write">{lang.t(Key::CalMembersWrite)}</label>
                    <select id="field-members-write" name="allowed">
                        <option value="no" selected=!allowed>{lang.t(Key::MailNo)}</option>
                        <option value="yes" selected=allowed>{lang.t(Key::MailYes)}</option>
                    </select>
                </div>
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSave)}</button>
            </ActionForm>
        </Card>
    }
}

#[component]
fn SettingsForm(lang: Lang, s: MailSettings) -> impl IntoView {
    let field = move |name: &'static str, label: Key, value: i64| {
        view! {
            <div class="field">
                <label for=format!("field-{name}")>{lang.t(label)}</label>
                <input id=format!("field-{name}") name=name type="number" min="1" value=value.to_string() required/>
            </div>
        }
    };
    view! {
        <Card title=lang.t(Key::MailTitle) icon=IconName::Mail>
            <ActionForm action={ServerAction::<SetMailSettings>::new()}>
                {field("pupil_recipients", Key::MailPupilRecipients, s.pupil_recipients)}
                {field("pupil_per_hour", Key::MailPupilPerHour, s.pupil_per_hour)}
                {field("staff_recipients", Key::MailStaffRecipients, s.staff_recipients)}
                {field("staff_per_hour", Key::MailStaffPerHour, s.staff_per_hour)}
                {field("guardian_recipients", Key::MailGuardianRecipients, s.guardian_recipients)}
                {field("guardian_per_hour", Key::MailGuardianPerHour, s.guardian_per_hour)}
                <div class="field">
                    <label for="field-pupils_to_class">{lang.t(Key::MailPupilsToClass)}</label>
                    <select id="field-pupils_to_class" name="pupils_to_class">
                        <option value="no" selected=!s.pupils_to_class>{lang.t(Key::MailNo)}</option>
                        <option value="yes" selected=s.pupils_to_class>{lang.t(Key::MailYes)}</option>
                    </select>
                </div>
                {field("trash_days", Key::MailTrashDays, s.trash_days)}
                <button class="btn btn-primary" type="submit">{lang.t(Key::UsersSave)}</button>
            </ActionForm>
        </Card>
    }
}
