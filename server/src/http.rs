//! Routes and middleware. Every request passes, in order: request id and tracing, compression,
//! security headers, the cross-origin check, and the session lookup.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};

use app::{
    auth::CurrentSession,
    auth::session,
    error::{AppError, ErrorKind},
    platform::{AppState, RequestInfo},
    shell::{CspNonce, shell},
    web::kept,
};
use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, DefaultBodyLimit, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::{
    compression::{CompressionLayer, CompressionLevel, DefaultPredicate, Predicate},
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let options = state.leptos.clone();
    let pkg_dir = format!("{}/pkg", state.config.site_root);
    // Built assets carry a content hash in their names, so browsers may keep them for a year.
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );

    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/{*fn_name}",
            post({
                let context = context.clone();
                move |req: Request| leptos_axum::handle_server_fns_with_context(context.clone(), req)
            }),
        )
        .route("/admin/slips", post(app::users::slips::print_view))
        .route(
            "/admin/guardian-codes",
            post(app::guardians::codes::print_view),
        )
        .route("/admin/import", post(app::users::http::upload))
        .route("/admin/schools/admin", post(app::users::slips::first_admin))
        .route(
            "/admin/schools/start-password",
            post(app::users::slips::operator_reset),
        )
        .route("/admin/users.csv", get(app::users::http::export))
        .route("/admin/consent-forms", get(app::policy::forms::consent_forms))
        // Uploads count their own bytes against the school's limit (FILE-2), so axum's
        // fixed 2 MB body limit must not cut in first.
        .route(
            "/files/upload",
            post(app::files::upload::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/files/download/{id}", get(app::files::download::download))
        .route("/files/thumb/{id}", get(app::files::thumbnail::thumb))
        .route("/files/archive", get(app::files::download::archive))
        .route("/account/export.zip", get(app::account::export::export))
        .route(
            "/mail/attachment/{item}/{attachment}",
            get(app::mail::http::attachment),
        )
        .route("/calendar/feed/{file}", get(app::calendar::ics::feed))
        .route(
            "/addressbook/me.vcf",
            get(app::addressbook::vcard_download),
        )
        .route("/logs/export.csv", get(app::logs::http::export))
        .route("/absences/term.csv", get(app::absences::term_csv))
        // A doctor's note counts its own bytes against the school's limit (FILE-2).
        .route(
            "/absences/note/{id}",
            get(app::absences::note::download)
                .post(app::absences::note::upload)
                .layer(DefaultBodyLimit::disable()),
        )
        // The filter counts its own bytes (up to 64 MB for a million-line list).
        .route(
            "/admin/filter/import",
            post(app::filter::http::import).layer(DefaultBodyLimit::disable()),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest_service("/pkg", pkg)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(middleware::from_fn_with_state(state.clone(), kept_forms))
        .layer(middleware::from_fn(server_fn_body))
        .layer(middleware::from_fn_with_state(state.clone(), request_context))
        .layer(middleware::from_fn_with_state(state.clone(), security))
        // Brotli's own default is quality 11, which spends milliseconds on every dynamic
        // page; quality 4 costs a fraction of that and still beats gzip. The same level also
        // applies to gzip, for the few clients without brotli (gzip's default is 6). The
        // WASM, CSS and JS are compressed once at build time at full quality (`--precompress`).
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(CompressionLevel::Precise(DYNAMIC_COMPRESSION_LEVEL))
                .compress_when(DefaultPredicate::new().and(not_a_file_download)),
        )
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // The path only: query strings may carry tokens.
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %logged_path(req.uri().path()))
                }))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .with_state(state)
}

const DYNAMIC_COMPRESSION_LEVEL: i32 = 4;

/// File downloads and archives stream stored bytes with exact lengths and ranges; they are
/// marked by `Accept-Ranges` and pass uncompressed.
fn not_a_file_download(
    _: StatusCode,
    _: axum::http::Version,
    headers: &HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !headers.contains_key(header::ACCEPT_RANGES)
}

