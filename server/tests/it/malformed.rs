//! Malformed input (issue 8, "no 500s"): every server function and every HTTP route gets at
//! least 200 generated bad requests, from every kind of caller. Expected: no answer is a 5xx,
//! and the database dump is the same before and after.
//!
//! The requests are drawn by proptest from what each endpoint takes: its fields and their
//! types come from the server function's own argument struct (traced with serde-reflection),
//! so a new server function is covered by adding one line to `server_functions()`; a test
//! below fails until it is added. Plain routes are listed in `routes()`, checked against the
//! router's source. `SCHULHOF_FUZZ_CASES` and `SCHULHOF_FUZZ_SEED` give a longer or a
//! different run (`bench/fuzz`).
//!
//! Long on purpose: the suite is one thing (a generator per field kind, the endpoint list, and
//! the checks), and its completeness test needs the whole list in one place.

use std::collections::BTreeSet;

use crate::common::{Browser, TestServer};
use app::auth::Role;
use leptos::server_fn::ServerFn;
use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use reqwest::{Method, header};
use serde::de::DeserializeOwned;
use serde_reflection::{ContainerFormat, Format, Tracer, TracerConfig};

/// What one field of a server function takes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Int,
    Bool,
    Text,
    /// A list, an enum or a nested struct.
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct Field {
    name: String,
    kind: Kind,
    optional: bool,
}

impl Field {
    /// A field that names a stored object; "ids of other schools" go there.
    fn is_id(&self) -> bool {
        const NAMES: &[&str] = &[
            "id",
            "user",
            "target",
            "item",
            "folder",
            "group",
            "parent",
            "destination",
            "case",
            "report",
            "event",
            "feed",
            "session",
            "attachment",
            "draft",
            "forward",
            "reply",
            "node",
            "entry",
            "member",
            "message",
            "school",
            "to",
        ];
        self.kind == Kind::Int
            && (NAMES.contains(&self.name.as_str()) || self.name.ends_with("_id"))
    }
}

pub(crate) struct Endpoint {
    pub(crate) path: String,
    method: Method,
    pub(crate) fields: Vec<Field>,
    /// Plain routes: how the body travels.
    body: Body,
}

#[derive(Clone, Copy, PartialEq)]
enum Body {
    Form,
    Multipart,
    None,
}

fn kind_of(format: &Format) -> (Kind, bool) {
    match format {
        Format::Option(inner) => (kind_of(inner).0, true),
        Format::Bool => (Kind::Bool, false),
        Format::I8
        | Format::I16
        | Format::I32
        | Format::I64
        | Format::I128
        | Format::U8
        | Format::U16
        | Format::U32
        | Format::U64
        | Format::U128 => (Kind::Int, false),
        Format::Str | Format::Char => (Kind::Text, false),
        _ => (Kind::Other, false),
    }
}

