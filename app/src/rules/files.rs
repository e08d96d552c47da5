//! FILE-1, FILE-2, FILE-4, FLT-3: what a file may be called, how big a transfer may be, how
//! much a person may store, and which files are programs. The upload form checks these before
//! it sends a byte; the server checks them again and decides.
use unicode_normalization::UnicodeNormalization;

use crate::i18n::Key;

pub const MB: i64 = 1024 * 1024;

/// FILE-2: "umfangreiche Up- und Downloads (>20 MB) … nicht erlaubt", unless a school sets
/// another limit or an administrator grants an exception beforehand.
pub const DEFAULT_TRANSFER_LIMIT: i64 = 20 * MB;

/// FILE-4, issue 18: how full a quota is, in words a child understands ("Fast nichts belegt"),
/// shown above the bar; the numbers follow for grown-ups. A quota of 0 is full.
pub fn fill_words(used: i64, quota: i64) -> Key {
    let percent = if quota > 0 {
        used.max(0).saturating_mul(100) / quota
    } else {
        100
    };
    match percent {
        0..=9 => Key::FilesFillAlmostEmpty,
        10..=39 => Key::FilesFillSome,
        40..=69 => Key::FilesFillHalf,
        70..=99 => Key::FilesFillAlmostFull,
        _ => Key::FilesFillFull,
    }
}

/// Issue 18 §5: pictures that get a small preview in lists (made on the server, each format
/// by its own decoder). Other images, SVG above all, are never decoded or shown: they can
/// carry script.
pub fn has_thumbnail(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// Files a list offers to look at in place: the pictures above and PDFs. Sound and video play
/// from their download link.
pub fn has_preview(content_type: &str) -> bool {
    has_thumbnail(content_type) || content_type == "application/pdf"
}

/// Files that open in the browser instead of downloading: those with a preview, sound and
/// video. Everything else, HTML and SVG included, is a download, so that no uploaded file can
/// run script on our origin.
pub fn opens_in_browser(content_type: &str) -> bool {
    has_preview(content_type)
        || content_type.starts_with("audio/")
        || content_type.starts_with("video/")
}

/// FILE-1, issue 18: what the members of a class or team may do in its folder. Its owners (the
/// teachers) always do everything; the members' part is one of three states, chosen by an owner
/// or the secretariat. Children share a class folder, so by default a child adds files and
/// folders and changes or deletes only their own: nobody's drawing is wrecked by a classmate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MemberRights {
    /// Members read and download; only owners add.
    Read,
    /// Members add, and change or delete what they added themselves. The default, also for
    /// groups that let members write before the three states existed (migration 0013).
    Own,
    /// Members change and delete everything, as owners do.
    All,
}

impl MemberRights {
    pub const ALL: [MemberRights; 3] = [MemberRights::Read, MemberRights::Own, MemberRights::All];
    pub const DEFAULT: MemberRights = MemberRights::Own;

    /// The form in the database and in forms.
    pub fn code(self) -> &'static str {
        match self {
            MemberRights::Read => "read",
            MemberRights::Own => "own",
            MemberRights::All => "all",
        }
    }

    pub fn parse(code: &str) -> Option<MemberRights> {
        MemberRights::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> Key {
        match self {
            MemberRights::Read => Key::FilesMembersRead,
            MemberRights::Own => Key::FilesMembersOwn,
            MemberRights::All => Key::FilesMembersAll,
        }
    }
}

/// FILE-1: where a person stands in a space: their own folder, an owner of a group's folder,
/// or a member under the group's [`MemberRights`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Standing {
    OwnFolder,
    GroupOwner,
    Member(MemberRights),
}

impl Standing {
    /// Add files and folders (uploads, new folders, copies, which belong to whoever makes them).
    pub fn may_add(self) -> bool {
        !matches!(self, Standing::Member(MemberRights::Read))
    }

    /// Rename, move, delete or restore an item. `all_own`: the person added the item and, for a
    /// folder, everything in it; a member may not delete a folder that holds others' items.
    pub fn may_change(self, all_own: bool) -> bool {
        match self {
            Standing::OwnFolder | Standing::GroupOwner | Standing::Member(MemberRights::All) => {
                true
            }
            Standing::Member(MemberRights::Own) => all_own,
            Standing::Member(MemberRights::Read) => false,
        }
    }

