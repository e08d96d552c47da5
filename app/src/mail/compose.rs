//! MAIL-2, MAIL-3: writing mail: the compose page, address suggestions, resolving recipients
//! (people and groups) against the mass-mail guard, sending, drafts and attachments.

use super::*;

#[cfg(feature = "ssr")]
pub(in crate::mail) use ssr::*;

/// MAIL-1: what the compose form starts with: a draft, a reply, a forward, or an address.
#[server(prefix = "/api", endpoint = "mail/compose")]
pub async fn compose(
    draft: i64,
    reply: i64,
    all: bool,
    forward: i64,
    to: String,
) -> Result<ComposePage, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let settings = state.mail_settings().settings(school).await?;
    let mut page = ComposePage {
        draft_id: 0,
        forward: 0,
        to: to.chars().take(1000).collect(),
        subject: String::new(),
        body: String::new(),
        limits: settings.limits(&user),
        transfer_limit: crate::files::allowance(&state, &user).await?.transfer_limit,
        attachments: Vec::new(),
        forwarded: Vec::new(),
        files: state.mail_compose().own_files(user.id).await?,
        child_words: user.role.is_child(),
    };
    if draft > 0 {
        let row = state
            .mail_compose()
            .draft_item(user.id, draft)
            .await?
            .ok_or_else(AppError::not_found)?;
        page.draft_id = row.message_id;
        page.to = row.recipients;
        page.subject = row.subject;
        page.body = row.body_text;
        page.attachments = state.mailbox().attachments(row.message_id).await?;
    } else if reply > 0 || forward > 0 {
        let row = own_item(&state, &user, reply.max(forward)).await?;
        let quoted: String = row.body_text.lines().map(|l| format!("> {l}\n")).collect();
        let intro = lang.fill(
            Key::MailQuoteIntro,
            &[
                ("date", &lang.timestamp(row.created_at)),
                ("sender", &row.sender),
            ],
        );
        page.body = format!("\n\n{intro}\n{quoted}");
        if reply > 0 {
            page.subject = rule::reply_subject(&row.subject, lang.t(Key::MailReplyPrefix));
            let mut to = vec![row.sender.clone()];
            if all {
                let me = own_address(&state, &user).await?;
                to.extend(
                    rule::split_recipients(&row.recipients)
                        .into_iter()
                        .filter(|a| *a != me),
                );
            }
            page.to = to.join(", ");
        } else {
            page.subject = rule::reply_subject(&row.subject, lang.t(Key::MailForwardPrefix));
            page.forward = row.id;
            page.forwarded = state.mailbox().attachments(row.message_id).await?;
        }
    }
    // Issue 18 §1: a refused send comes back with what was typed (`web::kept`), on the draft
    // it was autosaved to, so that no second draft is made of it.
    for (field, value) in [
        ("to", &mut page.to),
        ("subject", &mut page.subject),
        ("body", &mut page.body),
    ] {
        if let Some(kept) = crate::web::kept::value(field) {
            *value = kept;
        }
    }
    if let Some(kept) = crate::web::kept::value("draft").and_then(|d| d.parse::<i64>().ok())
        && kept > 0
        && state
            .mail_compose()
            .draft_item(user.id, kept)
            .await?
            .is_some()
    {
        page.draft_id = kept;
        page.attachments = state.mailbox().attachments(kept).await?;
    }
    Ok(page)
}

/// MAIL-1: people and groups of the caller's school matching what was typed.
#[server(prefix = "/api", endpoint = "mail/suggest")]
pub async fn suggest(query: String) -> Result<Vec<Suggestion>, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let query: String = query.trim().to_lowercase().chars().take(60).collect();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let domain = state
        .schools()
        .school_domain(school)
        .await?
        .unwrap_or_default();
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let mut out: Vec<Suggestion> = Vec::new();
    for group in state.groups().school_groups(school).await? {
        let class = group.kind == "class";
        // PAR-3: a class or team is its pupils too; who may not write to pupils is offered
        // none. A class's parents are offered to those who write to families.
        let mut addresses = Vec::new();
        if user.can(Capability::MailPupils) {
            addresses.push((
                group.name.clone(),
                crate::rules::login::group_local_part(class, &group.name),
            ));
        }
        if class && user.can(Capability::MailFamilies) {
            addresses.push((
                lang.fill(Key::MailParentsOf, &[("class", &group.name)]),
                crate::rules::login::parents_local_part(&group.name),
            ));
        }
        for (label, local) in addresses {
            if out.len() < 4 && (label.to_lowercase().contains(&query) || local.contains(&query)) {
                out.push(Suggestion {
                    label,
                    address: format!("{local}@{domain}"),
                    role: None,
                    class: None,
                });
            }
        }
    }
    for (login, first, last, role, class) in state
        .mail_compose()
        .directory(school, user.role, &query, 8)
        .await?
    {
        // PAR-3: a guardian is offered only whom they may write to.
        if user.can(Capability::ChildrenFollow) {
            let person = state.user_admin().person_by_login(&login).await?;
            let Some(person) = person else { continue };
            if !family_reaches(&state, &user, person.id, person.role).await? {
                continue;
            }
        }
        out.push(Suggestion {
            label: format!("{first} {last}"),
            address: crate::rules::login::address(&login, &domain),
            role: crate::auth::Role::from_code(&role),
            class,
        });
    }
    out.truncate(10);
    Ok(out)
}