/// The fields of a server function's argument struct, as serde sees them.
fn server_function<T: ServerFn + DeserializeOwned>() -> Endpoint {
    let mut tracer = Tracer::new(TracerConfig::default());
    let (format, _) = tracer
        .trace_simple_type::<T>()
        .unwrap_or_else(|e| panic!("cannot trace the arguments of {}: {e}", T::PATH));
    let registry = tracer.registry().unwrap_or_default();
    let fields = match format {
        Format::TypeName(name) => match registry.get(&name) {
            Some(ContainerFormat::Struct(fields)) => fields
                .iter()
                .map(|f| {
                    let (kind, optional) = kind_of(&f.value);
                    Field {
                        name: f.name.clone(),
                        kind,
                        optional,
                    }
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    Endpoint {
        path: T::PATH.to_string(),
        method: Method::POST,
        fields,
        body: Body::Form,
    }
}

macro_rules! server_functions {
    ($($module:ident :: $name:ident),* $(,)?) => {
        vec![$(server_function::<app::$module::$name>()),*]
    };
}

/// Every server function. A new one gets a line here; `every_endpoint_is_covered` says so.
pub(crate) fn server_functions() -> Vec<Endpoint> {
    server_functions![
        addressbook::AddressBook,
        addressbook::SaveOwnFields,
        users::ListUsers,
        users::CreateUser,
        users::LockUser,
        users::UnlockUser,
        users::ImportUpload,
        users::ImportPreview,
        users::ImportApply,
        users::YearEndPreview,
        users::YearEndApply,
        users::UserDetail,
        users::SetRole,
        users::SetLeavingDate,
        users::IssueStartPasswords,
        auth::Login,
        auth::Logout,
        auth::ChangePassword,
        auth::SetLanguage,
        auth::StartPasswordOrigin,
        auth::PasswordCheck,
        guardians::Home,
        guardians::GuardiansOf,
        guardians::Unlink,
        guardians::SetRepresentative,
        guardians::GiveConsent,
        guardians::RequestEnd,
        guardians::Register,
        guardians::AddChild,
        policy::CurrentPolicy,
        policy::AcceptPolicy,
        policy::PublishPolicy,
        policy::SetPolicySummary,
        policy::RecordParentConsent,
        mail::Mailbox,
        mail::Unread,
        mail::Notices,
        mail::Message,
        mail::MarkUnread,
        mail::MoveMessage,
        mail::DeleteMessage,
        mail::EmptyMailTrash,
        mail::CreateMailFolder,
        mail::DeleteMailFolder,
        mail::Compose,
        mail::Suggest,
        mail::SendMail,
        mail::Autosave,
        mail::SaveDraft,
        mail::Attach,
        mail::Detach,
        mail::SaveAttachment,
        mail::Report,
        mail::Reports,
        mail::CloseReport,
        mail::OpenCase,
        mail::Cases,
        mail::CloseCase,
        mail::CaseMailbox,
        mail::CaseMessage,
        mail::MailRules,
        mail::SetMailSettings,
        mail::SetBetweenSchools,
        account::AccountActivity,
        account::EndSession,
        account::EndOtherSessions,
        files::ListFolder,
        files::CreateFolder,
        files::RenameEntry,
        files::MoveEntry,
        files::CopyEntry,
        files::DeleteEntry,
        files::ListTrash,
        files::RestoreEntry,
        files::EmptyTrash,
        files::GrantException,
        files::SetQuota,
        files::BlockedTypes,
        files::SetBlockedTypes,
        logs::LogOverview,
        logs::GrantLogRight,
        logs::WithdrawLogRight,
        logs::OpenReading,
        logs::LogEvents,
        schools::ListSchools,
        schools::CreateSchool,
        schools::SchoolSettings,
        schools::SetSchoolSettings,
        groups::ListGroups,
        groups::GroupMembers,
        groups::CreateTeam,
        groups::AddMember,
        groups::SetMemberFiles,
        groups::RemoveMember,
        lifecycle::RecordWithdrawal,
        lifecycle::CancelDeletion,
        lifecycle::DeletionReports,
        lifecycle::EndRequests,
        lifecycle::ConfirmEnd,
        calendar::CalendarView,
        calendar::Upcoming,
        calendar::Event,
        calendar::CreateEvent,
        calendar::UpdateEvent,
        calendar::DeleteEvent,
        calendar::CalendarSettings,
        calendar::SetCalendarMembersWrite,
        calendar::Feeds,
        calendar::CreateFeed,
        calendar::RevokeFeed,
        filter::Blocklist,
        filter::AddBlocked,
        filter::RemoveBlocked,
        absences::Report,
        absences::Classes,
        absences::ClassDay,
        absences::Mark,
        absences::Missing,
        absences::Reached,
        absences::Term,
        absences::Settings,
        absences::SetSettings,
    ]
}

fn route(method: Method, path: &str, body: Body, fields: &[(&str, Kind)]) -> Endpoint {
    Endpoint {
        path: path.to_string(),
        method,
        fields: fields
            .iter()
            .map(|&(name, kind)| Field {
                name: name.into(),
                kind,
                optional: false,
            })
            .collect(),
        body,
    }
}

/// The router's own routes besides `/api/…`. A new route gets a line here.
fn routes() -> Vec<Endpoint> {
    use Body::*;
    use Kind::*;
    vec![
        route(Method::GET, "/healthz", None, &[]),
        route(Method::POST, "/admin/slips", Form, &[("id", Int)]),
        route(
            Method::POST,
            "/admin/guardian-codes",
            Form,
            &[("user_id", Int), ("class", Text), ("copies", Int)],
        ),
        route(Method::POST, "/admin/import", Multipart, &[("file", Text)]),
        route(
            Method::POST,
            "/admin/schools/admin",
            Form,
            &[
                ("school", Int),
                ("first_name", Text),
                ("last_name", Text),
                ("role", Text),
            ],
        ),
        route(
            Method::POST,
            "/admin/schools/start-password",
            Form,
            &[("school", Int), ("login", Text)],
        ),
        route(Method::GET, "/admin/users.csv", None, &[("query", Text)]),
        route(
            Method::GET,
            "/admin/consent-forms",
            None,
            &[("class", Text)],
        ),
        // The upload reads where to from the query, the file from the body.
        route(
            Method::POST,
            "/files/upload?space=me&folder={folder}",
            Multipart,
            &[("file", Text)],
        ),
        route(
            Method::GET,
            "/files/download/{id}",
            None,
            &[("inline", Text)],
        ),
        route(Method::GET, "/files/thumb/{id}", None, &[("v", Text)]),
        route(
            Method::GET,
            "/files/archive",
            None,
            &[("space", Text), ("folder", Int)],
        ),
        route(Method::GET, "/account/export.zip", None, &[]),
        route(
            Method::GET,
            "/mail/attachment/{item}/{attachment}",
            None,
            &[("case", Int)],
        ),
        route(Method::GET, "/calendar/feed/{file}", None, &[]),
        route(Method::GET, "/addressbook/me.vcf", None, &[]),
        route(Method::GET, "/absences/term.csv", None, &[]),
        route(Method::GET, "/absences/note/{id}", None, &[]),
        route(
            Method::POST,
            "/absences/note/{id}",
            Multipart,
            &[("file", Text)],
        ),
        route(
            Method::GET,
            "/logs/export.csv",
            None,
            &[("session", Int), ("from", Text), ("to", Text)],
        ),
        route(
            Method::POST,
            "/admin/filter/import",
            Multipart,
            &[("file", Text)],
        ),
    ]
}

/// Every page of the app, with its path parameters and a few query fields pages read.
fn pages() -> Vec<Endpoint> {
    let mut paths: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
        .iter()
        .map(|p| {
            route(
                Method::GET,
                p,
                Body::None,
                &[
                    ("page", Kind::Int),
                    ("q", Kind::Text),
                    ("folder", Kind::Int),
                    ("view", Kind::Text),
                ],
            )
        })
        .collect()
}

/// One generated bad request: a base of well-typed values and one defect.
#[derive(Clone, Debug)]
struct Case {
    caller: usize,
    values: Vec<String>,
    defect: Defect,
}

#[derive(Clone, Debug)]
enum Defect {
    /// A required field is left out.
    Missing(usize),
    /// A number or yes/no field holds something else.
    WrongType(usize, String),
    /// A text of this many bytes: past the body limit, or past every field's own limit.
    Huge(usize, usize),
    /// Bytes that are not UTF-8, percent-encoded or raw.
    BadUtf8(usize, Vec<u8>, bool),
    /// The field as a nested structure `f[a][a]…` this deep.
    Nested(usize, usize),
    /// The right body under the wrong content type.
    ContentType(&'static str),
    /// A JSON document nested this deep.
    JsonBomb(usize),
    /// A multipart body cut off after this many bytes.
    Truncated(usize),
    /// Every id field names an object of the other school.
    OtherSchool(Vec<usize>),
    /// Path parameters that are no ids: huge, negative, text, percent-garbage.
    BadPath(String),
}

fn text_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9äöüß .@_-]{0,16}"
}

fn not_a_number() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,12}",
        Just("99999999999999999999999999".to_string()),
        Just("1e9".to_string()),
        Just("0x10".to_string()),
        Just("- 1".to_string()),
        Just("NaN".to_string()),
        Just("١٢".to_string()),
        Just("ja".to_string()),
    ]
}