    /// Delete from the trash for good, which nobody can undo: in a group folder only its owners,
    /// who restore what a member deleted by mistake.
    pub fn may_purge(self) -> bool {
        matches!(self, Standing::OwnFolder | Standing::GroupOwner)
    }

    /// Choose the members' rights of a group folder: its owners.
    pub fn may_set_member_rights(self) -> bool {
        self == Standing::GroupOwner
    }
}

/// Each file system name is stored as bytes somewhere; 255 is what every file system takes.
pub const MAX_NAME_BYTES: usize = 255;

/// FLT-3: programs and installers, refused by default. Administrators edit the list per school.
pub const DEFAULT_BLOCKED: &[&str] = &[
    "exe", "msi", "bat", "cmd", "com", "scr", "ps1", "vbs", "sh", "apk", "ipa", "dmg", "pkg",
    "jar", "deb", "rpm", "appimage",
];

/// FILE-4: whose default storage quota a person gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuotaClass {
    /// Those who hold `FilesStaffQuota`.
    Staff,
    Pupil,
    /// PAR-1: guardians keep a doctor's note or a signed form, not their family's photos.
    Guardian,
}

/// FILE-4: the storage a person gets unless they have their own quota: 5 GB for staff,
/// 500 MB for pupils, 50 MB for guardians.
pub fn default_quota(class: QuotaClass) -> i64 {
    match class {
        QuotaClass::Staff => 5 * 1024 * MB,
        QuotaClass::Pupil => 500 * MB,
        QuotaClass::Guardian => 50 * MB,
    }
}

/// FILE-1: a name as stored, or why it cannot be one. Names are compared in NFC, so the
/// "ü" typed on a Mac and the one typed on Windows are the same name.
pub fn normalize_name(name: &str) -> Result<String, Key> {
    let name: String = name.trim().nfc().collect();
    if name.is_empty() || name == "." || name == ".." {
        return Err(Key::FilesNameEmpty);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(Key::FilesNameTooLong);
    }
    if name
        .chars()
        .any(|c| matches!(c, '/' | '\\') || c.is_control() || is_bidi_control(c))
    {
        return Err(Key::FilesNameInvalid);
    }
    Ok(name)
}

/// Bidirectional overrides let "gpj.exe" show as "exe.jpg"; a name never needs them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Siblings may not share a name, compared without regard to case.
pub fn name_key(normalized: &str) -> String {
    normalized.to_lowercase()
}

/// The extension of a name, lower case, without the dot.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_lowercase())
}

/// FLT-3 by name: the blocked extension, if the name has one. `list` is the school's list.
pub fn blocked_by_name<S: AsRef<str>>(name: &str, list: &[S]) -> Option<String> {
    let ext = extension(name.trim_end_matches(['.', ' ']))?;
    list.iter().any(|b| b.as_ref() == ext).then_some(ext)
}

