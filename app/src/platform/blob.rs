//! The blob store: file contents under names the server made up, on the local disk by
//! default or in an S3-compatible object store when several app servers share the files.
//!
//! A blob is complete before any row points to it: on disk it is written under `tmp/`,
//! synced, and renamed into place; in S3 a multipart upload becomes visible only when it
//! completes. Blobs that no row references are collected by [`Blobs::collect_garbage`].
use std::{ops::Range, path::PathBuf, sync::Arc};

use bytes::Bytes;
use futures::{StreamExt, stream::BoxStream};
use object_store::{
    GetOptions, GetRange, ObjectStore, WriteMultipart, aws::AmazonS3Builder,
    local::LocalFileSystem, path::Path,
};

/// Blobs younger than this may belong to an upload whose row is about to be committed.
pub const GARBAGE_MIN_AGE_SECS: i64 = 3600;

pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Set for the local disk, where writes go through a synced temporary file.
    local_root: Option<PathBuf>,
}

/// Reads and writes on disk go in pieces this large: each one is a trip to the blocking
/// thread pool, and 8 KiB trips would cost more than the copying.
const DISK_BUFFER: usize = 256 * 1024;

pub enum BlobWriter {
    Local(LocalWriter),
    Remote(WriteMultipart),
}

/// Writes the chunks as they arrive from the network, without copying them into a buffer of
/// its own: they are collected until [`DISK_BUFFER`] bytes are waiting, and written on the
/// blocking pool while the next ones arrive. The disk starts on each piece at once (see
/// [`start_writeback`]), so the sync at the end finds little left to do.
pub struct LocalWriter {
    /// `None` while a write is under way; then [`LocalWriter::in_flight`] gives it back.
    file: Option<std::fs::File>,
    in_flight: Option<tokio::task::JoinHandle<std::io::Result<std::fs::File>>>,
    waiting: Vec<Bytes>,
    waiting_len: usize,
    /// Bytes handed to the blocking pool so far: where the waiting ones will start.
    sent: u64,
    tmp: PathBuf,
    dest: PathBuf,
}

impl Blobs {
    /// `file:///path`, or `s3://bucket` with credentials and endpoint from the usual `AWS_*`
    /// variables. The URL may carry them too, for an S3-compatible server of one's own:
    /// `s3://KEY:SECRET@bucket?endpoint=http://10.0.0.5:9000&region=garage&allow_http=true`.
    pub fn open(url: &str) -> Result<Blobs, String> {
        if let Some(path) = url.strip_prefix("file://") {
            let root = PathBuf::from(path);
            std::fs::create_dir_all(root.join("tmp"))
                .map_err(|e| format!("{}: {e}", root.display()))?;
            let store = LocalFileSystem::new_with_prefix(&root)
                .map_err(|e| format!("{}: {e}", root.display()))?;
            Ok(Blobs {
                store: Arc::new(store),
                local_root: Some(root),
            })
        } else if url.starts_with("s3://") {
            // The same parser as the start-up print's mask, so the masked part is the secret.
            let parts =
                crate::platform::config::url_parts(url).ok_or("SCHULHOF_STORE: not a URL")?;
            let (bucket, query) = (parts.location, parts.query);
            let mut builder =
                AmazonS3Builder::from_env().with_bucket_name(bucket.trim_end_matches('/'));
            if let Some((key, secret)) = parts.credentials.filter(|(_, s)| !s.is_empty()) {
                builder = builder
                    .with_access_key_id(key)
                    .with_secret_access_key(secret);
            }
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                builder = match pair.split_once('=') {
                    Some(("endpoint", value)) => builder.with_endpoint(value),
                    Some(("region", value)) => builder.with_region(value),
                    Some(("allow_http", value)) => builder.with_allow_http(value == "true"),
                    _ => return Err(format!("SCHULHOF_STORE: unknown setting {pair}")),
                };
            }
            let store = builder.build().map_err(|e| format!("S3 store: {e}"))?;
            Ok(Blobs {
                store: Arc::new(store),
                local_root: None,
            })
        } else {
            Err("SCHULHOF_STORE must start with file:// or s3://".into())
        }
    }

    /// A fresh, unguessable key. User-supplied names never take part in it.
    pub fn new_key() -> String {
        let hex = crate::platform::secret::random_hex(16);
        format!("b/{}/{hex}", &hex[..2])
    }

    pub async fn writer(&self, key: &str) -> Result<BlobWriter, String> {
        match &self.local_root {
            Some(root) => {
                let tmp = root
                    .join("tmp")
                    .join(crate::platform::secret::random_hex(16));
                let dest = root.join(key);
                let file = tokio::fs::File::create(&tmp)
                    .await
                    .map_err(|e| format!("{}: {e}", tmp.display()))?;
                Ok(BlobWriter::Local(LocalWriter {
                    file: Some(file.into_std().await),
                    in_flight: None,
                    waiting: Vec::new(),
                    waiting_len: 0,
                    sent: 0,
                    tmp,
                    dest,
                }))
            }
            None => {
                let upload = self
                    .store
                    .put_multipart(&Path::from(key))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(BlobWriter::Remote(WriteMultipart::new(upload)))
            }
        }
    }

    /// The bytes of a blob, or of the byte range asked for, as a stream.
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, String> {
        if let Some(root) = &self.local_root {
            return read_local(root.join(key), range).await;
        }
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let result = self
            .store
            .get_opts(&Path::from(key), options)
            .await
            .map_err(|e| e.to_string())?;
        Ok(result
            .into_stream()
            .map(|chunk| chunk.map_err(std::io::Error::other))
            .boxed())
    }

    pub async fn delete(&self, key: &str) -> Result<(), String> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Deletes blobs older than [`GARBAGE_MIN_AGE_SECS`] that `is_referenced` does not know,
    /// and leftovers of interrupted writes. Returns how many it deleted.
    pub async fn collect_garbage(
        &self,
        now: i64,
        is_referenced: impl Fn(&str) -> bool,
    ) -> Result<usize, String> {
        let mut deleted = 0;
        for prefix in ["b", "tmp"] {
            let mut listing = self.store.list(Some(&Path::from(prefix)));
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(|e| e.to_string())?;
                let key = meta.location.to_string();
                let old = meta.last_modified.timestamp() < now - GARBAGE_MIN_AGE_SECS;
                if old && (prefix == "tmp" || !is_referenced(&key)) {
                    self.delete(&key).await?;
                    deleted += 1;
                }
            }
        }
        Ok(deleted)
    }
}

