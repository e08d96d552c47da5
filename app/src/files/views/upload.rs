//! The upload box: live progress per file, with the limits checked before a byte is sent (FILE-2, FILE-4, FLT-3).
use super::*;

/// One upload in the upload box.
#[derive(Clone)]
struct Upload {
    id: usize,
    name: String,
    size: f64,
    loaded: RwSignal<f64>,
    /// `None` while running; then the outcome, with the reason in words.
    done: RwSignal<Option<Result<(), String>>>,
    cancel: StoredValue<Option<Callback<()>>>,
}

/// FILE-1, FILE-2: choose, drop or photograph files; each shows a real progress bar with a
/// cancel button, and the shared rules refuse what is too big or blocked before it is sent.
/// Without script it is a plain multipart form.
#[island]
pub(super) fn UploadBox(
    lang: Lang,
    url: String,
    limit: i64,
    room: i64,
    blocked: Vec<String>,
) -> impl IntoView {
    let hydrated = crate::components::use_hydrated();
    let uploads: RwSignal<Vec<Upload>> = RwSignal::new(Vec::new());
    let german = lang == Lang::De;
    let limit_text = format_bytes(limit, german);
    #[cfg(not(feature = "hydrate"))]
    let _ = (room, &blocked);
    #[cfg(feature = "hydrate")]
    let pick = {
        let url = url.clone();
        let blocked = blocked.clone();
        move |list: Option<leptos::web_sys::FileList>| {
            let Some(list) = list else { return };
            for i in 0..list.length() {
                if let Some(file) = list.item(i) {
                    begin(lang, &url, file, limit, room, &blocked, uploads);
                }
            }
        }
    };
    #[cfg(feature = "hydrate")]
    let on_change = {
        let pick = pick.clone();
        move |ev: leptos::ev::Event| {
            use leptos::wasm_bindgen::JsCast;
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            {
                pick(input.files());
                input.set_value("");
            }
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_change = |_: leptos::ev::Event| {};
    // A copy for the camera input: in the browser the handler owns data and is not `Copy`.
    #[allow(clippy::clone_on_copy)]
    let on_change_camera = on_change.clone();
    #[cfg(feature = "hydrate")]
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        pick(ev.data_transfer().and_then(|d| d.files()));
    };
    #[cfg(not(feature = "hydrate"))]
    let on_drop = |_: leptos::ev::DragEvent| {};
    view! {
        <form class="upload" method="post" enctype="multipart/form-data" action=url
            data-testid="upload" data-hydrated=move || hydrated.get().to_string()
            on:submit=move |ev| { if hydrated.get_untracked() { ev.prevent_default(); } }
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop>
            <p class="upload-hint"><Icon name=IconName::Upload/>{lang.fill(Key::FilesDropHint, &[("limit", &limit_text)])}</p>
            <div class="upload-buttons">
                <label class="btn btn-primary">
                    <Icon name=IconName::Upload/>{lang.t(Key::FilesChoose)}
                    <input class="visually-hidden" type="file" name="file" multiple data-testid="file-input" on:change=on_change/>
                </label>
                <label class="btn">
                    <Icon name=IconName::Camera/>{lang.t(Key::FilesCamera)}
                    <input class="visually-hidden" type="file" name="file" accept="image/*" capture="environment" on:change=on_change_camera/>
                </label>
                <noscript><button class="btn" type="submit">{lang.t(Key::FilesSend)}</button></noscript>
            </div>
            <ul class="upload-list" aria-live="polite">
                <For each=move || uploads.get() key=|u| u.id let:upload>
                    <UploadRow lang upload/>
                </For>
            </ul>
        </form>
    }
}

#[component]
fn UploadRow(lang: Lang, upload: Upload) -> impl IntoView {
    let german = lang == Lang::De;
    let Upload {
        name,
        size,
        loaded,
        done,
        cancel,
        ..
    } = upload;
    // Whole numbers only: formatting floats would weigh down the browser's code.
    let percent = move || crate::rules::files::percent(loaded.get() as i64, size as i64);
    view! {
        <li class="upload-item" data-testid="upload-item">
            <span class="upload-name">{name}</span>
            <label class="progress">
                <progress max="100" value=percent></progress>
                <span class="progress-percent" data-testid="upload-progress">
                    {move || format!("{} / {} ({} %)", format_bytes(loaded.get() as i64, german), format_bytes(size as i64, german), percent())}
                </span>
            </label>
            {move || match done.get() {
                None => view! {
                    <button class="btn" type="button" on:click=move |_| { if let Some(cancel) = cancel.get_value() { cancel.run(()) } }>
                        {lang.t(Key::FilesCancel)}
                    </button>
                }.into_any(),
                Some(Ok(())) => view! { <span class="upload-ok" data-testid="upload-done"><Icon name=IconName::Check/>{lang.t(Key::FilesUploaded)}</span> }.into_any(),
                Some(Err(reason)) => view! { <span class="field-message" role="alert" data-testid="upload-error">{reason}</span> }.into_any(),
            }}
        </li>
    }
}

/// Checks one file with the shared rules and, if it passes, sends it with a progress bar.
#[cfg(feature = "hydrate")]
fn begin(
    lang: Lang,
    url: &str,
    file: leptos::web_sys::File,
    limit: i64,
    room: i64,
    blocked: &[String],
    uploads: RwSignal<Vec<Upload>>,
) {
    use leptos::wasm_bindgen::{JsCast, closure::Closure};
    use leptos::web_sys::{FormData, ProgressEvent, XmlHttpRequest};

    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let size = file.size();
    let upload = Upload {
        id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        name: file.name(),
        size,
        loaded: RwSignal::new(0.0),
        done: RwSignal::new(None),
        cancel: StoredValue::new(None),
    };
    uploads.update(|list| list.push(upload.clone()));
    let refused = rule::check_transfer(size as i64, limit)
        .and_then(|()| rule::check_quota(size as i64, 0, room))
        .err()
        .or_else(|| rule::blocked_by_name(&file.name(), blocked).map(|_| Key::FilesBlockedType));
    if let Some(key) = refused {
        upload.done.set(Some(Err(lang.t(key).to_string())));
        return;
    }
    let (Ok(xhr), Ok(form)) = (XmlHttpRequest::new(), FormData::new()) else {
        upload
            .done
            .set(Some(Err(lang.t(Key::FilesConnectionLost).to_string())));
        return;
    };
    let _ = form.append_with_blob_and_filename("file", &file, &file.name());
    let _ = xhr.open("POST", url);
    let _ = xhr.set_request_header("Accept", "application/json");
    let loaded = upload.loaded;
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        loaded.set(ev.loaded());
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    progress.forget();
    let done = upload.done;
    let finished = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            let outcome = if (200..300).contains(&status) {
                loaded.set(size);
                Ok(())
            } else {
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                Err(serde_json::from_str::<crate::error::AppError>(&text)
                    .map(|e| e.text(lang))
                    .unwrap_or_else(|_| lang.t(Key::FilesConnectionLost).to_string()))
            };
            done.set(Some(outcome));
            if uploads
                .with_untracked(|list| list.iter().all(|u| u.done.get_untracked() == Some(Ok(()))))
            {
                let _ = window().location().reload();
            }
        })
    };
    xhr.set_onload(Some(finished.as_ref().unchecked_ref()));
    finished.forget();
    let lost = Closure::<dyn FnMut()>::new(move || {
        done.set(Some(Err(lang.t(Key::FilesConnectionLost).to_string())))
    });
    xhr.set_onerror(Some(lost.as_ref().unchecked_ref()));
    lost.forget();
    let aborted = Closure::<dyn FnMut()>::new(move || {
        done.set(Some(Err(lang.t(Key::FilesCancelled).to_string())))
    });
    xhr.set_onabort(Some(aborted.as_ref().unchecked_ref()));
    aborted.forget();
    let xhr_for_cancel = leptos::__reexports::send_wrapper::SendWrapper::new(xhr.clone());
    upload.cancel.set_value(Some(Callback::new(move |()| {
        let _ = xhr_for_cancel.abort();
    })));
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        done.set(Some(Err(lang.t(Key::FilesConnectionLost).to_string())));
    }
}