/// MAIL-1..3: sends a message. Checks, in order: subject and body, addresses, the mass-mail
/// guard, the link filter, and the size of the attachments; then delivers in one transaction.
#[server(prefix = "/api", endpoint = "mail/send")]
pub async fn send_mail(
    draft: i64,
    forward: i64,
    to: String,
    subject: String,
    body: String,
    format: String,
) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    AppError::one_of("format", &format, &["", "typed", "html"])?;
    // SEC-3: the length of the list before any splitting.
    if to.len() > rule::MAX_RECIPIENTS_BYTES {
        return Err(AppError::field("to", Key::MailRecipientsOverLimit)
            .with_detail(rule::MAX_RECIPIENT_TOKENS.to_string()));
    }
    let subject = subject.trim().to_string();
    rule::check_subject(&subject).map_err(|key| AppError::field("subject", key))?;
    rule::check_body(&body).map_err(|key| AppError::field("body", key))?;
    let draft = own_draft(&state, &user, draft).await?;
    let forward_from = match forward {
        f if f > 0 => Some(own_item(&state, &user, f).await?.message_id),
        _ => None,
    };
    let settings = state.mail_settings().settings(school).await?;
    let limits = settings.limits(&user);
    let count = rule::split_recipients(&to).len();
    if let Err(key) = rule::check_recipients(count, limits) {
        if count == 0 {
            return Err(AppError::field("to", key));
        }
        return Err(
            guard_refusal(&state, &user, key, format!("{count} recipients"))
                .await
                .with_detail(limits.recipients.to_string()),
        );
    }
    let sent = state
        .mail_compose()
        .sent_since(user.id, crate::platform::now() - 3600)
        .await?;
    if let Err(key) = rule::check_rate(sent, limits) {
        return Err(guard_refusal(
            &state,
            &user,
            key,
            format!("{sent} messages in the last hour"),
        )
        .await);
    }
    let resolved = resolve(&state, &user, &settings, &to).await?;
    crate::filter::check(&state, &user, &request_info(), "subject", &[&subject]).await?;
    let mut attached = 0;
    for message in draft.iter().chain(forward_from.iter()) {
        attached += state
            .mailbox()
            .attachments(*message)
            .await?
            .iter()
            .map(|a| a.size)
            .sum::<i64>();
    }
    let limit = crate::files::allowance(&state, &user).await?.transfer_limit;
    crate::rules::files::check_transfer(attached, limit)
        .map_err(|key| AppError::new(ErrorKind::TooLarge, key))?;
    let body_html = if format == "html" {
        body::clean_html(&body)
    } else {
        body::from_typed(&body)
    };
    let body_text = if format == "html" {
        body::to_text(&body_html)
    } else {
        body.clone()
    };
    // SEC-6, FLT-1: the filter sees what is stored and shown, after the sanitiser and the
    // Markdown renderer decoded entities (`https&#58;//…`), as well as what was typed.
    crate::filter::check(
        &state,
        &user,
        &request_info(),
        "body",
        &[&body, &body_html, &body_text],
    )
    .await?;
    let sender = format!(
        "{} {} <{}>",
        user.first_name,
        user.last_name,
        own_address(&state, &user).await?
    );
    let recipients = resolved.addresses.join(", ");
    state
        .mail_compose()
        .deliver(
            &Outgoing {
                school_id: school,
                sender_id: Some(user.id),
                sender: &sender,
                recipients: &recipients,
                subject: &subject,
                body_html: &body_html,
                body_text: &body_text,
                kind: "mail",
                draft_id: draft,
                forward_from,
                inboxes: &resolved.inboxes,
            },
            crate::platform::now(),
            None,
        )
        .await?;
    // Issue 18: the sent box confirms what went where (`MailSentTo`).
    leptos_axum::redirect("/mail?box=sent&sent=1");
    Ok(())
}