fn invalid_utf8() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![0xff]),
        Just(vec![0xc3, 0x28]),
        Just(vec![0xed, 0xa0, 0x80]),
        Just(vec![0xc0, 0xaf]),
        Just(vec![0xf8, 0x88, 0x80, 0x80, 0x80]),
        prop::collection::vec(0x80u8..=0xffu8, 1..8)
            .prop_filter("not UTF-8", |b| { std::str::from_utf8(b).is_err() }),
    ]
}

fn cases(endpoint: &Endpoint, callers: usize) -> BoxedStrategy<Case> {
    let n = endpoint.fields.len();
    let index = |pred: &dyn Fn(&Field) -> bool| -> Vec<usize> {
        endpoint
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| pred(f))
            .map(|(i, _)| i)
            .collect()
    };
    let required = index(&|f| !f.optional);
    let typed = index(&|f| matches!(f.kind, Kind::Int | Kind::Bool));
    // A file's content sent as a field (the user import) may fill the whole body.
    // Only required fields: any value of an optional one (a ticked checkbox) is a valid request.
    let texts = index(&|f| f.kind == Kind::Text && !f.optional && f.name != "content");
    let ids = index(&Field::is_id);
    let any_field = (0..n.max(1)).collect::<Vec<_>>();
    let pick = |v: Vec<usize>| prop::sample::select(v);

    let mut defects: Vec<BoxedStrategy<Defect>> = Vec::new();
    if endpoint.body != Body::None {
        defects.push(
            prop::sample::select(vec![
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencodedx",
                "",
            ])
            .prop_map(Defect::ContentType)
            .boxed(),
        );
        defects.push((50usize..20_000).prop_map(Defect::JsonBomb).boxed());
    }
    // A file's bytes may be anything and of any size up to the upload limit; only forms must
    // be UTF-8 and small.
    if endpoint.body == Body::Form {
        defects.push(
            (pick(any_field.clone()), invalid_utf8(), any::<bool>())
                .prop_map(|(i, b, raw)| Defect::BadUtf8(i, b, raw))
                .boxed(),
        );
        defects.push(
            (pick(any_field.clone()), 1_100_000usize..2_500_000)
                .prop_map(|(i, size)| Defect::Huge(i, size))
                .boxed(),
        );
    }
    if endpoint.body == Body::Form {
        if !required.is_empty() {
            defects.push(pick(required.clone()).prop_map(Defect::Missing).boxed());
            defects.push(
                (pick(required.clone()), 2usize..300)
                    .prop_map(|(i, d)| Defect::Nested(i, d))
                    .boxed(),
            );
        }
        if !typed.is_empty() {
            defects.push(
                (pick(typed), not_a_number())
                    .prop_map(|(i, v)| Defect::WrongType(i, v))
                    .boxed(),
            );
        }
        if !texts.is_empty() && !required.is_empty() {
            // Past every field's own limit, under the body limit: the rule must refuse it.
            defects.push(
                (pick(texts), 300_000usize..900_000)
                    .prop_map(|(i, size)| Defect::Huge(i, size))
                    .boxed(),
            );
        }
    }
    if endpoint.body == Body::Multipart {
        defects.push((1usize..400).prop_map(Defect::Truncated).boxed());
    }
    if !ids.is_empty() || endpoint.path.contains('{') {
        defects.push(
            prop::collection::vec(any::<usize>(), n.max(1))
                .prop_map(Defect::OtherSchool)
                .boxed(),
        );
    }
    if endpoint.path.contains('{') {
        defects.push(
            prop_oneof![
                Just("-1".to_string()),
                Just("99999999999999999999999".to_string()),
                Just("%FF%FE".to_string()),
                Just("..%2F..%2Fetc%2Fpasswd".to_string()),
                Just("a".repeat(5000)),
                "[a-zA-Z0-9%.]{1,20}",
            ]
            .prop_map(Defect::BadPath)
            .boxed(),
        );
    }
    if defects.is_empty() {
        // Nothing to get wrong in the body: the query string carries the garbage.
        defects.push(
            "[a-zA-Z0-9%&=\\[\\]]{1,40}"
                .prop_map(Defect::BadPath)
                .boxed(),
        );
    }
    let values = endpoint
        .fields
        .iter()
        .map(|f| match f.kind {
            Kind::Int => (0i64..50).prop_map(|v| v.to_string()).boxed(),
            Kind::Bool => {
                prop::sample::select(vec!["true".to_string(), "false".to_string()]).boxed()
            }
            Kind::Text | Kind::Other => text_value().boxed(),
        })
        .collect::<Vec<_>>();
    (0..callers, values, prop::strategy::Union::new(defects))
        .prop_map(|(caller, values, defect)| Case {
            caller,
            values,
            defect,
        })
        .boxed()
}

