//! The composition root: the one place that knows every feature's store. It opens the
//! database, anchors the audit log, and registers each feature's store trait so that the
//! feature can reach it through its own accessor (`state.mailbox()`). Nothing below this file
//! names it: `platform` and `rules` name no feature, and features never name `crate::state`
//! (checked by `layers_point_one_way` below).
use std::sync::Arc;

use crate::platform::{
    AppState,
    blob::Blobs,
    config::Config,
    db::{Health, Opened},
    secret::Secret,
    stores::Stores,
};
use crate::{
    absences::store::AbsenceStore,
    account::store::SessionListStore,
    addressbook::store::AddressBookStore,
    audit::AuditStore,
    auth::{store::AccountStore, throttle::ThrottleStore},
    calendar::store::CalendarStore,
    files::store::FileStore,
    filter::store::LinkFilterStore,
    groups::store::GroupStore,
    guardians::store::GuardianStore,
    lifecycle::store::LifecycleStore,
    logs::store::LogStore,
    mail::store::{ComposeStore, MailCaseStore, MailSettingsStore, MailboxStore},
    policy::store::PolicyStore,
    schools::store::{SchoolSettingsStore, SchoolStore, SchoolSummaryStore},
    users::{rights_report::RightsReportStore, store::UserAdminStore},
    web::kept::KeptFormStore,
};

/// Declares [`Store`] (every feature's trait, which both backends implement and the console
/// and the tests may use whole) and registers each trait of it, from one list.
macro_rules! every_store {
    ($($feature:ident),* $(,)?) => {
        pub trait Store: Health $(+ $feature)* + 'static {}

        impl<T: Health $(+ $feature)* + 'static> Store for T {}

        /// Each feature's trait, pointing at the one store.
        fn register(store: Arc<dyn Store>) -> Stores {
            let mut stores = Stores::default();
            stores.register::<dyn Health>(store.clone());
            $(stores.register::<dyn $feature>(store.clone());)*
            stores.register::<dyn Store>(store);
            stores
        }
    };
}

every_store!(
    AccountStore,
    SchoolStore,
    AuditStore,
    ThrottleStore,
    SessionListStore,
    UserAdminStore,
    RightsReportStore,
    PolicyStore,
    SchoolSummaryStore,
    GroupStore,
    GuardianStore,
    FileStore,
    LinkFilterStore,
    LogStore,
    LifecycleStore,
    SchoolSettingsStore,
    MailboxStore,
    ComposeStore,
    MailCaseStore,
    MailSettingsStore,
    AddressBookStore,
    CalendarStore,
    KeptFormStore,
    AbsenceStore,
);

/// Opens the database named by `url`, migrating it, and anchors its audit log.
pub async fn connect(url: &str, audit_key: Secret) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match crate::platform::db::open(url, audit_key).await? {
        Opened::Sqlite(store) => Arc::new(store),
        Opened::Postgres(store) => Arc::new(store),
    };
    // SEC-5: the first start after an upgrade anchors the audit log that is already there.
    match store.anchor_audit().await {
        Ok(Some(line)) => tracing::info!("{line}"),
        Ok(None) => {}
        Err(e) => return Err(anyhow::Error::new(e).context("cannot anchor the audit log")),
    }
    // Issue 18: people from before migration 0011 get their search and sort keys.
    match store.fill_name_keys().await {
        Ok(0) => {}
        Ok(n) => tracing::info!("wrote the search and sort keys of {n} people"),
        Err(e) => {
            return Err(anyhow::Error::new(e).context("cannot write the people's search keys"));
        }
    }
    Ok(store)
}

/// The shared state of a running server: the database, the blob store and the settings.
pub async fn build(
    config: Config,
    leptos: leptos::config::LeptosOptions,
) -> anyhow::Result<AppState> {
    use anyhow::Context;
    let store = connect(&config.database_url, config.secret_key.clone()).await?;
    let blobs = Arc::new(
        Blobs::open(&config.store_url)
            .map_err(anyhow::Error::msg)
            .context("cannot open the file store (SCHULHOF_STORE)")?,
    );
    Ok(AppState {
        config: Arc::new(config),
        stores: Arc::new(register(store)),
        blobs,
        leptos,
        refusals: Arc::default(),
    })
}

/// The whole store, for the console and the tests.
pub fn store(state: &AppState) -> Arc<dyn Store> {
    state.stores.arc::<dyn Store>().clone()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The layers from the bottom up, with what each may name besides itself: a file may name
    /// only its own layer and those below it. Features (every other folder) may name anything
    /// but this root.
    const LAYERS: &[(&str, &[&str])] = &[
        ("error", &["i18n"]),
        ("i18n", &[]),
        ("rules", &["error", "i18n"]),
        ("components", &["error", "i18n"]),
        ("platform", &["error", "i18n", "rules"]),
        ("audit", &["error", "i18n", "rules", "platform"]),
        (
            "auth",
            &["error", "i18n", "rules", "components", "platform", "audit"],
        ),
        (
            "web",
            &[
                "error",
                "i18n",
                "rules",
                "components",
                "platform",
                "audit",
                "auth",
            ],
        ),
    ];

    /// The top-level modules a source text names as `crate::<name>`, also inside
    /// `use crate::{a::…, b::…}` groups, with comments left out.
    fn named_modules(source: &str) -> BTreeSet<String> {
        let code = without_comments(source);
        let mut names = BTreeSet::new();
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // The group's top-level items, up to its closing brace.
                let mut depth = 0;
                let mut item_start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            rest = &group[i..];
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if item_start && (c.is_alphabetic() || c == '_') => {
                            let name: String = group[i..]
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect();
                            names.insert(name);
                            item_start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
        names
    }

    fn without_comments(source: &str) -> String {
        source
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    // Issue 17: the layers point one way. `platform` and `rules` name no feature, `audit`
    // names nothing above `platform`, `auth` nothing above `audit`, and no feature names
    // this composition root, so the import graph has no cycle through them.
    #[test]
    fn layers_point_one_way() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&root).unwrap();
            let top = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            let source = std::fs::read_to_string(file).unwrap();
            let named = named_modules(&source);
            // Plain routes share the `web` toolkit, never another feature's routes.
            let code = without_comments(&source);
            for name in &named {
                if *name != top && code.contains(&format!("crate::{name}::http")) {
                    wrong.push(format!("{} names crate::{name}::http", relative.display()));
                }
            }
            match LAYERS.iter().find(|(layer, _)| *layer == top) {
                Some((layer, below)) => {
                    for name in &named {
                        if name != layer && !below.contains(&name.as_str()) {
                            wrong.push(format!("{} names crate::{name}", relative.display()));
                        }
                    }
                }
                None if top != "state" && top != "lib" && named.contains("state") => {
                    wrong.push(format!("{} names crate::state", relative.display()));
                }
                None => {}
            }
        }
        assert!(files.len() > 50, "the sources were not found");
        assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
    }

    // The check itself sees grouped imports and ignores comments.
    #[test]
    fn named_modules_reads_groups() {
        let names = named_modules(
            "// crate::mail in a comment\nuse crate::{audit::{A, B}, auth::X};\nlet x = crate::files::f();",
        );
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["audit", "auth", "files"]
        );
    }
}
