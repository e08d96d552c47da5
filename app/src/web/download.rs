//! Files going out: safe names and content types, byte ranges, streamed blobs, ZIPs and
//! generated attachments (CSV, calendars, address cards). Nothing a user uploaded is ever
//! served in a way that lets it run script on our origin.
use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::error::AppError;
use crate::platform::blob::Blobs;
use crate::rules::files as rule;

/// A content type from the name only: what a client claims is never trusted.
pub fn content_type_for(name: &str) -> &'static str {
    match rule::extension(name).as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("txt" | "csv" | "md") => "text/plain; charset=utf-8",
        Some("mp3") => "audio/mpeg",
        Some("mp4") => "video/mp4",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Only these open in the browser (the shared rule); everything else is a download.
pub fn previewable(content_type: &str) -> bool {
    rule::opens_in_browser(content_type)
}

/// `attachment; filename="Brief.pdf"; filename*=UTF-8''Brief.pdf`, safe for any name.
pub fn disposition(name: &str, inline: bool) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A `Range` the file cannot serve (answered 416).
#[derive(Debug, PartialEq, Eq)]
pub struct Unsatisfiable;

/// The one byte range of a `Range: bytes=…` header, within `size`.
pub fn byte_range(header: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    // Several ranges at once are allowed to be answered with the whole file.
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| Unsatisfiable)?;
            if n == 0 {
                return Err(Unsatisfiable);
            }
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        (start, "") => (
            start.parse().map_err(|_| Unsatisfiable)?,
            size.saturating_sub(1),
        ),
        (start, end) => (
            start.parse().map_err(|_| Unsatisfiable)?,
            end.parse::<u64>()
                .map_err(|_| Unsatisfiable)?
                .min(size.saturating_sub(1)),
        ),
    };
    if size == 0 || start > end || start >= size {
        return Err(Unsatisfiable);
    }
    Ok(Some((start, end)))
}

/// Streams a stored blob as a download: ranges, a safe content type and disposition, no cache.
/// Only images and PDFs may show `inline`; everything else is an attachment.
pub async fn serve_blob(
    blobs: &Blobs,
    headers: &HeaderMap,
    name: &str,
    content_type: &str,
    size: i64,
    key: &str,
    inline: bool,
) -> Result<Response, AppError> {
    let size = size as u64;
    let range = match byte_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        size,
    ) {
        Ok(range) => range,
        Err(Unsatisfiable) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response());
        }
    };
    let stream = blobs
        .read(key, range.map(|(start, end)| start..end + 1))
        .await
        .map_err(AppError::internal)?;
    let inline = inline && previewable(content_type);
    let mut response = Response::new(Body::from_stream(stream));
    let out = response.headers_mut();
    let content_type = if previewable(content_type) || content_type.starts_with("text/plain") {
        content_type
    } else {
        "application/octet-stream"
    };
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    out.insert(header::CONTENT_DISPOSITION, disposition(name, inline));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    match range {
        Some((start, end)) => {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let out = response.headers_mut();
            out.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start + 1));
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                out.insert(header::CONTENT_RANGE, value);
            }
        }
        None => {
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        }
    }
    Ok(response)
}

/// A generated file (CSV, calendar, address card) as a download that is never cached.
pub fn attachment(body: impl Into<Body>, content_type: &'static str, name: &str) -> Response {
    let mut response = Response::new(body.into());
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::CONTENT_DISPOSITION, disposition(name, false));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A ZIP made while it is sent (see `files::zip_stream`).
pub fn zip_response(name: &str, body: Body) -> Response {
    let mut response = Response::new(body);
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    out.insert(header::CONTENT_DISPOSITION, disposition(name, false));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Already the final bytes; compressing them again would only cost time.
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
    response
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_1_ranges_follow_rfc_9110() {
        assert_eq!(byte_range(None, 100), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=95-200"), 100), Ok(Some((95, 99))));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=5-1"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=x-1"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), Ok(None));
    }

    #[test]
    fn file_1_download_names_are_safe_in_headers() {
        let value = disposition("Brief \"an\" Eltern\r\n.pdf", false);
        let text = value.to_str().unwrap();
        assert!(text.starts_with("attachment; filename=\"Brief _an_ Eltern__.pdf\""));
        assert!(text.contains("filename*=UTF-8''Brief%20%22an%22%20Eltern%0D%0A.pdf"));
        assert!(!previewable("text/html"));
        assert!(!previewable("image/svg+xml"));
        assert_eq!(content_type_for("bild.SVG"), "application/octet-stream");
    }
}
