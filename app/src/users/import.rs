//! ACC-4: class lists as school office software exports them. `;` or `,`, UTF-8 or
//! Windows-1252, a header row naming the columns. First a preview, then one atomic apply.
use std::collections::{HashMap, HashSet};

use super::store::ExistingPupil;
use super::{Change, ImportEntry, ImportLineError, ImportReport, ImportRow};
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::AppState;
use crate::rules;

/// A class list larger than this is not a class list.
pub const MAX_BYTES: usize = 1024 * 1024;
pub const MAX_ROWS: usize = 10_000;
/// Issue 18 §6: school office programs use numbers or short codes; anything longer is not an ID.
pub const MAX_ID_CHARS: usize = 50;

/// Text from the bytes of an uploaded file: UTF-8 (with or without BOM), else Windows-1252.
/// `None` for files that are neither, such as UTF-16 with its NUL bytes.
pub fn decode(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_string()),
        Err(_) => Some(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        ),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    First,
    Last,
    Class,
    Leaving,
    Id,
    Birth,
}

fn column(header: &str) -> Option<Column> {
    let name: String = header
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    match name.as_str() {
        "vorname" | "firstname" | "rufname" => Some(Column::First),
        "nachname" | "lastname" | "familienname" | "name" => Some(Column::Last),
        "klasse" | "class" | "lerngruppe" => Some(Column::Class),
        "austrittsdatum" | "austritt" | "abgangsdatum" | "abgang" | "leavingdate" | "leaving" => {
            Some(Column::Leaving)
        }
        "id" | "schülerid" | "schuelerid" | "schülernummer" | "schuelernummer" | "schülernr"
        | "schuelernr" | "pupilid" | "studentid" => Some(Column::Id),
        "geburtsdatum" | "geboren" | "geburtstag" | "birthdate" | "dateofbirth" | "born" => {
            Some(Column::Birth)
        }
        _ => None,
    }
}

fn line_error(line: u64, message: Key, text: &str) -> ImportLineError {
    ImportLineError {
        line,
        message,
        text: text.chars().take(200).collect(),
        earlier: None,
    }
}

/// Issue 18 §6: what makes a line the same child as an earlier one. With an ID column the ID
/// alone (two Emma Müllers in 2b with two IDs are two children); without, the name, the class
/// and the birth date if the file has one.
#[derive(PartialEq, Eq, Hash)]
enum Identity {
    Id(String),
    Name(String, String, String, Option<String>),
}

/// Parses a class list into rows and per-line errors (line numbers as a spreadsheet shows them).
pub fn parse(text: &str) -> (Vec<ImportRow>, Vec<ImportLineError>) {
    // The csv reader counts a CRLF-ended record's start one line early; plain LF counts right.
    let text = &text.replace("\r\n", "\n").replace('\r', "\n");
    let Some(header_line) = text.lines().find(|l| !l.trim().is_empty()) else {
        return (Vec::new(), vec![line_error(1, Key::ImportEmpty, "")]);
    };
    let separator = if header_line.matches(';').count() >= header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut columns: Vec<Option<Column>> = Vec::new();
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let mut seen: HashMap<Identity, u64> = HashMap::new();
    let mut header_seen = false;
    for record in reader.records() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(0, |p| p.line());
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(line_error(
                    e.position().map_or(0, |p| p.line()),
                    Key::ImportUnreadable,
                    "",
                ));
                continue;
            }
        };
        let raw = record
            .iter()
            .collect::<Vec<_>>()
            .join(&(separator as char).to_string());
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            columns = record.iter().map(column).collect();
            let has = |c| columns.contains(&Some(c));
            if !(has(Column::First) && has(Column::Last) && has(Column::Class)) {
                errors.push(line_error(line, Key::ImportMissingColumns, &raw));
                return (Vec::new(), errors);
            }
            continue;
        }
        if rows.len() + errors.len() >= MAX_ROWS {
            errors.push(line_error(line, Key::ImportTooManyRows, ""));
            break;
        }
        let field = |wanted: Column| -> String {
            columns
                .iter()
                .position(|c| *c == Some(wanted))
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let (first, last, class, leaving) = (
            field(Column::First),
            field(Column::Last),
            field(Column::Class),
            field(Column::Leaving),
        );
        let (import_id, birth) = (field(Column::Id), field(Column::Birth));
        let problem = if !rules::login::valid_name(&first) || !rules::login::valid_name(&last) {
            Some(Key::ImportNameMissing)
        } else if rules::login::base_login(&first, &last).is_none() {
            Some(Key::UsersNameUnwritable)
        } else if rules::class::parse(&class).is_none() {
            Some(Key::UsersClassInvalid)
        } else if !leaving.is_empty() && rules::date::parse(&leaving).is_none() {
            Some(Key::ImportDateInvalid)
        } else if !birth.is_empty() && rules::date::parse(&birth).is_none() {
            Some(Key::ImportBirthInvalid)
        } else if import_id.chars().count() > MAX_ID_CHARS
            || import_id.chars().any(char::is_control)
        {
            Some(Key::ImportIdInvalid)
        } else {
            None
        };
        if let Some(message) = problem {
            errors.push(line_error(line, message, &raw));
            continue;
        }
        let class = rules::class::parse(&class)
            .map(|(name, _)| name)
            .unwrap_or_default();
        let birth_date = rules::date::parse(&birth);
        let identity = if import_id.is_empty() {
            Identity::Name(
                first.to_lowercase(),
                last.to_lowercase(),
                class.clone(),
                birth_date.clone(),
            )
        } else {
            Identity::Id(import_id.clone())
        };
        if let Some(earlier) = seen.get(&identity) {
            errors.push(ImportLineError {
                earlier: Some(*earlier),
                ..line_error(line, Key::ImportDuplicate, &raw)
            });
            continue;
        }
        seen.insert(identity, line);
        rows.push(ImportRow {
            line,
            first_name: first,
            last_name: last,
            class,
            leaving_date: rules::date::parse(&leaving),
            import_id: (!import_id.is_empty()).then_some(import_id),
            birth_date,
        });
    }
    if !header_seen {
        errors.push(line_error(1, Key::ImportEmpty, ""));
    }
    (rows, errors)
}

