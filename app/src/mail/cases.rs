//! MAIL-4, MAIL-5, ADM-1: reports of a message to the school, and inspection cases, the only way
//! into another person's mailbox, which tell the owner at once and end by themselves.

use super::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// MAIL-5: hands a received message to school management, with an optional comment.
#[server(prefix = "/api", endpoint = "mail/report")]
pub async fn report(item: i64, comment: String) -> Result<(), AppError> {
    let user = authenticate()?;
    let school = user.school()?;
    let state = app_state();
    let row = own_item(&state, &user, item).await?;
    if row.sender_id == Some(user.id) || row.kind != "mail" {
        return Err(AppError::new(ErrorKind::BadInput, Key::MailReportOwn));
    }
    let comment: String = comment.trim().chars().take(1000).collect();
    let audit = AuditEvent::new("mail.reported", &request_info())
        .actor(user.id, Some(school))
        .details(format!("message {}", row.message_id));
    state
        .mail_cases()
        .add_report(school, row.message_id, user.id, &comment, &audit)
        .await?;
    leptos_axum::redirect(&format!("/mail/message?item={item}&reported=1"));
    Ok(())
}

#[server(prefix = "/api", endpoint = "mail/reports")]
pub async fn reports() -> Result<Vec<ReportView>, AppError> {
    let (_, school) = school_staff(Capability::MailCases)?;
    Ok(app_state().mail_cases().reports(school).await?)
}

#[server(prefix = "/api", endpoint = "mail/close-report")]
pub async fn close_report(id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::MailCases)?;
    let audit = AuditEvent::new("mail.report_closed", &request_info())
        .actor(user.id, Some(school))
        .details(format!("report {id}"));
    if !app_state()
        .mail_cases()
        .close_report(school, id, crate::platform::now(), &audit)
        .await?
    {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// MAIL-4: opens an inspection case. The owner is told in the same transaction; there is no
/// way to open a case without that notice.
/// MAIL-4, SEC-3: designated readers of one case; a case is read by a few, never by many.
pub const MAX_CASE_READERS: usize = 10;

#[server(prefix = "/api", endpoint = "mail/open-case")]
pub async fn open_case(
    login: String,
    reason: String,
    reference: String,
    readers: String,
    until: String,
) -> Result<i64, AppError> {
    let (user, school) = school_staff(Capability::MailCases)?;
    let state = app_state();
    let owner = match state.user_admin().person_by_login(login.trim()).await? {
        Some(person) if person.school_id == Some(school) => person.id,
        _ => return Err(AppError::field("login", Key::MailUnknownAddress)),
    };
    let reason = reason.trim();
    if reason.chars().count() < 10 || reason.chars().count() > 2000 {
        return Err(AppError::field("reason", Key::MailCaseReason));
    }
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        return Err(AppError::field("reference", Key::ErrorRequired));
    }
    // SEC-3: counted before any login is looked up.
    let logins = rule::split_recipients(&readers);
    if logins.len() > MAX_CASE_READERS {
        return Err(AppError::field("readers", Key::MailCaseTooManyReaders));
    }
    let mut reader_ids = Vec::new();
    for login in logins {
        match state.user_admin().person_by_login(&login).await? {
            Some(person) if person.school_id == Some(school) && person.id != owner => {
                // Staff only, as the mail rules count staff (the staff row of the limits):
                // never a pupil, never a guardian.
                if !person
                    .role
                    .is_some_and(|r| r.capabilities().contains(&Capability::MailStaffLimits))
                {
                    return Err(AppError::field("readers", Key::MailCaseReaders));
                }
                reader_ids.push(person.id);
            }
            _ => return Err(AppError::field("readers", Key::MailCaseReaders)),
        }
    }
    if reader_ids.is_empty() {
        return Err(AppError::field("readers", Key::MailCaseReaders));
    }
    let now = crate::platform::now();
    let ends_at = crate::rules::date::parse(&until)
        .and_then(|day| crate::rules::date::end_of_day_berlin(&day))
        .filter(|end| *end > now && *end < now + 366 * 86400)
        .ok_or_else(|| AppError::field("until", Key::FilesUntilFuture))?;
    let case = CaseRow {
        id: 0,
        school_id: school,
        mailbox_user_id: owner,
        reference: reference.to_string(),
        reason: reason.to_string(),
        opened_at: now,
        ends_at,
        closed_at: None,
    };
    let by = format!("{} {}", user.first_name, user.last_name);
    let (subject, text) = case_notice(&case, Key::MailNoticeOpened, &by);
    let html = body::from_plain(&text);
    let owner_inbox = [owner];
    let notice = notice_to(school, &owner_inbox, &subject, &html, &text);
    let audit = AuditEvent::new("mail.case_opened", &request_info())
        .actor(user.id, Some(school))
        .subject(owner);
    let id = state
        .mail_cases()
        .open_case(&case, user.id, &reader_ids, &notice, &audit)
        .await?;
    leptos_axum::redirect("/mail/cases");
    Ok(id)
}

