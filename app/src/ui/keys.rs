//! The keys table and what can be done to one key: create (with the
//! one-time reveal), edit its description, delete.

use domain::model::{ApiKey, CreatedApiKey, Description, KeyId, KeyUpdate, Scopes};
use leptos::callback::{Callable, UnsyncCallback};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::dialog::Modal;
use super::reveal::OneTimeReveal;
use super::{DashboardData, FormActions, FormError, Navigator, RelativeTime, Submission};
use crate::{format, server_fns};

/// The dialog the keys section has open.
#[derive(Clone, Debug, PartialEq)]
enum KeyDialog {
    Create,
    /// Holds the token until the administrator confirms storing it.
    Reveal(CreatedApiKey),
    Edit(ApiKey),
    Delete(ApiKey),
}

#[component]
pub fn KeysSection(data: DashboardData) -> impl IntoView {
    let keys = data.select(|d| d.overview.api_keys.clone());
    let keys = Memo::new(move |_| keys.get().unwrap_or_default());
    let session_key = data.select(|d| d.overview.current_api_key_id.clone());
    let rotation_open = data.select(|d| d.rotation.is_some());
    let dialog = RwSignal::new(None::<KeyDialog>);
    let row = KeyRowContext {
        keys,
        session_key: session_key.into(),
        rotation_open: Signal::derive(move || rotation_open.get().unwrap_or(false)),
        only_key: Signal::derive(move || keys.with(|keys| keys.len() == 1)),
        dialog,
    };
    let close = UnsyncCallback::new(move |()| dialog.set(None));
    let changed = UnsyncCallback::new(move |()| {
        dialog.set(None);
        data.reload();
    });
    view! {
        <section class="panel" aria-labelledby="keys-heading">
            <div class="section-head">
                <h2 id="keys-heading">"API keys"</h2>
                <button type="button" id="create-key" class="primary" on:click=move |_| dialog.set(Some(KeyDialog::Create))>
                    "Create key"
                </button>
            </div>
            <div class="table-scroll">
                <table class="keys" aria-labelledby="keys-heading">
                    <thead>
                        <tr>
                            <th scope="col">"Description"</th>
                            <th scope="col">"Key"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Updated"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || keys.get() key=|key| key.id.clone() children=move |key| key_row(key.id, row)/>
                    </tbody>
                </table>
            </div>
            <Show when=move || row.only_key.get()>
                <p id="last-key-reason" class="hint">
                    "The region's only key cannot be deleted: a region always keeps at least one key. Create another key first."
                </p>
            </Show>
        </section>
        {move || dialog.get().map(|open| match open {
            KeyDialog::Create => view! {
                <CreateKeyDialog
                    on_created=UnsyncCallback::new(move |created| {
                        dialog.set(Some(KeyDialog::Reveal(created)));
                        data.reload();
                    })
                    on_close=close
                />
            }
            .into_any(),
            KeyDialog::Reveal(created) => view! {
                // Opened from the create dialog, which is gone when this closes.
                <Modal title="Your new API key" return_focus_to="create-key">
                    <OneTimeReveal created=created on_stored=close/>
                </Modal>
            }
            .into_any(),
            KeyDialog::Edit(key) => view! { <EditKeyDialog key=key on_saved=changed on_close=close/> }.into_any(),
            KeyDialog::Delete(key) => {
                let is_session_key = row.session_key.get_untracked().as_ref() == Some(&key.id);
                view! { <DeleteKeyDialog key=key is_session_key=is_session_key on_deleted=changed on_close=close/> }
                    .into_any()
            }
        })}
    }
}

/// What every row reads.
#[derive(Clone, Copy)]
struct KeyRowContext {
    keys: Memo<Vec<ApiKey>>,
    session_key: Signal<Option<KeyId>>,
    rotation_open: Signal<bool>,
    only_key: Signal<bool>,
    dialog: RwSignal<Option<KeyDialog>>,
}