fn encode(s: &str) -> String {
    url_escape(s.as_bytes())
}

fn url_escape(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

/// The request a case describes, as (path with query, content type, body bytes).
fn build(
    endpoint: &Endpoint,
    case: &Case,
    other: &OtherSchool,
) -> (String, Option<String>, Vec<u8>) {
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut path = endpoint.path.clone();
    let mut content_type = match endpoint.body {
        Body::Form => Some("application/x-www-form-urlencoded".to_string()),
        Body::Multipart => Some("multipart/form-data; boundary=schulhofgrenze".to_string()),
        Body::None => None,
    };
    for (i, field) in endpoint.fields.iter().enumerate() {
        let mut value = case.values[i].clone().into_bytes();
        let mut name = field.name.clone();
        match &case.defect {
            Defect::Missing(j) if *j == i => continue,
            Defect::WrongType(j, v) if *j == i => value = v.clone().into_bytes(),
            Defect::Huge(j, size) if *j == i => value = "a".repeat(*size).into_bytes(),
            Defect::BadUtf8(j, bytes, _) if *j == i => value = bytes.clone(),
            Defect::Nested(j, depth) if *j == i => name = format!("{name}{}", "[a]".repeat(*depth)),
            Defect::OtherSchool(picks) if field.is_id() => {
                value = other
                    .id(&endpoint.path, &field.name, picks[i])
                    .to_string()
                    .into_bytes()
            }
            _ => {}
        }
        pairs.push((name, value));
    }
    // An endpoint without fields gets the defect in a field of its own.
    let extra = match &case.defect {
        Defect::Huge(j, size) if *j >= endpoint.fields.len() => {
            Some("a".repeat(*size).into_bytes())
        }
        Defect::BadUtf8(j, bytes, _) if *j >= endpoint.fields.len() => Some(bytes.clone()),
        _ => None,
    };
    if let Some(value) = extra {
        pairs.push(("x".into(), value));
    }
    // Path parameters: ids of the other school, garbage, or a plausible small number.
    while let Some(start) = path.find('{') {
        let end = path[start..]
            .find('}')
            .map(|e| start + e + 1)
            .unwrap_or(path.len());
        let value = match &case.defect {
            Defect::BadPath(v) => v.clone(),
            Defect::OtherSchool(picks) => {
                let name = path[start + 1..end - 1].to_string();
                other.id(&endpoint.path, &name, picks[0]).to_string()
            }
            _ => case
                .values
                .first()
                .cloned()
                .filter(|v| v.parse::<i64>().is_ok())
                .unwrap_or("1".into()),
        };
        path.replace_range(start..end, &value);
    }
    let raw_bytes = matches!(case.defect, Defect::BadUtf8(_, _, true));
    let form = |pairs: &[(String, Vec<u8>)]| -> Vec<u8> {
        let mut out = Vec::new();
        for (k, (name, value)) in pairs.iter().enumerate() {
            if k > 0 {
                out.push(b'&');
            }
            out.extend(encode(name).bytes());
            out.push(b'=');
            if raw_bytes && std::str::from_utf8(value).is_err() {
                out.extend(value);
            } else {
                out.extend(url_escape(value).bytes());
            }
        }
        out
    };
    let mut body = match endpoint.body {
        Body::Form => form(&pairs),
        Body::Multipart => {
            let mut out = Vec::new();
            for (name, value) in &pairs {
                out.extend(b"--schulhofgrenze\r\n");
                out.extend(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"a.txt\"\r\n\r\n"
                    )
                    .bytes(),
                );
                out.extend(value);
                out.extend(b"\r\n");
            }
            out.extend(b"--schulhofgrenze--\r\n");
            out
        }
        Body::None => {
            let query = form(&pairs);
            let extra = match &case.defect {
                Defect::BadPath(v) if !endpoint.path.contains('{') => v.clone(),
                _ => String::new(),
            };
            let query = String::from_utf8_lossy(&query).to_string() + &extra;
            if !query.is_empty() {
                path = format!("{path}?{query}");
            }
            Vec::new()
        }
    };
    match &case.defect {
        Defect::ContentType(t) => content_type = Some(t.to_string()).filter(|t| !t.is_empty()),
        Defect::JsonBomb(depth) => {
            content_type = Some("application/json".into());
            body = format!("{}1{}", "[".repeat(*depth), "]".repeat(*depth)).into_bytes();
        }
        // Always before the closing boundary: a body that still ends properly is no defect.
        Defect::Truncated(keep) => body.truncate((*keep).min(body.len().saturating_sub(24))),
        _ => {}
    }
    (path, content_type, body)
}