/// A file on the local disk as a stream of large chunks, from `range.start` if given.
async fn read_local(
    path: PathBuf,
    range: Option<Range<u64>>,
) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, String> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let (start, left) = match range {
        Some(r) => (r.start, r.end.saturating_sub(r.start)),
        None => (0, u64::MAX),
    };
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| e.to_string())?;
    }
    let stream = futures::stream::unfold((file, left), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let mut buf = vec![0u8; DISK_BUFFER.min(left.min(usize::MAX as u64) as usize)];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), (file, left - n as u64)))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    });
    Ok(stream.boxed())
}

impl BlobWriter {
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), String> {
        match self {
            BlobWriter::Local(local) => local.write(chunk).await.map_err(|e| e.to_string()),
            BlobWriter::Remote(upload) => {
                upload
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| e.to_string())?;
                upload.put(chunk);
                Ok(())
            }
        }
    }

    /// Makes the blob complete and durable. Only after this may a row point to it.
    pub async fn finish(self) -> Result<(), String> {
        match self {
            BlobWriter::Local(local) => local.finish().await.map_err(|e| e.to_string()),
            BlobWriter::Remote(upload) => {
                upload.finish().await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }

    /// Throws away what was written; nothing becomes visible.
    pub async fn abort(self) {
        match self {
            BlobWriter::Local(mut local) => {
                let _ = local.landed().await;
                let _ = tokio::fs::remove_file(&local.tmp).await;
            }
            BlobWriter::Remote(upload) => {
                let _ = upload.abort().await;
            }
        }
    }
}

impl LocalWriter {
    async fn write(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.waiting_len += chunk.len();
        self.waiting.push(chunk);
        if self.waiting_len >= DISK_BUFFER {
            self.send_waiting().await?;
        }
        Ok(())
    }

    /// Starts writing what is waiting, once the write before it has landed.
    async fn send_waiting(&mut self) -> std::io::Result<()> {
        let mut file = self.landed().await?;
        let (offset, len) = (self.sent, self.waiting_len as u64);
        let chunks = self.take_waiting();
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            write_chunks(&mut file, &chunks)?;
            start_writeback(&file, offset, len);
            Ok(file)
        }));
        Ok(())
    }

    fn take_waiting(&mut self) -> Vec<Bytes> {
        self.sent += self.waiting_len as u64;
        self.waiting_len = 0;
        std::mem::take(&mut self.waiting)
    }

    /// The file, after the write under way (if any) has landed.
    async fn landed(&mut self) -> std::io::Result<std::fs::File> {
        if let Some(write) = self.in_flight.take() {
            return write.await.map_err(std::io::Error::other)?;
        }
        self.file
            .take()
            .ok_or_else(|| std::io::Error::other("blob file lost after a failed write"))
    }

    async fn finish(mut self) -> std::io::Result<()> {
        let mut file = self.landed().await?;
        let chunks = self.take_waiting();
        let (tmp, dest) = (self.tmp, self.dest);
        // One trip to the blocking pool for the last chunks, the sync, the rename and the
        // folder's sync.
        tokio::task::spawn_blocking(move || {
            write_chunks(&mut file, &chunks)?;
            file.sync_all()?;
            drop(file);
            let dir = dest.parent().map(PathBuf::from).unwrap_or_default();
            std::fs::create_dir_all(&dir)?;
            std::fs::rename(&tmp, &dest)?;
            // The rename itself is durable only once the folder is synced.
            if let Ok(dir) = std::fs::File::open(&dir) {
                let _ = dir.sync_all();
            }
            Ok(())
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

fn write_chunks(file: &mut std::fs::File, chunks: &[Bytes]) -> std::io::Result<()> {
    use std::io::Write;
    chunks.iter().try_for_each(|chunk| file.write_all(chunk))
}

/// Asks the kernel to start writing these bytes to the disk now, without waiting for it.
/// Otherwise dirty pages wait in memory until the sync at the end of an upload, and the disk
/// idles while the network delivers (an off-CPU profile of 10 concurrent uploads found them
/// waiting in `fsync` for a third of their time). On Linux, `POSIX_FADV_DONTNEED` starts the
/// writeback of dirty pages and keeps them cached while they are written (pages already on
/// disk by then may leave the cache, and a download reads them back from the disk);
/// `sync_file_range` would say it more plainly but has no binding without `unsafe`. A failure
/// costs only speed.
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    use rustix::fs::{Advice, fadvise};
    let _ = fadvise(
        file,
        offset,
        std::num::NonZeroU64::new(len),
        Advice::DontNeed,
    );
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _offset: u64, _len: u64) {}