/// A row stays mounted while its key exists (its buttons keep focus); its
/// cells follow the key's current values.
fn key_row(id: KeyId, row: KeyRowContext) -> impl IntoView {
    let key = Memo::new({
        let id = id.clone();
        move |_| row.keys.with(|keys| keys.iter().find(|key| key.id == id).cloned())
    });
    let read = move |pick: fn(&ApiKey) -> String| move || key.with(|key| key.as_ref().map(pick).unwrap_or_default());
    let label = read(format::key_label);
    let is_session_key = {
        let id = id.clone();
        move || row.session_key.get().as_ref() == Some(&id)
    };
    let open = move |make: fn(ApiKey) -> KeyDialog| {
        move |_| {
            if let Some(key) = key.get_untracked() {
                row.dialog.set(Some(make(key)));
            }
        }
    };
    let navigator = Navigator::get();
    let rotate = {
        let id = id.clone();
        move |_| navigator.go(format!("/rotation?key={id}"), None)
    };
    view! {
        <tr>
            <td>
                {move || match key.with(|key| key.as_ref().and_then(|key| key.description.clone())) {
                    Some(description) => view! { <span>{description}</span> }.into_any(),
                    None => view! { <span class="muted">"No description"</span> }.into_any(),
                }}
                <Show when=is_session_key.clone()>
                    " " <span class="badge session">"This session"</span>
                </Show>
            </td>
            <td><code>{read(|key| key.token_preview.clone())}</code></td>
            <td><RelativeTime at=Signal::derive(move || key.with(|key| key.as_ref().map(|key| key.created_at)))/></td>
            <td><RelativeTime at=Signal::derive(move || key.with(|key| key.as_ref().map(|key| key.updated_at)))/></td>
            <td><RelativeTime at=Signal::derive(move || key.with(|key| key.as_ref().and_then(|key| key.last_used_at)))/></td>
            <td class="row-actions">
                <button type="button" id=format!("edit-{id}") aria-label=move || format!("Edit {}", label()) on:click=open(KeyDialog::Edit)>
                    "Edit"
                </button>
                <button
                    type="button"
                    id=format!("rotate-{id}")
                    aria-label=move || format!("Rotate {}", label())
                    disabled=move || row.rotation_open.get()
                    title=move || row.rotation_open.get().then_some("Finish or cancel the unfinished rotation first")
                    on:click=rotate
                >
                    "Rotate"
                </button>
                <button
                    type="button"
                    id=format!("delete-{id}")
                    class="danger"
                    aria-label=move || format!("Delete {}", label())
                    disabled=move || row.only_key.get()
                    aria-describedby=move || row.only_key.get().then_some("last-key-reason")
                    on:click=open(KeyDialog::Delete)
                >
                    "Delete"
                </button>
            </td>
        </tr>
    }
}

#[component]
fn CreateKeyDialog(on_created: UnsyncCallback<CreatedApiKey>, on_close: UnsyncCallback<()>) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        match Description::parse(&input.value()) {
            Err(message) => submission.refuse(message.to_string()),
            Ok(description) => submission
                .run(server_fns::create_key(description, Scopes::all()), move |created| on_created.run(created)),
        }
    };
    view! {
        <Modal title="Create an API key" on_escape=on_close>
            <form on:submit=submit>
                <DescriptionField field=field submission=submission value=String::new()/>
                <p class="hint">"The key is shown once, right after it is created."</p>
                <FormActions submission=submission submit_label="Create key" on_close=on_close/>
            </form>
        </Modal>
    }
}

#[component]
fn EditKeyDialog(key: ApiKey, on_saved: UnsyncCallback<()>, on_close: UnsyncCallback<()>) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let title = format!("Edit {}", key.token_preview);
    let key_id = key.id;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        match Description::parse(&input.value()) {
            Err(message) => submission.refuse(message.to_string()),
            Ok(description) => {
                let update = KeyUpdate { description: Some(description), ..KeyUpdate::default() };
                submission.run(server_fns::update_key(key_id.clone(), update), move |_| on_saved.run(()))
            }
        }
    };
    view! {
        <Modal title=title on_escape=on_close>
            <form on:submit=submit>
                <DescriptionField field=field submission=submission value=key.description.unwrap_or_default()/>
                <FormActions submission=submission submit_label="Save" on_close=on_close/>
            </form>
        </Modal>
    }
}

#[component]
fn DeleteKeyDialog(
    key: ApiKey,
    is_session_key: bool,
    on_deleted: UnsyncCallback<()>,
    on_close: UnsyncCallback<()>,
) -> impl IntoView {
    let submission = Submission::new();
    let label = format::key_label(&key);
    let key_id = key.id;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        submission.run(server_fns::delete_key(key_id.clone()), move |()| on_deleted.run(()));
    };
    view! {
        <Modal title="Delete API key?" on_escape=on_close>
            <form on:submit=submit>
                <p>"Delete the key " <strong>{label}</strong> "? Integrations that use it are refused from their next request. This cannot be undone."</p>
                {is_session_key.then(|| view! {
                    <p class="warning">"You signed in to this console with this key: deleting it signs you out."</p>
                })}
                <FormError id="delete-error" submission=submission/>
                <FormActions submission=submission submit_label="Delete key" destructive=true on_close=on_close/>
            </form>
        </Modal>
    }
}

/// The description input with its rules and its refusal.
#[component]
pub(crate) fn DescriptionField(
    field: NodeRef<html::Input>,
    submission: Submission,
    value: String,
    #[prop(default = "Description (optional)")] label: &'static str,
) -> impl IntoView {
    view! {
        <label for="description">{label}</label>
        <input
            id="description"
            node_ref=field
            value=value
            maxlength=Description::MAX_CHARS
            autocomplete="off"
            aria-describedby="description-hint description-error"
            aria-invalid=move || submission.error.with(Option::is_some).to_string()
        />
        <p id="description-hint" class="hint">
            {format!("What uses this key, e.g. “billing service”. At most {} characters.", Description::MAX_CHARS)}
        </p>
        <FormError id="description-error" submission=submission/>
    }
}