/// The other school's objects, by table.
struct OtherSchool(std::collections::BTreeMap<&'static str, Vec<i64>>);

impl OtherSchool {
    async fn load(s: &TestServer, school: i64) -> OtherSchool {
        let of_user = format!("user_id IN (SELECT id FROM users WHERE school_id = {school})");
        let mut tables = std::collections::BTreeMap::new();
        for (table, condition) in [
            ("users", format!("school_id = {school}")),
            ("groups", format!("school_id = {school}")),
            ("file_nodes", format!("school_id = {school}")),
            ("calendar_events", format!("school_id = {school}")),
            ("mail_items", of_user.clone()),
            ("mail_folders", of_user.clone()),
            ("calendar_feeds", of_user),
            (
                "mail_attachments",
                format!("message_id IN (SELECT id FROM mail_messages WHERE school_id = {school})"),
            ),
            ("schools", format!("id = {school}")),
            ("link_blocklist", format!("school_id = {school}")),
            ("mail_reports", format!("school_id = {school}")),
            ("mail_cases", format!("school_id = {school}")),
            ("log_sessions", format!("school_id = {school}")),
        ] {
            let ids = s
                .column::<i64>(&format!("SELECT id FROM {table} WHERE {condition}"))
                .await;
            if !ids.is_empty() {
                tables.insert(table, ids);
            }
        }
        OtherSchool(tables)
    }

    /// An id of the other school's object of the kind `field` of `endpoint` names.
    fn id(&self, endpoint: &str, field: &str, pick: usize) -> i64 {
        let feature = endpoint.trim_start_matches("/api/").trim_start_matches('/');
        let table = match field {
            "id" | "folder" if feature.starts_with("mail") && feature.contains("folder") => {
                "mail_folders"
            }
            "folder" if feature.starts_with("mail") => "mail_folders",
            "id" if feature == "mail/close-report" => "mail_reports",
            "id" if feature == "mail/close-case" => "mail_cases",
            "case" => "mail_cases",
            "session" => "log_sessions",
            "user" | "target" | "member" | "user_id" => "users",
            "group" | "group_id" => "groups",
            "folder" | "parent" | "destination" | "node" | "entry" => "file_nodes",
            "item" | "draft" | "forward" | "reply" | "message" => "mail_items",
            "attachment" => "mail_attachments",
            "event" => "calendar_events",
            "feed" => "calendar_feeds",
            "school" => "schools",
            _ if feature.starts_with("filter") => "link_blocklist",
            _ if feature.starts_with("files") => "file_nodes",
            _ if feature.starts_with("mail") => "mail_items",
            _ if feature.starts_with("calendar") => "calendar_events",
            _ if feature.starts_with("groups") => "groups",
            _ => "users",
        };
        let ids = self
            .0
            .get(table)
            .unwrap_or_else(|| panic!("the other school has no {table} for {endpoint} {field}"));
        ids[pick % ids.len()]
    }
}

/// A school with one signed-in person of each role, a file, a mail, an event and a feed.
async fn school_with_content(s: &TestServer, name: &str, domain: &str) -> Vec<Browser> {
    let school = s.school(name, domain).await;
    let mut browsers = Vec::new();
    for (role, first, class) in [
        (Role::Pupil, "Pia", Some("2b")),
        (Role::Teacher, "Tom", None),
        (Role::Admin, "Ada", None),
        (Role::Management, "Mona", None),
        (Role::Secretariat, "Sven", None),
    ] {
        let (_, b) = s.ready_person(school, role, first, class).await;
        browsers.push(b);
    }
    // The school's own link filter entry, so that removing another school's entry is tried.
    s.sql(&format!(
        "INSERT INTO link_blocklist (school_id, domain, path_prefix, created_at) VALUES ({school}, 'gesperrt-{domain}', '', 0)"
    ))
    .await;
    let pupil = &browsers[0];
    assert!(
        pupil
            .upload("me", 0, "bild.txt", b"Hallo".to_vec())
            .await
            .status()
            .is_success()
    );
    let pupil_login = s
        .text(&format!(
            "SELECT login FROM users WHERE school_id = {school} AND role = 'pupil'"
        ))
        .await;
    let sent = browsers[1]
        .call(
            "mail/send",
            &[
                ("draft", "0"),
                ("forward", "0"),
                ("to", &format!("{pupil_login}@{domain}")),
                ("subject", "Hallo"),
                ("body", "Hallo"),
                ("format", "typed"),
            ],
        )
        .await;
    assert!(sent.status().is_success(), "{}", sent.text().await.unwrap());
    let event = browsers[3]
        .call(
            "calendar/create",
            &[
                ("calendar", "school"),
                ("title", "Sportfest"),
                ("place", ""),
                ("description", ""),
                ("date", "2026-11-18"),
                ("start", "09:00"),
                ("end", "12:00"),
                ("repeat", ""),
                ("until", ""),
                ("exceptions", ""),
                ("reminder", ""),
            ],
        )
        .await;
    assert!(
        event.status().is_success(),
        "{}",
        event.text().await.unwrap()
    );
    for (endpoint, field, value) in [
        ("mail/create-folder", "name", "Schatz"),
        ("calendar/create-feed", "calendar", "all"),
    ] {
        let res = pupil.call(endpoint, &[(field, value)]).await;
        assert!(
            res.status().is_success(),
            "{endpoint}: {}",
            res.text().await.unwrap()
        );
    }
    browsers
}

/// Panics anywhere in this process: the server runs in it, and a panic in a handler would
/// otherwise only show as a dropped connection.
fn panics_so_far() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
    PANICS.load(Ordering::SeqCst)
}