/// Request ids for the logs: random, so ids from several app servers never collide.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&app::platform::secret::fast_random_hex())
            .ok()
            .map(RequestId::new)
    }
}

/// When the database last answered a health check, in milliseconds since the Unix epoch.
static LAST_HEALTHY_MS: AtomicI64 = AtomicI64::new(0);
/// Load balancers probe often; within this window the last answer stands, so probes never
/// queue behind real work for a database connection.
const HEALTH_WINDOW_MS: i64 = 1000;

/// 200 when the database answers (checked at most once a second), 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let now_ms = app::platform::now_ms();
    if now_ms - LAST_HEALTHY_MS.load(Ordering::Relaxed) < HEALTH_WINDOW_MS {
        return (StatusCode::OK, "ok").into_response();
    }
    match state.database().ping().await {
        Ok(()) => {
            LAST_HEALTHY_MS.store(now_ms, Ordering::Relaxed);
            (StatusCode::OK, "ok").into_response()
        }
        Err(e) => {
            LAST_HEALTHY_MS.store(0, Ordering::Relaxed);
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Server functions take small forms; the largest field (a mail body) is 256 KiB of text,
/// which percent-encoding can triple.
const SERVER_FN_BODY_LIMIT: usize = 1024 * 1024;

/// The server functions that take no arguments and change nothing: these also answer a POST
/// with no body and no `Content-Type`. The server functions without arguments that change
/// state (`auth/logout`, `mail/empty-trash`, `account/end-other-sessions`) are not here; the
/// test `empty_posts_are_answered_only_where_nothing_changes` checks both lists are complete.
pub const READS_WITHOUT_ARGUMENTS: &[&str] = &[
    "absences/classes",
    "absences/missing",
    "absences/settings",
    "account/activity",
    "auth/start-password-origin",
    "calendar/feeds",
    "calendar/settings",
    "calendar/upcoming",
    "files/blocked-types",
    "guardians/home",
    "lifecycle/end-requests",
    "lifecycle/reports",
    "logs/overview",
    "mail/cases",
    "mail/notices",
    "mail/reports",
    "mail/settings",
    "mail/unread",
    "policy/current",
    "schools/list",
    "schools/settings",
    "users/year-end-preview",
];

/// Server functions take URL-encoded forms only. The form decoder would quietly turn invalid
/// UTF-8 into U+FFFD and read other content types as forms, so a malformed body could still
/// change something; here it is refused before any server function sees it.
async fn server_fn_body(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    let (mut parts, body) = req.into_parts();
    if !is_form {
        // A read without arguments may come as a bare `curl -X POST`; everything else, and
        // every request that changes state, must say it sends a form.
        let bare = !parts.headers.contains_key(header::CONTENT_TYPE)
            && parts
                .headers
                .get(header::CONTENT_LENGTH)
                .is_none_or(|length| length.as_bytes() == b"0");
        let name = parts.uri.path().trim_start_matches("/api/");
        if !(bare && READS_WITHOUT_ARGUMENTS.contains(&name)) {
            return error_response(AppError::kind(ErrorKind::BadInput));
        }
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
    }
    let Ok(bytes) = axum::body::to_bytes(body, SERVER_FN_BODY_LIMIT).await else {
        return error_response(AppError::kind(ErrorKind::TooLarge));
    };
    let decodes = std::str::from_utf8(&bytes).is_ok()
        && bytes.split(|b| matches!(b, b'&' | b'=')).all(|piece| {
            percent_encoding::percent_decode(piece)
                .decode_utf8()
                .is_ok()
        });
    if !decodes {
        return error_response(AppError::kind(ErrorKind::BadInput));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Issue 18 §1: a plain form the server refused comes back filled in. The refused post's
/// values are kept under a key bound to the session, the redirect back names only the key, and
/// the page it leads to is filled in once (`app::web::kept`).
async fn kept_forms(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Most requests are neither a plain form post nor a page coming back for its form: they
    // pass with no allocation and no hash.
    let path = req.uri().path().to_string();
    let form_post =
        *req.method() == Method::POST && path.starts_with("/api/") && accepts_html(req.headers());
    let key = (is_page(req.method(), &path)
        && req.uri().query().is_some_and(|q| q.contains("__kept=")))
    .then(|| url_param(req.uri().query().unwrap_or_default(), "__kept"))
    .flatten()
    .filter(|key| key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit()));
    let token = req
        .extensions()
        .get::<RequestInfo>()
        .and_then(|info| info.session_token.clone());
    let (Some(token), true) = (token, form_post || key.is_some()) else {
        return next.run(req).await;
    };
    let mac = kept::session_mac(&state, &token);
    if form_post {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, SERVER_FN_BODY_LIMIT).await else {
            return error_response(AppError::kind(ErrorKind::TooLarge));
        };
        let res = next
            .run(Request::from_parts(parts, Body::from(bytes.clone())))
            .await;
        return keep_if_refused(&state, &mac, &path, &bytes, res).await;
    }
    let (Some(key), query) = (key, req.uri().query().unwrap_or_default().to_string()) else {
        return next.run(req).await;
    };
    let form = match state
        .kept_forms()
        .take(&key, &mac, app::platform::now())
        .await
    {
        Ok(Some(json)) => serde_json::from_str::<kept::KeptForm>(&json).ok(),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "a kept form could not be read");
            None
        }
    };
    let Some(form) = form else {
        return next.run(req).await;
    };
    // Each field's message goes beside the field, in the reader's language.
    let lang = app::web::lang_of(req.headers());
    let errors: Vec<(String, String)> = url_param(&query, "__err")
        .map(|encoded| {
            let error = AppError::from_url(&encoded);
            error
                .fields
                .iter()
                .map(|f| (f.field.clone(), error.field_text(lang, f.message)))
                .collect()
        })
        .unwrap_or_default();
    let mut req = req;
    req.extensions_mut().insert(form.clone());
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, PAGE_LIMIT).await else {
        return error_response(AppError::kind(ErrorKind::Internal));
    };
    let html = form.fill(&String::from_utf8_lossy(&bytes), &errors);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}