/// MAIL-1: the compose form saves itself every few seconds; returns the draft's id.
#[server(prefix = "/api", endpoint = "mail/autosave")]
pub async fn autosave(
    draft: i64,
    to: String,
    subject: String,
    body: String,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    // Issue 18: a recipient typed alone is no draft yet; nobody wants a "(ohne Betreff)"
    // draft for every address they began to type.
    if draft <= 0 && subject.trim().is_empty() && body.trim().is_empty() {
        return Ok(0);
    }
    store_draft(&app_state(), &user, draft, &to, &subject, &body).await
}

/// The same from the form's "save draft" button, back to the form.
#[server(prefix = "/api", endpoint = "mail/save-draft")]
pub async fn save_draft(
    draft: i64,
    to: String,
    subject: String,
    body: String,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let id = store_draft(&app_state(), &user, draft, &to, &subject, &body).await?;
    leptos_axum::redirect(&format!("/mail/compose?draft={id}"));
    Ok(id)
}

/// MAIL-1, FILE-2, FLT-3: attaches one of the caller's files (or a group file they can read)
/// to the draft. The blob is shared, not copied.
#[server(prefix = "/api", endpoint = "mail/attach")]
pub async fn attach(
    draft: i64,
    to: String,
    subject: String,
    body: String,
    file: i64,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let (node, _) = crate::files::node_access(&state, &user, file, false).await?;
    let key = node.blob_key.clone().ok_or_else(AppError::not_found)?;
    let id = store_draft(&state, &user, draft, &to, &subject, &body).await?;
    let present = state.mailbox().attachments(id).await?;
    if present.len() >= rule::MAX_ATTACHMENTS {
        return Err(AppError::new(
            ErrorKind::BadInput,
            Key::MailTooManyAttachments,
        ));
    }
    // SEC-7: the same file twice would be the same entry twice in every archive.
    for attached in &present {
        if let Some((_, held, _, _)) = state.mailbox().attachment(id, attached.id).await?
            && held == key
        {
            return Err(AppError::new(ErrorKind::BadInput, Key::MailAttachedTwice));
        }
    }
    let blocked = crate::files::blocked_list(state.files().blocked_types(school).await?);
    if crate::rules::files::blocked_by_name(&node.name, &blocked).is_some() {
        return Err(AppError::new(ErrorKind::BadInput, Key::FilesBlockedType));
    }
    let total = present.iter().map(|a| a.size).sum::<i64>() + node.size;
    let allowance = crate::files::allowance(&state, &user).await?;
    crate::rules::files::check_transfer(total, allowance.transfer_limit)
        .map_err(|key| AppError::new(ErrorKind::TooLarge, key))?;
    // SEC-4, FILE-4: a group file someone else stored starts counting against the caller
    // once their draft holds it.
    if node.created_by != Some(user.id)
        && crate::rules::files::check_quota(node.size, allowance.used, allowance.quota).is_err()
    {
        return Err(AppError::new(ErrorKind::TooLarge, Key::FilesQuotaFull));
    }
    state
        .mail_compose()
        .attach(
            id,
            &store::Attached {
                name: &node.name,
                blob_key: &key,
                size: node.size,
                content_type: &node.content_type,
            },
        )
        .await?;
    leptos_axum::redirect(&format!("/mail/compose?draft={id}"));
    Ok(id)
}

#[server(prefix = "/api", endpoint = "mail/detach")]
pub async fn detach(
    draft: i64,
    to: String,
    subject: String,
    body: String,
    attachment: i64,
) -> Result<i64, AppError> {
    let user = authenticate()?;
    let state = app_state();
    own_draft(&state, &user, draft)
        .await?
        .ok_or_else(AppError::not_found)?;
    let id = store_draft(&state, &user, draft, &to, &subject, &body).await?;
    let keys = state.mail_compose().detach(id, attachment).await?;
    crate::files::delete_unreferenced(&state, &keys).await;
    leptos_axum::redirect(&format!("/mail/compose?draft={id}"));
    Ok(id)
}

