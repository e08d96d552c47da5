//! ZIP archives written while they are sent: a folder download and "download all my data"
//! (FILE-3) never build the archive in memory or on disk. Entries are stored, not
//! compressed: school files are photos and PDFs, which are compressed already.
use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::platform::blob::Blobs;

/// One entry of an archive: a blob from the store, or text made for the archive.
pub enum Entry {
    Blob {
        path: String,
        key: String,
        size: i64,
    },
    Text {
        path: String,
        content: String,
    },
}

/// How much of the archive waits in memory before it is handed to the connection.
const BUFFER: usize = 64 * 1024;

struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(BUFFER)));
        // The receiver is gone when the client hung up: stop writing.
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BUFFER {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

fn write_all(
    blobs: &Blobs,
    handle: &tokio::runtime::Handle,
    writer: ChannelWriter,
    entries: Vec<Entry>,
) -> Result<(), String> {
    let mut zip = ZipWriter::new_stream(writer);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut taken = std::collections::HashSet::new();
    for entry in entries {
        match entry {
            Entry::Text { path, content } => {
                let path = unique_path(path, &mut taken);
                zip.start_file(path, stored).map_err(|e| e.to_string())?;
                zip.write_all(content.as_bytes())
                    .map_err(|e| e.to_string())?;
            }
            Entry::Blob { path, key, size } => {
                let path = unique_path(path, &mut taken);
                let options = stored.large_file(size >= u32::MAX as i64);
                zip.start_file(path, options).map_err(|e| e.to_string())?;
                let mut stream = handle.block_on(blobs.read(&key, None))?;
                while let Some(chunk) = handle.block_on(stream.next()) {
                    zip.write_all(&chunk.map_err(|e| e.to_string())?)
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    let mut writer = zip.finish().map_err(|e| e.to_string())?.into_inner();
    writer.flush().map_err(|e| e.to_string())
}

/// SEC-7: `path`, or the first of `path (2)`, `path (3)`, … (before the extension) that no
/// earlier entry took. Two entries of one name (the same attachment in two messages, two
/// files whose names differ only in case) would otherwise make the writer fail midway.
fn unique_path(path: String, taken: &mut std::collections::HashSet<String>) -> String {
    if taken.insert(path.to_lowercase()) {
        return path;
    }
    let (dir, name) = path
        .rsplit_once('/')
        .map_or(("", path.as_str()), |(d, n)| (d, n));
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    (2..)
        .map(|n| format!("{prefix}{stem} ({n}){ext}"))
        .find(|candidate| taken.insert(candidate.to_lowercase()))
        .expect("an unused number exists")
}

/// The archive as a response body. A failure midway ends the body early, which the
/// browser reports as a failed download rather than a damaged file that looks whole.
pub fn body(blobs: Arc<Blobs>, entries: Vec<Entry>) -> axum::body::Body {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let writer = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(BUFFER),
        };
        if let Err(e) = write_all(&blobs, &handle, writer, entries) {
            tracing::warn!(error = %e, "archive ended early");
            let _ = tx.blocking_send(Err(std::io::Error::other("archive ended early")));
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    axum::body::Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::unique_path;

    // SEC-7: the same name twice in one archive gets a number instead of failing the archive.
    #[test]
    fn sec_7_archive_names_are_unique() {
        let mut taken = std::collections::HashSet::new();
        let mut add = |p: &str| unique_path(p.to_string(), &mut taken);
        assert_eq!(add("Mail/Brief/Blatt.pdf"), "Mail/Brief/Blatt.pdf");
        assert_eq!(add("Mail/Brief/Blatt.pdf"), "Mail/Brief/Blatt (2).pdf");
        assert_eq!(add("Mail/Brief/blatt.PDF"), "Mail/Brief/blatt (3).PDF");
        assert_eq!(add("README"), "README");
        assert_eq!(add("README"), "README (2)");
        assert_eq!(add(".hidden"), ".hidden");
        assert_eq!(add(".hidden"), ".hidden (2)");
    }
}