/// The largest page a kept form is filled into; our pages are far smaller.
const PAGE_LIMIT: usize = 16 * 1024 * 1024;

/// A browser's plain form post, as Leptos tells it from a script's call.
fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn url_param(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// A refused post is answered with a redirect back carrying `__err`; then its form is kept
/// and the redirect names the key.
async fn keep_if_refused(
    state: &AppState,
    mac: &str,
    action: &str,
    body: &[u8],
    mut res: Response,
) -> Response {
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !res.status().is_redirection() || !location.contains("__err=") {
        return res;
    }
    let Some(form) = kept::KeptForm::from_post(action, body) else {
        return res;
    };
    let key = app::platform::secret::fast_random_hex();
    let now = app::platform::now();
    let json = serde_json::to_string(&form).unwrap_or_default();
    if let Err(e) = state
        .kept_forms()
        .keep(&key, mac, &json, now, now + kept::KEEP_SECS)
        .await
    {
        tracing::warn!(error = %e, "a refused form could not be kept");
        return res;
    }
    if let Ok(value) = HeaderValue::from_str(&format!("{location}&__kept={key}")) {
        res.headers_mut().insert(header::LOCATION, value);
    }
    res
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A request is same-origin when its `Origin` is our public URL or the host it was sent to.
/// Without `Origin`, `Sec-Fetch-Site` decides; a request with neither comes from no browser
/// page and carries no ambient authority worth protecting.
fn is_cross_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match text(header::ORIGIN) {
        Some(origin) => {
            let host = text(header::HOST).unwrap_or_default();
            let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or_default();
            origin != public_url && (host.is_empty() || authority != host)
        }
        None => matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("cross-site" | "same-site")
        ),
    }
}

fn retry_after(error: &AppError) -> Option<HeaderValue> {
    error
        .retry_after_secs
        .and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok())
}

