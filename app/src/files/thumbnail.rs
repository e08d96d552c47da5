//! Issue 18 §5: small pictures of the images in a folder, so that a child finds "the photo with
//! the dog" without reading file names. `GET /files/thumb/{id}` makes one on first request,
//! keeps it beside its file's blob (`<key>.thumb`), and serves it from there afterwards.
//!
//! A thumbnail is part of its file: it is deleted with the file's blob, collected with it, and
//! counted against nobody's quota or transfer limit (a few kilobytes, shown in lists).
//!
//! Images come from anyone, so decoding is bounded: only the four web formats, each decoded
//! by its own decoder (never guessed from the bytes), within limits for size, pixels and
//! memory, two at a time, on the blocking pool. What fails shows the plain picture icon.
use std::io::Cursor;

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures::StreamExt;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder};

use super::node_access;
use super::transfer::failure;
use crate::error::{AppError, ErrorKind};
use crate::platform::AppState;
use crate::web::SignedIn;

/// The longest side of a thumbnail in pixels: sharp at twice the 48 CSS pixels of a list row
/// and still fine for a 80-pixel preview.
pub const EDGE: u32 = 160;
/// Larger images are not read for a thumbnail. The policy's own bound for transfers is 20 MB.
pub const MAX_SOURCE_BYTES: i64 = 20 * 1024 * 1024;
/// Wider or taller images are refused before any pixel is decoded: a few bytes of PNG can
/// claim 100,000 × 100,000 pixels (a "decompression bomb").
pub const MAX_SOURCE_EDGE: u32 = 12_000;
/// The most memory one decode may take: a 24-megapixel photo with room to spare.
pub const MAX_DECODE_BYTES: u64 = 160 * 1024 * 1024;
/// Decodes at once, per server: two cores, and each decode may hold [`MAX_DECODE_BYTES`].
const PARALLEL_DECODES: usize = 2;
/// JPEG quality of thumbnails: small files, no visible blocks at this size.
const QUALITY: u8 = 80;

static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(PARALLEL_DECODES);

/// Where a file's thumbnail is kept: beside its blob, so that what removes one removes both.
pub fn key_of(blob_key: &str) -> String {
    format!("{blob_key}{SUFFIX}")
}

pub const SUFFIX: &str = ".thumb";

/// The decoder for a file's type, or `None` for files that get no thumbnail (the shared rule).
pub fn format_of(content_type: &str) -> Option<ImageFormat> {
    if !crate::rules::files::has_thumbnail(content_type) {
        return None;
    }
    ImageFormat::from_mime_type(content_type)
}

/// A JPEG of at most [`EDGE`] pixels a side, transparency laid on white. Blocking: decodes.
pub fn make(bytes: &[u8], format: ImageFormat) -> Result<Vec<u8>, image::ImageError> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_EDGE);
    limits.max_image_height = Some(MAX_SOURCE_EDGE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let small = reader.decode()?.thumbnail(EDGE, EDGE).into_rgba8();
    // JPEG has no transparency; a transparent drawing shows on white, as on paper.
    let flat = image::RgbImage::from_fn(small.width(), small.height(), |x, y| {
        let [r, g, b, a] = small.get_pixel(x, y).0;
        let over_white = |c: u8| ((c as u16 * a as u16 + 255 * (255 - a as u16)) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(flat)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, QUALITY))?;
    Ok(out)
}

/// `GET /files/thumb/{id}` (a `?v=` after it only defeats stale caches): the file's thumbnail,
/// for whoever may see the file; the picture icon for an image that cannot be shown small.
pub async fn thumb(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let node = match node_access(&state, &user, id, false).await {
        Ok((node, _)) => node,
        Err(error) => return failure(&headers, error, "/files"),
    };
    let (Some(key), Some(format)) = (node.blob_key.clone(), format_of(&node.content_type)) else {
        return failure(&headers, AppError::kind(ErrorKind::NotFound), "/files");
    };
    if node.size > MAX_SOURCE_BYTES {
        return placeholder();
    }
    if let Some(stored) = read_all(&state, &key_of(&key), MAX_SOURCE_BYTES).await {
        return jpeg(stored);
    }
    let Some(source) = read_all(&state, &key, MAX_SOURCE_BYTES).await else {
        return placeholder();
    };
    let made = {
        let Ok(_turn) = DECODES.acquire().await else {
            return placeholder();
        };
        tokio::task::spawn_blocking(move || make(&source, format)).await
    };
    match made {
        Ok(Ok(small)) => {
            // Kept for next time; a failed write only means making it again.
            if let Err(e) = store(&state, &key_of(&key), &small).await {
                tracing::warn!(error = %e, "thumbnail not kept");
            }
            jpeg(small)
        }
        Ok(Err(e)) => {
            tracing::info!(file = id, error = %e, "no thumbnail for this image");
            placeholder()
        }
        Err(e) => {
            tracing::warn!(file = id, error = %e, "thumbnail decoding stopped");
            placeholder()
        }
    }
}

/// A whole blob, unless it is missing or longer than `max`.
async fn read_all(state: &AppState, key: &str, max: i64) -> Option<Vec<u8>> {
    let mut stream = state.blobs.read(key, None).await.ok()?;
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.ok()?);
        if bytes.len() as i64 > max {
            return None;
        }
    }
    Some(bytes)
}

async fn store(state: &AppState, key: &str, bytes: &[u8]) -> Result<(), String> {
    let mut writer = state.blobs.writer(key).await?;
    writer.write(Bytes::copy_from_slice(bytes)).await?;
    writer.finish().await
}

/// Thumbnails show what a person may see right now: never kept by a shared tablet's browser.
fn jpeg(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The picture icon, drawn like the list's other icons.
fn placeholder() -> Response {
    const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" \
        fill=\"none\" stroke=\"#475569\" stroke-width=\"2\" stroke-linecap=\"round\" \
        stroke-linejoin=\"round\"><path d=\"M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9h.01\"/></svg>";
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        ICON,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 128]));
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn thumbnails_are_small_jpegs_within_limits() {
        let small = make(&png(800, 600), ImageFormat::Png).unwrap();
        let decoded = image::load_from_memory_with_format(&small, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (EDGE, 120));
        // Half-transparent red on white is light red, not dark red on black.
        let [r, g, _] = decoded.to_rgb8().get_pixel(60, 60).0;
        assert!(r > 200 && g > 100, "{r} {g}");
        // A picture wider than the limit is refused before its pixels are decoded.
        assert!(make(&png(MAX_SOURCE_EDGE + 1, 1), ImageFormat::Png).is_err());
        // Bytes that are not the format they claim to be.
        assert!(make(b"not a jpeg at all", ImageFormat::Jpeg).is_err());
        assert!(
            make(&png(10, 10), ImageFormat::Jpeg).is_err(),
            "decoded by its type only"
        );
        assert_eq!(
            format_of("image/svg+xml"),
            None,
            "no SVG: it is a program, not a picture"
        );
    }
}