fn run_size() -> (u32, [u8; 32]) {
    let cases = std::env::var("SCHULHOF_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut seed = [7u8; 32];
    if let Some(v) = std::env::var("SCHULHOF_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        seed[..8].copy_from_slice(&v.to_le_bytes());
    }
    (cases, seed)
}

// Issue 8: every endpoint, 200 malformed requests each, no 5xx and no change in the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_is_refused_and_changes_nothing() {
    let s = TestServer::start().await;
    let other_browsers = school_with_content(&s, "Andere Schule", "andere.example").await;
    let mut callers = vec![s.browser()];
    callers.extend(school_with_content(&s, "Paulusschule", "paulusschule.example").await);
    let other_school = s
        .scalar("SELECT id FROM schools WHERE name = 'Andere Schule'")
        .await;
    // SEC-7: an attachment, a report, an inspection case and a log reading in the other school, so that
    // requests naming them are tried. Made here, not in both schools, so that no draw can
    // name one of the calling school's own.
    let pupil = s
        .scalar(&format!(
            "SELECT id FROM users WHERE school_id = {other_school} AND role = 'pupil'"
        ))
        .await;
    for insert in [
        format!(
            "INSERT INTO mail_reports (school_id, message_id, reporter_id, comment, created_at) \
             SELECT {other_school}, MIN(id), {pupil}, 'Gemein', 0 FROM mail_messages WHERE school_id = {other_school}"
        ),
        format!(
            "INSERT INTO mail_attachments (message_id, name, blob_key, size, content_type) \
             SELECT MIN(m.id), 'bild.txt', MIN(f.blob_key), 5, 'text/plain' FROM mail_messages m, file_nodes f \
             WHERE m.school_id = {other_school} AND f.school_id = {other_school} AND f.blob_key IS NOT NULL"
        ),
        format!(
            "INSERT INTO mail_cases (school_id, mailbox_user_id, reference, reason, opened_at, ends_at) \
             VALUES ({other_school}, {pupil}, 'Az. 1', 'Verdacht', 0, 4102444800)"
        ),
        format!(
            "INSERT INTO log_sessions (user_id, school_id, reason, reference, started_at, expires_at) \
             VALUES ({pupil}, {other_school}, 'Prüfung', 'Az. 2', 0, 4102444800)"
        ),
    ] {
        s.sql(&insert).await;
    }
    let other = OtherSchool::load(&s, other_school).await;
    drop(other_browsers);

    let panics_before = panics_so_far();
    let (per_endpoint, seed) = run_size();
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let mut endpoints = server_functions();
    endpoints.extend(routes());
    endpoints.extend(pages());
    let mut problems = Vec::new();
    let mut sent = 0;
    // For finding the one request that changed something: a dump around every request.
    let each = std::env::var("SCHULHOF_FUZZ_EACH").is_ok();
    let only = std::env::var("SCHULHOF_FUZZ_ONLY").unwrap_or_default();
    for endpoint in endpoints.iter().filter(|e| e.path.contains(&only)) {
        let before = s.dump().await;
        let strategy = cases(endpoint, callers.len());
        for _ in 0..per_endpoint {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            let before_one = if each { s.dump().await } else { Vec::new() };
            let (path, content_type, body) = build(endpoint, &case, &other);
            let url = format!("{}{path}", s.base);
            let mut req = callers[case.caller]
                .client
                .request(endpoint.method.clone(), url)
                .header(header::ACCEPT, "application/json");
            if let Some(t) = content_type {
                req = req.header(header::CONTENT_TYPE, t);
            }
            if endpoint.method == Method::POST {
                req = req.body(body);
            }
            // A server that refuses a body unread closes the connection; a pooled connection
            // may meet that close, so a request that got no answer is sent once more.
            let retry = req.try_clone();
            let answer = match req.send().await {
                Err(_) if retry.is_some() => retry.unwrap().send().await,
                other => other,
            };
            let status = match answer {
                Ok(res) => res.status(),
                Err(e) => {
                    problems.push(format!(
                        "{} {path}: no answer ({e}) for {case:?}",
                        endpoint.method
                    ));
                    continue;
                }
            };
            sent += 1;
            if status.is_server_error() {
                let shown: String = format!("{case:?}").chars().take(300).collect();
                problems.push(format!(
                    "{} {}: {status} for {shown}",
                    endpoint.method, endpoint.path
                ));
            }
            if each && s.dump().await != before_one {
                let shown: String = format!("{case:?}").chars().take(300).collect();
                problems.push(format!(
                    "{}: {status} and a change for {shown}",
                    endpoint.path
                ));
            }
        }
        let after = s.dump().await;
        for ((table, a), (_, b)) in before.iter().zip(&after) {
            if a != b {
                problems.push(format!("{} changed table {table}", endpoint.path));
            }
        }
    }
    assert_eq!(panics_so_far() - panics_before, 0, "the server panicked");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(!only.is_empty() || sent >= endpoints.len() * per_endpoint as usize * 9 / 10);
    eprintln!(
        "malformed input: {sent} requests to {} endpoints, no 5xx, nothing changed",
        endpoints.len()
    );
}