/// MAIL-1: puts a received attachment into the caller's own files (FILE-4: it counts there).
#[server(prefix = "/api", endpoint = "mail/save-attachment")]
pub async fn save_attachment(item: i64, attachment: i64) -> Result<i64, AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    let (name, key, size, content_type) = state
        .mailbox()
        .attachment(row.message_id, attachment)
        .await?
        .ok_or_else(AppError::not_found)?;
    let quota = crate::files::allowance(&state, &user).await?.quota;
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let mut candidate = name.clone();
    for _ in 0..5 {
        let outcome = state
            .files()
            .create_node(&crate::files::store::NewNode {
                school_id: school,
                space: crate::files::SpaceRef {
                    owner: user.id,
                    group: 0,
                },
                parent_id: None,
                name: &candidate,
                blob_key: Some(&key),
                size,
                content_type: &content_type,
                created_by: user.id,
                quota,
            })
            .await?;
        match outcome {
            crate::files::store::Saved::Done(id) => {
                leptos_axum::redirect(&format!("/mail/message?item={item}&saved=1"));
                return Ok(id);
            }
            crate::files::store::Saved::NameTaken => {
                candidate = crate::files::copy_name(&candidate, lang.t(Key::FilesCopySuffix));
            }
            crate::files::store::Saved::QuotaFull => {
                return Err(AppError::new(ErrorKind::TooLarge, Key::FilesQuotaFull));
            }
            crate::files::store::Saved::NoFolder => return Err(AppError::not_found()),
        }
    }
    Err(AppError::new(ErrorKind::Conflict, Key::FilesNameTaken))
}

#[cfg(feature = "ssr")]
mod ssr {
    //! The server-only half of writing mail: resolving recipients, the group-writing right, drafts.
    use super::*;

    /// Who a message goes to: the inboxes, and the addresses as written on it.
    pub(in crate::mail) struct Resolved {
        pub(in crate::mail) inboxes: Vec<i64>,
        pub(in crate::mail) addresses: Vec<String>,
    }

    /// MAIL-2, MAIL-3: turns addresses into inboxes. Addresses outside the deployment, other
    /// schools (unless the operator allows it) and groups the sender may not write to are refused.
    pub(in crate::mail) async fn resolve(
        state: &AppState,
        user: &SessionUser,
        settings: &MailSettings,
        to: &str,
    ) -> Result<Resolved, AppError> {
        let school = user.school()?;
        let own_domain = state
            .schools()
            .school_domain(school)
            .await?
            .unwrap_or_default();
        let mut inboxes: Vec<i64> = Vec::new();
        let mut addresses = Vec::new();
        let refuse = |key: Key, address: &str| {
            AppError::new(ErrorKind::BadInput, key)
                .with_field("to", key)
                .with_detail(address.to_string())
        };
        for address in rule::split_recipients(to) {
            let (local, domain) = rule::split_address(&address)
                .ok_or_else(|| refuse(Key::MailAddressInvalid, &address))?;
            let domain = domain.unwrap_or(&own_domain).to_string();
            let target_school = if domain == own_domain {
                school
            } else {
                let other = state
                    .schools()
                    .school_by_domain(&domain)
                    .await?
                    .ok_or_else(|| refuse(Key::MailExternal, &address))?;
                if !settings.between_schools {
                    return Err(refuse(Key::MailOtherSchool, &address));
                }
                other.id
            };
            let full = format!("{local}@{domain}");
            if let Some(person) = state.user_admin().person_by_login(local).await?
                && person.school_id == Some(target_school)
            {
                // PAR-3: pupils and guardians only from those the school trusts with them.
                if let Some(needed) = person.role.and_then(Role::mail_needs)
                    && !user.can(needed)
                {
                    return Err(
                        AppError::new(ErrorKind::Forbidden, Key::MailPersonNotAllowed)
                            .with_field("to", Key::MailPersonNotAllowed)
                            .with_detail(address.to_string()),
                    );
                }
                if user.can(Capability::ChildrenFollow)
                    && !family_reaches(state, user, person.id, person.role).await?
                {
                    return Err(
                        AppError::new(ErrorKind::Forbidden, Key::MailGuardianNotAllowed)
                            .with_field("to", Key::MailGuardianNotAllowed)
                            .with_detail(address.to_string()),
                    );
                }
                inboxes.push(person.id);
                addresses.push(full);
                continue;
            }
            let group = if target_school == school {
                state
                    .groups()
                    .school_groups(school)
                    .await?
                    .into_iter()
                    .find_map(|group| {
                        let class = group.kind == "class";
                        if crate::rules::login::group_local_part(class, &group.name) == local {
                            Some((group, false))
                        } else if class
                            && crate::rules::login::parents_local_part(&group.name) == local
                        {
                            Some((group, true))
                        } else {
                            None
                        }
                    })
            } else {
                None
            };
            let Some((group, parents)) = group else {
                return Err(refuse(Key::MailUnknownAddress, &address));
            };
            let members = if parents {
                // PAR-3: a class's parents: for the staff who may write to the class and
                // to families, and for the class's parent representatives.
                let staff = user.can(Capability::MailFamilies)
                    && may_write_group(state, user, settings, group.id, &group.kind).await?;
                if !staff && !state.guardians().represents(group.id, user.id).await? {
                    return Err(refuse(Key::MailGroupNotAllowed, &address));
                }
                state.guardians().class_guardians(group.id).await?
            } else {
                if !may_write_group(state, user, settings, group.id, &group.kind).await? {
                    return Err(refuse(Key::MailGroupNotAllowed, &address));
                }
                state.groups().member_ids(group.id).await?
            };
            inboxes.extend(members.into_iter().filter(|id| *id != user.id));
            addresses.push(full);
        }
        inboxes.sort_unstable();
        inboxes.dedup();
        Ok(Resolved { inboxes, addresses })
    }

