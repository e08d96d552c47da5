//! Who is calling: step 1 of every server function and plain route. The HTTP layer looks the
//! session up once per request and puts it into the request's extensions as [`CurrentSession`].
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::Key;
use crate::platform::request::parts;

use super::{Capability, SessionUser};

/// The signed-in user, if the session cookie named a live session.
#[derive(Clone, Debug)]
pub struct CurrentSession(pub Option<SessionUser>);

/// Step 1 of every server function: who is calling? Anonymous callers get 401, and users who
/// have not yet accepted the policy and chosen their own password get 403.
pub fn authenticate() -> AppResult<SessionUser> {
    let user = authenticate_during_setup()?;
    ready(user)
}

/// [`authenticate`] for plain HTTP routes, which get the session from the request.
pub fn signed_in(session: &CurrentSession) -> AppResult<SessionUser> {
    let user = session
        .0
        .clone()
        .ok_or_else(|| AppError::kind(ErrorKind::Unauthenticated))?;
    ready(user)
}

fn ready(user: SessionUser) -> AppResult<SessionUser> {
    match user.next_step() {
        None => Ok(user),
        Some(_) => Err(AppError::new(ErrorKind::Forbidden, Key::ErrorSetupFirst)),
    }
}

/// Like [`authenticate`], but also for users still accepting the policy or choosing their
/// password: only the endpoints of those steps (and logging out) use it.
pub fn authenticate_during_setup() -> AppResult<SessionUser> {
    parts()
        .and_then(|p| p.extensions.get::<CurrentSession>().cloned())
        .and_then(|s| s.0)
        .ok_or_else(|| AppError::kind(ErrorKind::Unauthenticated))
}

/// Steps 1 and 2 for school work: the signed-in caller, holding `capability` in a school,
/// and that school's id, to which everything the call touches is scoped (ACC-1).
pub fn school_staff(capability: Capability) -> AppResult<(SessionUser, i64)> {
    let user = authenticate()?;
    let school = super::require_in_school(&user, capability)?;
    Ok((user, school))
}