/// FLT-3 by content: what kind of program the first bytes of a file are, whatever its name
/// says. Returns the extension the list uses for that kind. Office files share the ZIP and
/// OLE containers with some programs, so those are told apart by what they contain.
pub fn executable_kind(head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if starts(b"MZ") {
        Some("exe")
    } else if starts(b"\x7fELF") {
        Some("appimage")
    } else if starts(b"#!") {
        Some("sh")
    } else if starts(b"!<arch>\ndebian-binary") {
        Some("deb")
    } else if starts(&[0xed, 0xab, 0xee, 0xdb]) {
        Some("rpm")
    } else if starts(&[0xcf, 0xfa, 0xed, 0xfe])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(b"xar!")
    {
        Some("pkg")
    } else if starts(b"PK\x03\x04") {
        if contains(b"AndroidManifest.xml") || contains(b"classes.dex") {
            Some("apk")
        } else if contains(b"Payload/") {
            Some("ipa")
        } else if contains(b"META-INF/MANIFEST.MF") {
            Some("jar")
        } else {
            None
        }
    } else if starts(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
        && contains(&utf16(b"SummaryInformation"))
        && contains(b"Installation Database")
    {
        Some("msi")
    } else {
        None
    }
}

fn utf16(ascii: &[u8]) -> Vec<u8> {
    ascii.iter().flat_map(|&b| [b, 0]).collect()
}

/// How many leading bytes [`executable_kind`] wants to see.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// FLT-1: files whose text is read for blocked links before they are stored.
pub fn is_text_for_filter(name: &str) -> bool {
    matches!(
        extension(name).as_deref(),
        Some("txt" | "html" | "htm" | "url" | "webloc" | "md" | "csv")
    )
}

/// FILE-2: a transfer of `size` bytes against the limit that applies to the person.
pub fn check_transfer(size: i64, limit: i64) -> Result<(), Key> {
    if size > limit {
        Err(Key::FilesTooLarge)
    } else {
        Ok(())
    }
}

/// FILE-4: whether `size` more bytes fit into what is left of the quota.
pub fn check_quota(size: i64, used: i64, quota: i64) -> Result<(), Key> {
    if used.saturating_add(size) > quota {
        Err(Key::FilesQuotaFull)
    } else {
        Ok(())
    }
}

/// Sizes as people read them: "512 B", "3,4 MB", "1,2 GB" (German decimal comma). Integer
/// arithmetic only: formatting floats would add tens of kilobytes to the browser's code.
pub fn format_bytes(bytes: i64, german: bool) -> String {
    let bytes = bytes.max(0);
    let (unit_size, unit) = if bytes < 1024 {
        return format!("{bytes} B");
    } else if bytes < MB {
        (1024, "KB")
    } else if bytes < 1024 * MB {
        (MB, "MB")
    } else {
        (1024 * MB, "GB")
    };
    // Tenths, rounded half up.
    let tenths = (bytes * 10 + unit_size / 2) / unit_size;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    if whole >= 100 || tenth == 0 {
        let rounded = (bytes + unit_size / 2) / unit_size;
        format!("{rounded} {unit}")
    } else {
        format!("{whole}{}{tenth} {unit}", if german { ',' } else { '.' })
    }
}

/// A share as a whole percentage, 0 to 100.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        100
    } else {
        (part.clamp(0, whole) * 100) / whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // FILE-1, issue 18: a member never purges, and under the default changes only their own;
    // owners change everything; the codes round-trip.
    #[test]
    fn file_1_member_rights_table() {
        use MemberRights::*;
        for rights in MemberRights::ALL {
            assert_eq!(MemberRights::parse(rights.code()), Some(rights));
            assert!(!Standing::Member(rights).may_purge());
            assert!(!Standing::Member(rights).may_set_member_rights());
        }
        assert_eq!(MemberRights::parse("write"), None);
        assert!(Standing::Member(Own).may_change(true) && !Standing::Member(Own).may_change(false));
        assert!(!Standing::Member(Read).may_add() && !Standing::Member(Read).may_change(true));
        assert!(Standing::Member(All).may_change(false));
        assert!(Standing::GroupOwner.may_change(false) && Standing::GroupOwner.may_purge());
        assert!(Standing::OwnFolder.may_purge() && Standing::OwnFolder.may_add());
        assert_eq!(MemberRights::DEFAULT, Own);
    }

    #[test]
    fn file_1_names_are_normalised_and_odd_names_refused() {
        assert_eq!(
            normalize_name("  Arbeitsblatt.pdf ").unwrap(),
            "Arbeitsblatt.pdf"
        );
        // "ü" as u + combining diaeresis becomes one character.
        assert_eq!(normalize_name("Mu\u{308}ll.txt").unwrap(), "M\u{fc}ll.txt");
        assert_eq!(normalize_name(".."), Err(Key::FilesNameEmpty));
        assert_eq!(normalize_name("."), Err(Key::FilesNameEmpty));
        assert_eq!(normalize_name(""), Err(Key::FilesNameEmpty));
        assert_eq!(normalize_name("../etc/passwd"), Err(Key::FilesNameInvalid));
        assert_eq!(normalize_name("a\\b"), Err(Key::FilesNameInvalid));
        assert_eq!(normalize_name("a\0b"), Err(Key::FilesNameInvalid));
        assert_eq!(
            normalize_name("foto\u{202e}gpj.exe"),
            Err(Key::FilesNameInvalid)
        );
        assert_eq!(normalize_name(&"a".repeat(300)), Err(Key::FilesNameTooLong));
        assert!(normalize_name(&"ä".repeat(127)).is_ok());
        assert_eq!(normalize_name(&"ä".repeat(128)), Err(Key::FilesNameTooLong));
        assert_eq!(normalize_name("🦊 Fuchs.png").unwrap(), "🦊 Fuchs.png");
        assert_eq!(name_key("Brief.PDF"), name_key("brief.pdf"));
    }

    #[test]
    fn flt_3_programs_are_known_by_name_and_by_content() {
        assert_eq!(
            blocked_by_name("setup.EXE", DEFAULT_BLOCKED),
            Some("exe".into())
        );
        assert_eq!(
            blocked_by_name("spiel.exe. ", DEFAULT_BLOCKED),
            Some("exe".into())
        );
        assert_eq!(
            blocked_by_name("Tool.AppImage", DEFAULT_BLOCKED),
            Some("appimage".into())
        );
        assert_eq!(blocked_by_name("bild.png", DEFAULT_BLOCKED), None);
        assert_eq!(blocked_by_name("exe", DEFAULT_BLOCKED), None);
        assert_eq!(executable_kind(b"MZ\x90\x00rest"), Some("exe"));
        assert_eq!(executable_kind(b"\x7fELF\x02\x01"), Some("appimage"));
        assert_eq!(executable_kind(b"#!/bin/sh\nrm -rf /"), Some("sh"));
        assert_eq!(
            executable_kind(b"PK\x03\x04....AndroidManifest.xml"),
            Some("apk")
        );
        assert_eq!(
            executable_kind(b"PK\x03\x04....META-INF/MANIFEST.MF"),
            Some("jar")
        );
        // A Word document is a ZIP too, and is not a program.
        assert_eq!(executable_kind(b"PK\x03\x04....word/document.xml"), None);
        assert_eq!(executable_kind(b"%PDF-1.7"), None);
        assert_eq!(executable_kind(b"\x89PNG\r\n"), None);
    }

    #[test]
    fn file_2_and_file_4_limits() {
        assert!(check_transfer(DEFAULT_TRANSFER_LIMIT, DEFAULT_TRANSFER_LIMIT).is_ok());
        assert_eq!(
            check_transfer(DEFAULT_TRANSFER_LIMIT + 1, DEFAULT_TRANSFER_LIMIT),
            Err(Key::FilesTooLarge)
        );
        assert!(check_quota(10, 490 * MB, default_quota(QuotaClass::Pupil)).is_ok());
        assert_eq!(
            check_quota(11 * MB, 490 * MB, default_quota(QuotaClass::Pupil)),
            Err(Key::FilesQuotaFull)
        );
        assert_eq!(format_bytes(20 * MB, true), "20 MB");
        assert_eq!(format_bytes(3 * MB + MB / 2, true), "3,5 MB");
        assert_eq!(format_bytes(3 * MB + MB / 2, false), "3.5 MB");
        assert_eq!(format_bytes(900, false), "900 B");
        assert_eq!(format_bytes(1536, true), "1,5 KB");
        assert_eq!(format_bytes(5 * 1024 * MB, true), "5 GB");
        assert_eq!(format_bytes(150 * MB + MB / 3, true), "150 MB");
        assert_eq!(
            (percent(1, 3), percent(5, 0), percent(7, 5)),
            (33, 100, 100)
        );
    }

    // FILE-4, issue 18: the quota in words, at the edges of each band.
    #[test]
    fn file_4_quota_in_words() {
        assert_eq!(fill_words(0, 500 * MB), Key::FilesFillAlmostEmpty);
        assert_eq!(fill_words(49 * MB, 500 * MB), Key::FilesFillAlmostEmpty);
        assert_eq!(fill_words(50 * MB, 500 * MB), Key::FilesFillSome);
        assert_eq!(fill_words(250 * MB, 500 * MB), Key::FilesFillHalf);
        assert_eq!(fill_words(499 * MB, 500 * MB), Key::FilesFillAlmostFull);
        assert_eq!(fill_words(500 * MB, 500 * MB), Key::FilesFillFull);
        assert_eq!(fill_words(1, 0), Key::FilesFillFull);
    }
}
