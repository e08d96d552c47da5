//! PAR-2: the "Eltern-Zugang" letters: per pupil (or per class), a one-time registration code
//! with a QR code, printed several to an A4 page like the start-password slips. The codes are
//! shown on this one page only; the database keeps their hashes.
use axum::{Extension, extract::State, response::Response};
use leptos::prelude::*;

use super::ssr::{REGISTER_PATH, code_hash};
use crate::audit::AuditEvent;
use crate::auth::{Capability, require_in_school, rights::Act};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Key, Lang};
use crate::platform::{AppState, RequestInfo};
use crate::rules::guardian as rule;
use crate::users::slips::{chosen_people, print_page, qr_svg, require_over_all};
use crate::web::{Form, SignedIn};

/// SEC-3: letters per print run: a whole school's pupils, twice.
pub const MAX_LETTERS: usize = 2000;
/// PAR-1: one letter a household; two households are common, four is plenty.
pub const MAX_COPIES: usize = 4;

/// One printed letter.
struct Letter {
    school: String,
    child: String,
    class: Option<String>,
    code: String,
    expires_at: i64,
    register_url: String,
}

/// A new code's 16 symbols, from the operating system's random source.
fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..rule::CODE_GROUPS * rule::CODE_GROUP_LEN)
        .map(|_| rule::CODE_ALPHABET[rng.gen_range(0..rule::CODE_ALPHABET.len())] as char)
        .collect()
}

/// `POST /admin/guardian-codes` with `user_id=…` repeated or `class=2b`, and `copies` (one
/// letter for each household, default 1): makes the codes and answers with the letters to print.
pub async fn print_view(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    SignedIn(actor): SignedIn,
    headers: axum::http::HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let lang = crate::web::lang_of(&headers);
    let result = async {
        let school = require_in_school(&actor, Capability::GuardiansManage)?;
        let copies = match pairs.iter().find(|(k, _)| k == "copies") {
            None => 1,
            Some((_, n)) => n
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_COPIES).contains(n))
                .ok_or_else(|| AppError::field("copies", Key::ErrorBadInput))?,
        };
        let ids = chosen_people(&state, school, &pairs).await?;
        if ids.is_empty() {
            return Err(AppError::kind(ErrorKind::BadInput));
        }
        if ids.len() * copies > MAX_LETTERS {
            return Err(AppError::field("user_ids", Key::UsersTooManySelected)
                .with_detail(MAX_LETTERS.to_string()));
        }
        let people = state.user_admin().people_for_slips(school, &ids).await?;
        if people.is_empty() {
            return Err(AppError::not_found());
        }
        // SEC-1, PAR-1: codes open pupils only, and only the secretariat prints them.
        require_over_all(&actor, Act::LinkGuardian, &people)?;
        let expires_at = crate::platform::now() + rule::CODE_VALID_DAYS * 86_400;
        let register_url = format!("{}{REGISTER_PATH}", state.config.public_url);
        let mut codes = Vec::new();
        let mut letters = Vec::new();
        for person in &people {
            for _ in 0..copies {
                let code = new_code();
                codes.push(super::store::NewCode {
                    pupil_id: person.id,
                    code_hash: code_hash(&code),
                });
                letters.push(Letter {
                    school: person.school.clone(),
                    child: format!("{} {}", person.first_name, person.last_name),
                    class: person.class.clone(),
                    code: rule::format(&code),
                    expires_at,
                    register_url: register_url.clone(),
                });
            }
        }
        let audit = AuditEvent::new("guardian.code_issued", &info).actor(actor.id, Some(school));
        state
            .guardians()
            .issue_codes(school, &codes, expires_at, &audit)
            .await?;
        Ok(letters)
    }
    .await;
    match result {
        Ok(letters) => print_page(
            &state,
            lang,
            Key::GuardiansLetterTitle,
            Key::GuardiansLetterPrintHint,
            letters
                .into_iter()
                .map(|letter| letter_view(lang, letter))
                .collect_view(),
        ),
        Err(error) => crate::web::error_page(lang, &error, "/admin/users", Key::UsersTitle),
    }
}

fn letter_view(lang: Lang, letter: Letter) -> impl IntoView {
    // PAR-2: the QR code carries the code in the address's fragment, which browsers never
    // send: it reaches no request line and no log.
    let qr = qr_svg(&format!(
        "{}#code={}",
        letter.register_url,
        letter.code.replace('-', "")
    ));
    let child = match &letter.class {
        Some(class) => format!("{} · {class}", letter.child),
        None => letter.child.clone(),
    };
    view! {
        <article class="slip guardian-letter">
            <div class="slip-head">
                <div>
                    <h2>{letter.school.clone()}</h2>
                    <p class="slip-name">{lang.fill(Key::GuardiansLetterFor, &[("child", &child)])}</p>
                </div>
                <div class="slip-qr" inner_html=qr></div>
            </div>
            <dl class="facts slip-facts">
                <dt>{lang.t(Key::GuardiansLetterCode)}</dt><dd class="slip-secret" data-testid="guardian-code">{letter.code}</dd>
                <dt>{lang.t(Key::SlipValidUntil)}</dt><dd>{lang.timestamp(letter.expires_at)}</dd>
            </dl>
            <ol class="slip-steps">
                <li>{lang.fill(Key::GuardiansLetterStep1, &[("url", &letter.register_url)])}</li>
                <li>{lang.t(Key::GuardiansLetterStep2)}</li>
                <li>{lang.t(Key::GuardiansLetterStep3)}</li>
            </ol>
            <p class="slip-hint">{lang.t(Key::GuardiansLetterHint)}</p>
        </article>
    }
}