    /// PAR-3: whom a guardian writes to: those every family may reach (the office, the head),
    /// and the staff of their own children's classes; nobody else.
    pub(in crate::mail) async fn family_reaches(
        state: &AppState,
        user: &SessionUser,
        person_id: i64,
        role: Option<Role>,
    ) -> Result<bool, AppError> {
        let Some(role) = role else { return Ok(false) };
        if role.capabilities().contains(&Capability::ReachedByFamilies) {
            return Ok(true);
        }
        if !role.capabilities().contains(&Capability::MailFamilies) {
            return Ok(false);
        }
        let school = user.school()?;
        for child in state.guardians().children(user.id).await? {
            if let Some(class_id) = child.class_id
                && state
                    .groups()
                    .membership(person_id, class_id, school)
                    .await?
                    .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// MAIL-3: teachers and other staff write to every group of their school, owners to theirs;
    /// pupils to their own class only when the school allows it.
    pub(in crate::mail) async fn may_write_group(
        state: &AppState,
        user: &SessionUser,
        settings: &MailSettings,
        group_id: i64,
        kind: &str,
    ) -> Result<bool, AppError> {
        if user.can(Capability::MailAnyGroup) {
            return Ok(true);
        }
        let membership = state
            .groups()
            .membership(user.id, group_id, user.school()?)
            .await?;
        Ok(match membership {
            Some(place) if place.is_owner => true,
            Some(_) => kind == "class" && settings.pupils_to_class,
            None => false,
        })
    }

    /// MAIL-3: refusals by the mass-mail guard are logged, then answered.
    pub(in crate::mail) async fn guard_refusal(
        state: &AppState,
        user: &SessionUser,
        key: Key,
        what: String,
    ) -> AppError {
        let audit = AuditEvent::new("mail.refused", &request_info())
            .actor(user.id, user.school_id)
            .details(what);
        if let Err(e) = state.audit().record(&audit).await {
            tracing::error!(error = %e, "could not record a mail refusal");
        }
        AppError::new(ErrorKind::BadInput, key).with_field("to", key)
    }

    pub(in crate::mail) async fn own_draft(
        state: &AppState,
        user: &SessionUser,
        draft: i64,
    ) -> Result<Option<i64>, AppError> {
        if draft <= 0 {
            return Ok(None);
        }
        state
            .mail_compose()
            .draft_item(user.id, draft)
            .await?
            .map(|row| Some(row.message_id))
            .ok_or_else(AppError::not_found)
    }

    pub(in crate::mail) async fn store_draft(
        state: &AppState,
        user: &SessionUser,
        draft: i64,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<i64, AppError> {
        let school = user.school()?;
        rule::check_subject(subject.trim()).map_err(|key| AppError::field("subject", key))?;
        rule::check_body(body).map_err(|key| AppError::field("body", key))?;
        if to.len() > 10_000 {
            return Err(AppError::field("to", Key::MailToTooLong));
        }
        let id = own_draft(state, user, draft).await?.unwrap_or(0);
        let sender = format!(
            "{} {} <{}>",
            user.first_name,
            user.last_name,
            own_address(state, user).await?
        );
        Ok(state
            .mail_compose()
            .save_draft(
                &store::Draft {
                    id,
                    school_id: school,
                    user_id: user.id,
                    sender: &sender,
                    recipients: to,
                    subject: subject.trim(),
                    body,
                },
                crate::platform::now(),
            )
            .await?)
    }
}
