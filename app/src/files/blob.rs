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
use tokio::io::AsyncWriteExt;

/// Blobs younger than this may belong to an upload whose row is about to be committed.
pub const GARBAGE_MIN_AGE_SECS: i64 = 3600;

pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Set for the local disk, where writes go through a synced temporary file.
    local_root: Option<PathBuf>,
}

/// Reads and writes on disk go through buffers this large: each one is a trip to the
/// blocking thread pool, and 8 KiB trips would cost more than the copying.
const DISK_BUFFER: usize = 256 * 1024;

pub enum BlobWriter {
    Local {
        file: tokio::io::BufWriter<tokio::fs::File>,
        tmp: PathBuf,
        dest: PathBuf,
    },
    Remote(WriteMultipart),
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
        } else if let Some(rest) = url.strip_prefix("s3://") {
            let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
            let (credentials, bucket) = match location.rsplit_once('@') {
                Some((credentials, bucket)) => (Some(credentials), bucket),
                None => (None, location),
            };
            let mut builder =
                AmazonS3Builder::from_env().with_bucket_name(bucket.trim_end_matches('/'));
            if let Some((key, secret)) = credentials.and_then(|c| c.split_once(':')) {
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
                Ok(BlobWriter::Local {
                    file: tokio::io::BufWriter::with_capacity(DISK_BUFFER, file),
                    tmp,
                    dest,
                })
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
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        match self {
            BlobWriter::Local { file, .. } => {
                file.write_all(chunk).await.map_err(|e| e.to_string())
            }
            BlobWriter::Remote(upload) => {
                upload
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| e.to_string())?;
                upload.write(chunk);
                Ok(())
            }
        }
    }

    /// Makes the blob complete and durable. Only after this may a row point to it.
    pub async fn finish(self) -> Result<(), String> {
        match self {
            BlobWriter::Local {
                mut file,
                tmp,
                dest,
            } => {
                file.flush().await.map_err(|e| e.to_string())?;
                let file = file.into_inner();
                file.sync_all().await.map_err(|e| e.to_string())?;
                drop(file);
                let dir = dest.parent().map(PathBuf::from).unwrap_or_default();
                tokio::fs::create_dir_all(&dir)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::fs::rename(&tmp, &dest)
                    .await
                    .map_err(|e| e.to_string())?;
                // The rename itself is durable only once the folder is synced.
                if let Ok(dir) = tokio::fs::File::open(&dir).await {
                    let _ = dir.sync_all().await;
                }
                Ok(())
            }
            BlobWriter::Remote(upload) => {
                upload.finish().await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }

    /// Throws away what was written; nothing becomes visible.
    pub async fn abort(self) {
        match self {
            BlobWriter::Local { file, tmp, .. } => {
                drop(file);
                let _ = tokio::fs::remove_file(&tmp).await;
            }
            BlobWriter::Remote(upload) => {
                let _ = upload.abort().await;
            }
        }
    }
}