// Issue 8: the lists above cover every server function and every route of the router.
#[tokio::test]
async fn every_endpoint_is_covered() {
    let listed: BTreeSet<String> = server_functions().into_iter().map(|e| e.path).collect();
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "add these server functions to server_functions(): {missing:?}"
    );
    let routes: BTreeSet<String> = routes()
        .into_iter()
        .map(|e| e.path.split('?').next().unwrap_or_default().to_string())
        .collect();
    let source = include_str!("../../src/http.rs");
    let in_router: BTreeSet<String> = source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.split('"').nth(1).map(str::to_string))
        .filter(|p| !p.starts_with("/api/"))
        .collect();
    let missing: Vec<_> = in_router.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "add these routes to routes(): {missing:?}"
    );
}

/// A well-typed body for an endpoint: what a same-origin page would send.
fn plausible_body(endpoint: &Endpoint) -> Vec<u8> {
    let case = Case {
        caller: 0,
        values: endpoint
            .fields
            .iter()
            .map(|f| match f.kind {
                Kind::Int => "1".to_string(),
                Kind::Bool => "true".to_string(),
                Kind::Text | Kind::Other => "Test".to_string(),
            })
            .collect(),
        defect: Defect::BadPath("1".into()),
    };
    build(endpoint, &case, &OtherSchool(Default::default())).2
}