#[server(prefix = "/api", endpoint = "mail/cases")]
pub async fn cases() -> Result<Vec<CaseSummary>, AppError> {
    let (_, school) = school_staff(Capability::MailCases)?;
    Ok(app_state().mail_cases().cases(school).await?)
}

#[server(prefix = "/api", endpoint = "mail/close-case")]
pub async fn close_case(id: i64) -> Result<(), AppError> {
    let (user, school) = school_staff(Capability::MailCases)?;
    let state = app_state();
    let case = state
        .mail_cases()
        .case(school, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !finish_case(&state, &case, Some(&user), &request_info()).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

#[server(prefix = "/api", endpoint = "mail/case-box")]
pub async fn case_mailbox(case: i64, box_code: String, before: i64) -> Result<CaseBox, AppError> {
    let user = authenticate()?;
    let state = app_state();
    let found = case_access(&state, &user, case).await?;
    let mailbox = MailBox::parse(&box_code).ok_or_else(AppError::not_found)?;
    let page = page_of(&state, found.mailbox_user_id, mailbox, "", before).await?;
    // SEC-1, MAIL-4: a page of the list shows senders, recipients and subjects, so browsing is
    // a read too: logged on the case (message 0 stands for a page of the list) and audited.
    let audit = AuditEvent::new("mail.case_listed", &request_info())
        .actor(user.id, Some(found.school_id))
        .subject(found.mailbox_user_id)
        .details(format!("case {} {box_code} before {before}", found.id));
    state
        .mail_cases()
        .log_case_read(found.id, user.id, 0, crate::platform::now(), &audit)
        .await?;
    let owner = owner_name(&state, found.mailbox_user_id).await?;
    Ok(CaseBox {
        case_id: found.id,
        reference: found.reference,
        mailbox: owner,
        ends_at: found.ends_at,
        page,
    })
}

/// MAIL-4: one message of the mailbox under inspection; every opening is logged on the case.
#[server(prefix = "/api", endpoint = "mail/case-message")]
pub async fn case_message(case: i64, item: i64) -> Result<(CaseBox, MessagePage), AppError> {
    let user = authenticate()?;
    let state = app_state();
    let found = case_access(&state, &user, case).await?;
    let row = state
        .mailbox()
        .item(found.mailbox_user_id, item)
        .await?
        .ok_or_else(AppError::not_found)?;
    let audit = AuditEvent::new("mail.case_read", &request_info())
        .actor(user.id, Some(found.school_id))
        .subject(found.mailbox_user_id)
        .details(format!("case {} message {}", found.id, row.message_id));
    state
        .mail_cases()
        .log_case_read(
            found.id,
            user.id,
            row.message_id,
            crate::platform::now(),
            &audit,
        )
        .await?;
    let page = page_of(&state, found.mailbox_user_id, MailBox::Inbox, "", 0).await?;
    let owner = owner_name(&state, found.mailbox_user_id).await?;
    let message = message_page(&state, found.mailbox_user_id, row).await?;
    Ok((
        CaseBox {
            case_id: found.id,
            reference: found.reference,
            mailbox: owner,
            ends_at: found.ends_at,
            page,
        },
        message,
    ))
}

#[cfg(feature = "ssr")]
mod ssr {
    //! The server-only half of inspection cases: notices, access and closing.
    use super::*;

    /// MAIL-4: the notice to the mailbox owner, in German and English (they may read either).
    pub(in crate::mail) fn case_notice(case: &CaseRow, key: Key, by: &str) -> (String, String) {
        use crate::i18n::Lang;
        let fill = |lang: Lang| {
            lang.fill(
                key,
                &[
                    ("reference", &case.reference),
                    ("time", &lang.timestamp(crate::platform::now())),
                    ("by", by),
                    ("until", &lang.timestamp(case.ends_at)),
                ],
            )
        };
        let subject = format!(
            "{} / {}",
            crate::i18n::Lang::De.fill(Key::MailNoticeSubject, &[("reference", &case.reference)]),
            crate::i18n::Lang::En.fill(Key::MailNoticeSubject, &[("reference", &case.reference)])
        );
        (subject, format!("{}\n\n{}", fill(Lang::De), fill(Lang::En)))
    }

    /// MAIL-4: a system message from "Schulhof" into the owner's inbox.
    pub(in crate::mail) fn notice_to<'a>(
        school_id: i64,
        inbox: &'a [i64],
        subject: &'a str,
        body_html: &'a str,
        body_text: &'a str,
    ) -> Outgoing<'a> {
        Outgoing {
            school_id,
            sender_id: None,
            sender: "Schulhof",
            recipients: "",
            subject,
            body_html,
            body_text,
            kind: "notice",
            draft_id: None,
            forward_from: None,
            inboxes: inbox,
        }
    }

    /// SEC-1: a system message from "Schulhof" to the people a change concerns (the owners of a
    /// group whose members changed), in German and English like the case notices. Sent after the
    /// change has committed; the change's audit event is the record, the message is the courtesy.
    pub async fn tell(
        state: &AppState,
        school: i64,
        inboxes: &[i64],
        subject: Key,
        text: Key,
        values: &[(&str, &str)],
    ) -> Result<(), AppError> {
        use crate::i18n::Lang;
        if inboxes.is_empty() {
            return Ok(());
        }
        let subject = format!(
            "{} / {}",
            Lang::De.fill(subject, values),
            Lang::En.fill(subject, values)
        );
        let text = format!(
            "{}\n\n{}",
            Lang::De.fill(text, values),
            Lang::En.fill(text, values)
        );
        let html = body::from_plain(&text);
        let notice = notice_to(school, inboxes, &subject, &html, &text);
        state
            .mail_compose()
            .deliver(&notice, crate::platform::now(), None)
            .await?;
        Ok(())
    }

    /// MAIL-4: closes a case by hand, or (with `by` empty) at its end date; the owner is told.
    pub async fn finish_case(
        state: &AppState,
        case: &CaseRow,
        by: Option<&SessionUser>,
        info: &crate::platform::RequestInfo,
    ) -> Result<bool, AppError> {
        let name = by.map_or_else(
            || "Schulhof".to_string(),
            |u| format!("{} {}", u.first_name, u.last_name),
        );
        let (subject, text) = case_notice(case, Key::MailNoticeClosed, &name);
        let html = body::from_plain(&text);
        let owner_inbox = [case.mailbox_user_id];
        let notice = notice_to(case.school_id, &owner_inbox, &subject, &html, &text);
        // SEC-5: closed by the job or by a person, the event belongs to the case's school.
        let mut audit = AuditEvent::new("mail.case_closed", info)
            .school(Some(case.school_id))
            .subject(case.mailbox_user_id)
            .details(format!("case {}: {}", case.id, case.reference));
        if let Some(user) = by {
            audit = audit.actor(user.id, Some(case.school_id));
        }
        Ok(state
            .mail_cases()
            .close_case(
                case.id,
                by.map(|u| u.id),
                crate::platform::now(),
                &notice,
                &audit,
            )
            .await?)
    }

    /// MAIL-4: closes the cases whose end date has passed (run by the scheduled jobs).
    pub async fn close_expired_cases(state: &AppState) -> Result<usize, String> {
        let info = crate::platform::RequestInfo::default();
        let mut closed = 0;
        for case in state
            .mail_cases()
            .expired_cases(crate::platform::now())
            .await
            .map_err(|e| e.to_string())?
        {
            if finish_case(state, &case, None, &info)
                .await
                .map_err(|e| e.text(crate::i18n::Lang::En))?
            {
                closed += 1;
            }
        }
        Ok(closed)
    }

    /// MAIL-4: a designated reader's way into an open case; closed or ended cases let no one in.
    pub async fn case_access(
        state: &AppState,
        user: &SessionUser,
        case_id: i64,
    ) -> Result<CaseRow, AppError> {
        let school = user.school()?;
        let case = state
            .mail_cases()
            .case(school, case_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        if !state.mail_cases().is_case_reader(case.id, user.id).await? {
            return Err(AppError::not_found());
        }
        if case.closed_at.is_some() || case.ends_at <= crate::platform::now() {
            return Err(AppError::new(ErrorKind::Forbidden, Key::MailCaseClosed));
        }
        Ok(case)
    }

    /// MAIL-4: whose mailbox a case opens, as its readers see it ("" once the account is gone).
    pub(in crate::mail) async fn owner_name(
        state: &AppState,
        user_id: i64,
    ) -> Result<String, AppError> {
        Ok(state
            .user_admin()
            .person(user_id)
            .await?
            .map(|person| person.name)
            .unwrap_or_default())
    }
}