fn error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_string(&error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The cross-origin check and the security headers, including a fresh CSP nonce per response.
async fn security(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if is_state_changing(req.method()) && is_cross_origin(req.headers(), &state.config.public_url) {
        tracing::warn!("refused a cross-origin write");
        return error_response(AppError::kind(ErrorKind::CrossOrigin));
    }
    let nonce = app::platform::secret::fast_random_hex();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let headers = res.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.config.secure_cookies() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the rightmost
/// address in `X-Forwarded-For` that is not a trusted proxy itself. Untrusted peers cannot
/// make themselves someone else by sending the header.
fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded: &str,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return String::new();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    forwarded
        .rsplit(',')
        .filter_map(|hop| hop.trim().parse::<std::net::IpAddr>().ok())
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
        .to_string()
}

/// Pages that need no signed-in user.
fn is_public_page(path: &str) -> bool {
    // PAR-2: a parent registers with the code from the letter before having an account.
    path == "/login" || path == "/register"
}

/// A page request, as opposed to the API, health checks and built or static files.
fn is_page(method: &Method, path: &str) -> bool {
    *method == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && path != "/healthz"
        && !path.rsplit('/').next().unwrap_or_default().contains('.')
}

/// Looks the session up once per request, records who is asking, sends pages to where the
/// user must go first, and gives API errors their proper status code.
async fn request_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let secure = state.config.secure_cookies();
    let token = session::token_from_cookies(text(header::COOKIE), secure);
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = text(header::HeaderName::from_static("x-forwarded-for"));
    let ip = client_address(peer, forwarded, &state.config.trusted_proxies);
    let info = RequestInfo {
        ip,
        user_agent: text(header::USER_AGENT).to_string(),
        request_id: text(header::HeaderName::from_static("x-request-id")).to_string(),
        session_token: token.clone(),
    };
    let user = match &token {
        Some(token) => match session::load(&state, token).await {
            Ok(user) => user,
            Err(e) => return error_response(e),
        },
        None => None,
    };

    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    if is_page(&method, &path) {
        let target = match &user {
            None if !is_public_page(&path) => Some("/login"),
            Some(u) => match u.next_step() {
                Some(step) if step != path => Some(step),
                None if is_public_page(&path) => Some("/"),
                _ => None,
            },
            _ => None,
        };
        if let Some(target) = target {
            return Redirect::to(target).into_response();
        }
    }

    req.extensions_mut().insert(info);
    req.extensions_mut().insert(CurrentSession(user));
    let res = next.run(req).await;
    if path.starts_with("/api/") {
        with_error_status(res).await
    } else {
        res
    }
}

/// Server functions answer every error with 500; this gives each its real status, so that
/// bad input is a 400 and only our own failures are 5xx.
async fn with_error_status(res: Response) -> Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return error_response(AppError::kind(ErrorKind::Internal));
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(value) = retry_after(&error) {
            parts.headers.insert(header::RETRY_AFTER, value);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The path as the log shows it: a calendar feed's path is its secret (the token is the only
/// credential a phone's calendar app sends), so everything after `/calendar/feed/` is hidden.
pub fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.find("/calendar/feed/") {
        Some(at) => format!("{}/calendar/feed/…", &path[..at]).into(),
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy = "10.0.0.2".parse().unwrap();
        let outside = Some("198.51.100.9".parse().unwrap());
        assert_eq!(
            client_address(outside, "203.0.113.7", &[proxy]),
            "198.51.100.9",
            "not a proxy: header ignored"
        );
        let via_proxy = Some(proxy);
        assert_eq!(
            client_address(via_proxy, "1.2.3.4, 203.0.113.7", &[proxy]),
            "203.0.113.7",
            "rightmost untrusted hop"
        );
        assert_eq!(client_address(via_proxy, "nonsense", &[proxy]), "10.0.0.2");
        assert_eq!(client_address(None, "203.0.113.7", &[proxy]), "");
    }

    // SEC-1 (secrets in logs): a feed token never reaches the request log.
    #[test]
    fn feed_tokens_are_not_logged() {
        assert_eq!(
            super::logged_path("/calendar/feed/abc123.ics"),
            "/calendar/feed/…"
        );
        assert_eq!(super::logged_path("/mail"), "/mail");
    }
}
