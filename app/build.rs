//! Turns the translation files into a `Key` enum and one lookup table per language.
//! A key that is missing from any language fails the build, so English can never fall
//! behind German unnoticed.
use std::{collections::BTreeMap, env, fs, path::Path};

const LANGUAGES: [&str; 2] = ["de", "en"];

fn parse(lang: &str) -> BTreeMap<String, String> {
    let path = format!("locales/{lang}.txt");
    println!("cargo:rerun-if-changed={path}");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut map = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(" = ")
            .unwrap_or_else(|| panic!("{path}:{}: expected `key = text`", number + 1));
        if map
            .insert(key.trim().to_string(), value.trim().to_string())
            .is_some()
        {
            panic!("{path}:{}: key `{key}` is defined twice", number + 1);
        }
    }
    map
}

fn variant(key: &str) -> String {
    key.split(['_', '.'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn main() {
    let tables: Vec<_> = LANGUAGES.iter().map(|l| parse(l)).collect();
    let keys: Vec<&String> = tables[0].keys().collect();
    for (lang, table) in LANGUAGES.iter().zip(&tables).skip(1) {
        let theirs: Vec<&String> = table.keys().collect();
        if theirs != keys {
            let missing: Vec<_> = keys.iter().filter(|k| !table.contains_key(**k)).collect();
            let extra: Vec<_> = theirs
                .iter()
                .filter(|k| !tables[0].contains_key(**k))
                .collect();
            panic!("locales/{lang}.txt differs from de.txt: missing {missing:?}, extra {extra:?}");
        }
    }
    // Serde and Debug come from one table of names rather than derives: derived code grows
    // with every key in three places, and all of it ships in the browser's WASM.
    let mut out = String::from(
        "/// Every user-visible text, by its key in `app/locales/*.txt`.\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash)]\n\
         pub enum Key {\n",
    );
    for key in &keys {
        out += &format!("    {},\n", variant(key));
    }
    out += "}\n\nimpl Key {\n    pub const ALL: &'static [Key] = &[";
    for key in &keys {
        out += &format!("Key::{}, ", variant(key));
    }
    out += "];\n\n    /// The names as they cross the wire, in the order of `ALL`.\n    const NAMES: &'static [&'static str] = &[";
    for key in &keys {
        out += &format!("{:?}, ", variant(key));
    }
    out += "];\n}\n\n";
    for (lang, table) in LANGUAGES.iter().zip(&tables) {
        out += &format!("fn text_{lang}(key: Key) -> &'static str {{\n    match key {{\n");
        for (key, value) in table {
            out += &format!("        Key::{} => {:?},\n", variant(key), value);
        }
        out += "    }\n}\n\n";
    }
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("i18n_keys.rs");
    fs::write(dest, out).unwrap();
}