/// Keeps an upload for preview and apply. Refuses what is too big or not text.
pub async fn store_upload(
    state: &AppState,
    user_id: i64,
    school: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::new(ErrorKind::BadInput, Key::ImportTooLarge));
    }
    let text =
        decode(bytes).ok_or_else(|| AppError::new(ErrorKind::BadInput, Key::ImportEncoding))?;
    // The name is only shown back; a name no file system allows is refused, not cut.
    if file_name.len() > 255 {
        return Err(AppError::field("file_name", Key::FilesNameTooLong));
    }
    let file_name: String = file_name.chars().filter(|c| !c.is_control()).collect();
    Ok(state
        .user_admin()
        .save_import(school, user_id, &file_name, &text)
        .await?)
}

/// What the stored import would do to the school's pupils.
pub async fn preview(state: &AppState, school: i64, id: i64) -> Result<ImportReport, AppError> {
    let stored = state
        .user_admin()
        .load_import(school, id)
        .await?
        .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
    let (rows, errors) = parse(&stored.content);
    let existing = state.user_admin().school_pupils(school).await?;
    let mut entries: Vec<ImportEntry> = rows
        .into_iter()
        .map(|row| {
            let found = matching_pupil(&existing, &row);
            let change = match found {
                None => Change::New,
                Some(p) if is_unchanged(p, &row) => Change::Unchanged,
                Some(_) => Change::Changed,
            };
            ImportEntry {
                row,
                change,
                user_id: found.map(|p| p.id),
                login: None,
            }
        })
        .collect();
    forecast_logins(state, &mut entries).await?;
    Ok(ImportReport {
        id,
        file_name: stored.file_name,
        entries,
        errors,
        applied: stored.applied_at.is_some(),
        outcome: stored
            .outcome
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()),
    })
}

/// The pupil a line is about. By ID when the line has one and a pupil carries it; otherwise
/// by name among those without another ID, preferring the namesake in the same class, and
/// never one whose known birth date differs from the line's.
fn matching_pupil<'a>(existing: &'a [ExistingPupil], row: &ImportRow) -> Option<&'a ExistingPupil> {
    if let Some(id) = &row.import_id
        && let Some(p) = existing.iter().find(|p| p.import_id.as_ref() == Some(id))
    {
        return Some(p);
    }
    let candidate = |p: &&ExistingPupil| {
        p.first_name.to_lowercase() == row.first_name.to_lowercase()
            && p.last_name.to_lowercase() == row.last_name.to_lowercase()
            && (row.import_id.is_none() || p.import_id.is_none())
            && !matches!((&p.birth_date, &row.birth_date), (Some(a), Some(b)) if a != b)
    };
    existing
        .iter()
        .filter(candidate)
        .find(|p| p.class.as_deref() == Some(row.class.as_str()))
        .or_else(|| existing.iter().find(candidate))
}

/// Unchanged: same name, same class, and no new leaving date. An ID or birth date the person
/// lacks is written quietly on apply; it changes nothing anybody sees.
fn is_unchanged(p: &ExistingPupil, row: &ImportRow) -> bool {
    p.first_name == row.first_name
        && p.last_name == row.last_name
        && p.class.as_deref() == Some(row.class.as_str())
        && (row.leaving_date.is_none() || p.leaving_date == row.leaving_date)
}