// Issue 8, security: a write from another origin is refused by every server function and every
// posting route, signed in or not, whatever the body; nothing changes.
#[tokio::test]
async fn cross_origin_writes_are_refused_everywhere() {
    let s = TestServer::start().await;
    let browsers = school_with_content(&s, "Paulusschule", "paulusschule.example").await;
    let admin = &browsers[2];
    let before = s.dump().await;
    let mut writes = server_functions();
    writes.extend(routes().into_iter().filter(|r| r.method == Method::POST));
    let mut refused = 0;
    for endpoint in &writes {
        let path = endpoint.path.replace("{id}", "1").replace("{folder}", "0");
        let content_type = match endpoint.body {
            Body::Multipart => "multipart/form-data; boundary=schulhofgrenze",
            _ => "application/x-www-form-urlencoded",
        };
        for (name, value) in [
            (header::ORIGIN.as_str(), "https://evil.example"),
            (header::ORIGIN.as_str(), "null"),
            (header::ORIGIN.as_str(), "http://127.0.0.1.evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let mut req = admin
                .client
                .post(format!("{}{path}", s.base))
                .header(header::CONTENT_TYPE, content_type)
                .body(plausible_body(endpoint));
            if name == "sec-fetch-site" {
                // A browser that sends no Origin still says where the request came from.
                req = reqwest::Client::new()
                    .post(format!("{}{path}", s.base))
                    .header(header::CONTENT_TYPE, content_type)
                    .body(plausible_body(endpoint));
            }
            let res = req.header(name, value).send().await.unwrap();
            assert_eq!(
                res.status(),
                reqwest::StatusCode::FORBIDDEN,
                "{path} from {name}: {value}"
            );
            refused += 1;
        }
    }
    assert_eq!(s.dump().await, before, "nothing changed");
    assert!(refused >= 4 * 100);
}

// Issue 8, security: every kind of response carries the security headers; pages carry a CSP
// with a fresh nonce, and the session cookie is HttpOnly and SameSite.
#[tokio::test]
async fn security_headers_on_every_kind_of_response() {
    let s = TestServer::start().await;
    let school = s.school("Paulusschule", "paulusschule.example").await;
    let (_, login) = s
        .person(
            school,
            Role::Admin,
            "Ada",
            "Muster",
            None,
            Some(crate::common::SIGNED_IN_PASSWORD),
        )
        .await;
    let admin = s.browser();
    let res = admin.login(&login, crate::common::SIGNED_IN_PASSWORD).await;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite="),
        "{cookie}"
    );
    assert!(
        admin
            .upload("me", 0, "a.txt", b"x".to_vec())
            .await
            .status()
            .is_success()
    );
    let file = s
        .scalar("SELECT id FROM file_nodes WHERE name = 'a.txt'")
        .await;

    let mut paths: Vec<String> = pages()
        .into_iter()
        .map(|p| p.path.replace("{id}", "1"))
        .collect();
    paths.extend(
        [
            "/healthz",
            "/login",
            "/does-not-exist",
            "/account/export.zip",
            "/addressbook/me.vcf",
            "/calendar/feed/unknown.ics",
        ]
        .map(String::from),
    );
    paths.push(format!("/files/download/{file}"));
    paths.push(format!("/files/thumb/{file}"));
    let mut checked = 0;
    for path in paths.iter().filter(|p| !p.contains('{')) {
        let res = admin.get(path).await;
        assert!(!res.status().is_server_error(), "{path}");
        let h = res.headers();
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert_eq!(get("referrer-policy"), "same-origin", "{path}");
        assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{path}");
        let csp = get("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("object-src 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        if get("content-type").starts_with("text/html") {
            assert!(csp.contains("'nonce-"), "{path}");
        }
        checked += 1;
    }
    let api = admin.call("mail/unread", &[]).await;
    assert_eq!(
        api.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert!(checked >= 30, "{checked} kinds of page");
}

// SEC-3: every list field, sent 100,000 distinct tokens, is refused with a 4xx whose error
// names the limit, and nothing changes.
#[tokio::test]
async fn sec_3_lists_of_100000_tokens_are_refused_with_their_limit() {
    let s = TestServer::start().await;
    let browsers = school_with_content(&s, "Paulusschule", "paulusschule.example").await;
    let teacher = &browsers[1];
    let admin = &browsers[2];
    let management = &browsers[3];
    let before = s.dump().await;
    let recipients: String = (0..100_000).map(|i| format!("p{i} ")).collect();
    let endings: String = (0..100_000).map(|i| format!("e{i} ")).collect();
    let pupil = s
        .text("SELECT login FROM users WHERE role = 'pupil' LIMIT 1")
        .await;
    let days: String = (0..100_000)
        .map(|i| format!("{}.{}. ", i % 28 + 1, i % 12 + 1))
        .collect();
    // (caller, endpoint, form, the key that names the limit)
    type ListCase<'a> = (&'a Browser, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [ListCase; 4] = [
        (
            teacher,
            "mail/send",
            vec![
                ("draft", "0"),
                ("forward", "0"),
                ("to", &recipients),
                ("subject", "Hallo"),
                ("body", "Hallo"),
                ("format", "typed"),
            ],
            "MailRecipientsOverLimit",
        ),
        (
            teacher,
            "calendar/create",
            vec![
                ("calendar", "me"),
                ("title", "Schwimmen"),
                ("place", ""),
                ("description", ""),
                ("date", "19.10.2026"),
                ("start", "09:00"),
                ("end", "10:30"),
                ("repeat", "weekly"),
                ("until", ""),
                ("exceptions", &days),
                ("reminder", ""),
            ],
            "CalTooManyExceptions",
        ),
        (
            admin,
            "files/set-blocked-types",
            vec![("list", &endings)],
            "FilesBlockedTooMany",
        ),
        (
            management,
            "mail/open-case",
            vec![
                ("login", &pupil),
                ("reason", "Konkreter Verdacht laut Anzeige"),
                ("reference", "AZ 1"),
                ("readers", &recipients),
                ("until", "2099-01-01"),
            ],
            "MailCaseTooManyReaders",
        ),
    ];
    for (caller, endpoint, form, limit) in cases {
        let res = caller.call(endpoint, &form).await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(status.is_client_error(), "{endpoint}: {status}");
        assert!(body.contains(limit), "{endpoint}: {body}");
    }
    assert_eq!(s.dump().await, before);
}
