//! Files going out: `GET /files/download/{id}` (one file, with `Range`) and
//! `GET /files/archive?space=me&folder=0` (a folder as ZIP). FILE-2: each within the
//! person's transfer limit.
use axum::{
    Extension,
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};

use super::{
    allowance, node_access, space_access,
    zip_stream::{self, Entry},
};
use crate::error::{AppError, ErrorKind};
use crate::i18n::Key;
use crate::platform::{AppState, RequestInfo};
use crate::rules::files as rule;

use super::transfer::{FilesQuery, failure, refuse_size, target};
use crate::web::{
    Query, SignedIn,
    download::{serve_blob, zip_response},
};

/// `GET /files/download/{id}` (`?inline=1` to preview images and PDFs).
pub async fn download(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<i64>,
    Query(query): Query<FilesQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let (node, _) = node_access(&state, &user, id, false).await?;
        let key = node
            .blob_key
            .clone()
            .ok_or_else(|| AppError::kind(ErrorKind::NotFound))?;
        let limit = allowance(&state, &user).await?.transfer_limit;
        if rule::check_transfer(node.size, limit).is_err() {
            return Err(refuse_size(
                &state,
                &user,
                &info,
                &format!("download of {}", node.name),
                Key::FilesTooLargeDownload,
            )
            .await);
        }
        Ok((node, key))
    }
    .await;
    match result {
        Ok((node, key)) => {
            let inline = query.inline.is_some();
            serve_blob(
                &state.blobs,
                &headers,
                &node.name,
                &node.content_type,
                node.size,
                &key,
                inline,
            )
            .await
            .unwrap_or_else(|error| failure(&headers, error, "/files"))
        }
        Err(error) => failure(&headers, error, "/files"),
    }
}

/// `GET /files/archive?space=…&folder=…`: a folder as one ZIP, within the transfer limit.
pub async fn archive(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Extension(info): Extension<RequestInfo>,
    Query(query): Query<FilesQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let target = target(&query)?;
        let space = space_access(&state, &user, target.space).await?.space;
        let mut name = "Dateien".to_string();
        if let Some(folder) = target.folder {
            let (node, _) = node_access(&state, &user, folder, false).await?;
            if node.space() != space || !node.is_folder {
                return Err(AppError::kind(ErrorKind::NotFound));
            }
            name = node.name;
        }
        let items = state.files().archive_items(space, target.folder).await?;
        let total: i64 = items.iter().map(|i| i.size).sum();
        let limit = allowance(&state, &user).await?.transfer_limit;
        if rule::check_transfer(total, limit).is_err() {
            return Err(refuse_size(
                &state,
                &user,
                &info,
                &format!("archive of {name}: {total} bytes"),
                Key::FilesTooLargeDownload,
            )
            .await);
        }
        let entries = items
            .into_iter()
            .map(|i| Entry::Blob {
                path: i.path,
                key: i.blob_key,
                size: i.size,
            })
            .collect();
        Ok((name, entries))
    }
    .await;
    match result {
        Ok((name, entries)) => zip_response(
            &format!("{name}.zip"),
            zip_stream::body(state.blobs.clone(), entries),
        ),
        Err(error) => failure(&headers, error, "/files"),
    }
}