/// Issue 18 §6: the login each new person will get, as `insert_person` will choose it: the
/// first of `base`, `base2`, … that nobody in the deployment has and no earlier line takes.
async fn forecast_logins(state: &AppState, entries: &mut [ImportEntry]) -> Result<(), AppError> {
    let bases: Vec<String> = entries
        .iter()
        .filter(|e| e.change == Change::New)
        .filter_map(|e| rules::login::base_login(&e.row.first_name, &e.row.last_name))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut taken = state.user_admin().logins_starting(&bases).await?;
    for entry in entries.iter_mut().filter(|e| e.change == Change::New) {
        let Some(base) = rules::login::base_login(&entry.row.first_name, &entry.row.last_name)
        else {
            continue;
        };
        let login = (1..)
            .map(|n| rules::login::numbered(&base, n))
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or(base);
        taken.insert(login.clone());
        entry.login = Some(login);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc_4_reads_semicolons_and_windows_1252() {
        let bytes = b"Vorname;Nachname;Klasse;Austrittsdatum\r\nJ\xfcrgen;Wei\xdf;2b;\r\nMia;Schulz;4A;31.07.2027\r\n";
        let text = decode(bytes).unwrap();
        let (rows, errors) = parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].first_name.as_str(), rows[0].last_name.as_str()),
            ("Jürgen", "Weiß")
        );
        assert_eq!(
            (
                rows[1].class.as_str(),
                rows[1].leaving_date.as_deref(),
                rows[1].line
            ),
            ("4a", Some("2027-07-31"), 3)
        );
    }

    #[test]
    fn acc_4_reads_commas_quotes_and_a_bom() {
        let text =
            decode("\u{feff}Klasse,Nachname,Vorname\n1a,\"Groß, Öztürk\",Anna Lena\n".as_bytes())
                .unwrap();
        let (rows, errors) = parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].last_name, "Groß, Öztürk");
        assert_eq!(rows[0].first_name, "Anna Lena");
    }

    #[test]
    fn acc_4_every_bad_line_is_named() {
        let text = "Vorname;Nachname;Klasse;Austritt\nMia;Schulz;2b;\n;Berg;2b;\nTom;Berg;9z;\nTom;Berg;2b;30.02.2027\nMia;Schulz;2B;\n😀;🎉;2b;\n";
        let (rows, errors) = parse(text);
        assert_eq!(rows.len(), 1);
        let found: Vec<(u64, Key)> = errors.iter().map(|e| (e.line, e.message)).collect();
        assert_eq!(
            found,
            vec![
                (3, Key::ImportNameMissing),
                (4, Key::UsersClassInvalid),
                (5, Key::ImportDateInvalid),
                (6, Key::ImportDuplicate),
                (7, Key::UsersNameUnwritable)
            ]
        );
    }

    #[test]
    fn acc_4_namesakes_are_told_apart_by_id_or_birth_date() {
        let long_id = "9".repeat(MAX_ID_CHARS + 1);
        let text = format!(
            "Schüler-ID;Vorname;Nachname;Klasse;Geburtsdatum\n\
             17;Emma;Müller;2b;03.04.2018\n18;Emma;Müller;2b;\n17;Emma;Müller;2b;\n\
             19;Ben;Kraus;1a;31.02.2019\n{long_id};Ben;Kraus;1a;\n"
        );
        let (rows, errors) = parse(&text);
        let ids: Vec<Option<&str>> = rows.iter().map(|r| r.import_id.as_deref()).collect();
        assert_eq!(ids, vec![Some("17"), Some("18")]);
        assert_eq!(rows[0].birth_date.as_deref(), Some("2018-04-03"));
        let found: Vec<(u64, Key, Option<u64>)> = errors
            .iter()
            .map(|e| (e.line, e.message, e.earlier))
            .collect();
        assert_eq!(
            found,
            vec![
                (4, Key::ImportDuplicate, Some(2)),
                (5, Key::ImportBirthInvalid, None),
                (6, Key::ImportIdInvalid, None)
            ]
        );
        // Without IDs: the same name in one class is one child twice, unless birth dates differ.
        let (rows, errors) = parse(
            "Vorname;Nachname;Klasse;Geboren\nBen;Kraus;1a;01.02.2019\nBen;Kraus;1a;05.06.2019\n\
             Ben;Kraus;1a;01.02.2019\nBen;Kraus;1b;\n",
        );
        assert_eq!(rows.len(), 3);
        assert_eq!((errors[0].line, errors[0].earlier), (4, Some(2)));
    }

    #[test]
    fn acc_4_broken_files_get_clear_errors() {
        assert_eq!(parse("").1[0].message, Key::ImportEmpty);
        assert_eq!(parse("\n \n").1[0].message, Key::ImportEmpty);
        assert_eq!(
            parse("Name;Geburtstag\nMia;1.1.2019\n").1[0].message,
            Key::ImportMissingColumns
        );
        assert_eq!(decode(b"\xff\xfeV\x00o\x00"), None, "UTF-16 is refused");
        let mut big = String::from("Vorname;Nachname;Klasse\n");
        for i in 0..10_050 {
            big.push_str(&format!("Kind{i};Klasse;3a\n"));
        }
        let started = std::time::Instant::now();
        let (rows, errors) = parse(&big);
        assert_eq!(rows.len(), MAX_ROWS);
        assert_eq!(
            errors.last().map(|e| e.message),
            Some(Key::ImportTooManyRows)
        );
        assert!(started.elapsed().as_secs() < 2);
    }
}
