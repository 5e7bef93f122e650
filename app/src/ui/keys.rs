//! The keys table and what can be done to one key: create (with the
//! one-time reveal and a choice of scopes), edit its description and
//! scopes, cancel its scheduled revocation, delete. What the session's key
//! may not do is disabled, with the reason.

use domain::model::{
    ApiKey, CreatedApiKey, Description, KeyAccess, KeyId, KeyUpdate, Owner, RegionUsage, Scopes, is_revoked,
    last_manager,
};
use leptos::callback::{Callable, UnsyncCallback};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::dialog::Modal;
use super::policy::{PolicyFields, PolicyForm};
use super::reveal::OneTimeReveal;
use super::usage::{KeyUsageDialog, key_sparkline};
use super::{Clock, DashboardData, FormActions, FormError, Navigator, RelativeTime, Submission};
use crate::i18n::common::Common;
use crate::i18n::keys::Keys;
use crate::i18n::policy::Policy;
use crate::i18n::{english_or, t, tf};
use crate::{format, policy_form, server_fns};

/// The dialog the keys section has open.
#[derive(Clone, Debug, PartialEq)]
enum KeyDialog {
    Create,
    /// Holds the token until the administrator confirms storing it.
    Reveal(CreatedApiKey),
    Edit(ApiKey),
    Delete(ApiKey),
    Usage(ApiKey),
}

#[component]
pub fn KeysSection(data: DashboardData) -> impl IntoView {
    let keys = data.select(|d| d.overview.api_keys.clone());
    let keys = Memo::new(move |_| keys.get().unwrap_or_default());
    let session_key = data.select(|d| d.overview.current_api_key_id.clone());
    let session_key = Signal::derive(move || session_key.get().flatten());
    let session_scopes = data.select(|d| d.session_scopes());
    let session_scopes = Signal::derive(move || session_scopes.get().unwrap_or_default());
    let rotation_open = data.select(|d| d.rotation.is_some());
    let usage = data.select(|d| d.usage.clone());
    let owners = data.select(|d| d.owners.clone());
    let owners = Memo::new(move |_| owners.get().unwrap_or_default());
    let dialog = RwSignal::new(None::<KeyDialog>);
    let status = RwSignal::new(None::<String>);
    let row = KeyRowContext {
        keys,
        session_key,
        session_scopes,
        may_write: Signal::derive(move || session_scopes.with(|scopes| scopes.allow(KeyAccess::Write))),
        rotation_open: Signal::derive(move || rotation_open.get().unwrap_or(false)),
        // The server's rule (the model's), shown ahead of it.
        last_manager: Memo::new(move |_| {
            let now = Clock::now();
            keys.with(|keys| last_manager(keys, now).map(|key| key.id.clone()))
        }),
        dialog,
        data,
        status,
        usage,
        owners,
    };
    let close = UnsyncCallback::new(move |()| dialog.set(None));
    // Closes the dialog and announces what it did (the table changes silently).
    let changed = move |done: String| {
        UnsyncCallback::new(move |()| {
            status.set(Some(done.clone()));
            dialog.set(None);
            data.reload();
        })
    };
    view! {
        <section class="panel" aria-labelledby="keys-heading">
            <div class="section-head">
                <h2 id="keys-heading">{t(Keys::ApiKeys)}</h2>
                <button
                    type="button"
                    id="create-key"
                    class="primary"
                    disabled=move || !row.may_write.get()
                    aria-describedby=move || (!row.may_write.get()).then_some("read-only-reason")
                    on:click=move |_| dialog.set(Some(KeyDialog::Create))
                >
                    {t(Keys::CreateKey)}
                </button>
            </div>
            <Show when=move || !row.may_write.get()>
                <p id="read-only-reason" class="hint">
                    {t(Keys::ReadOnlyReason)}
                </p>
            </Show>
            <p class="visually-hidden" role="status">{move || status.get()}</p>
            <div class="table-scroll">
                <table class="keys" aria-labelledby="keys-heading">
                    <thead>
                        <tr>
                            <th scope="col">{t(Keys::Description)}</th>
                            <th scope="col">{t(Keys::Key)}</th>
                            <th scope="col">{t(Keys::Scopes)}</th>
                            <th scope="col">{t(Policy::PolicyColumn)}</th>
                            <th scope="col">{t(Keys::Created)}</th>
                            <th scope="col">{t(Keys::Updated)}</th>
                            <th scope="col">{t(Keys::LastUsed)}</th>
                            <th scope="col">{t(Keys::Last7Days)}</th>
                            <th scope="col"><span class="visually-hidden">{t(Keys::Actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || keys.get() key=|key| key.id.clone() children=move |key| key_row(key.id, row)/>
                    </tbody>
                </table>
            </div>
            <Show when=move || row.rotation_open.get()>
                <p id="rotation-open-reason" class="hint">{t(Keys::RotationOpenReason)}</p>
            </Show>
            <Show when=move || row.may_write.get() && keys.with(|keys| keys.iter().any(|key| !row.may_rotate(key)))>
                <p id="rotate-scope-reason" class="hint">
                    {t(Keys::RotateScopeReason)}
                </p>
            </Show>
            <Show when=move || row.last_manager.with(Option::is_some)>
                <p id="last-key-reason" class="hint">
                    {t(Keys::LastKeyReason)}
                </p>
            </Show>
        </section>
        {move || dialog.get().map(|open| match open {
            KeyDialog::Create => view! {
                <CreateKeyDialog
                    session_scopes=session_scopes.get_untracked()
                    owners=owners.get_untracked()
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
                <Modal title=t(Keys::NewKeyTitle) return_focus_to="create-key">
                    <OneTimeReveal created=created on_stored=close/>
                </Modal>
            }
            .into_any(),
            KeyDialog::Edit(key) => {
                let saved = changed(tf(Keys::Saved, &[&key.token_preview]));
                view! { <EditKeyDialog key=key owners=owners.get_untracked() on_saved=saved on_close=close/> }.into_any()
            }
            KeyDialog::Usage(key) => view! { <KeyUsageDialog key=key on_close=close/> }.into_any(),
            KeyDialog::Delete(key) => {
                let is_session_key = row.session_key.get_untracked().as_ref() == Some(&key.id);
                let deleted = changed(tf(Keys::Deleted, &[&format::key_label(&key)]));
                view! { <DeleteKeyDialog key=key is_session_key=is_session_key on_deleted=deleted on_close=close/> }
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
    session_scopes: Signal<Scopes>,
    /// The session's key holds `keys:write`.
    may_write: Signal<bool>,
    rotation_open: Signal<bool>,
    /// The one key that keeps the region managed, when only one does.
    last_manager: Memo<Option<KeyId>>,
    dialog: RwSignal<Option<KeyDialog>>,
    data: DashboardData,
    /// Announces what a row's action did.
    status: RwSignal<Option<String>>,
    /// The last 7 days of every key, for the sparklines.
    usage: Memo<Option<RegionUsage>>,
    /// The region's owners, which name a key's owner.
    owners: Memo<Vec<Owner>>,
}

impl KeyRowContext {
    /// Whether this session may rotate `key`: give its scopes to a new key.
    fn may_rotate(self, key: &ApiKey) -> bool {
        self.session_scopes.with(|scopes| scopes.may_grant(&key.scopes, &Scopes::default()))
    }
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
    let is_last_manager = {
        let id = id.clone();
        Memo::new(move |_| row.last_manager.with(|last| last.as_ref() == Some(&id)))
    };
    let may_rotate = Memo::new(move |_| key.with(|key| key.as_ref().is_some_and(|key| row.may_rotate(key))));
    let scheduled = Memo::new(move |_| {
        // A key that came due is revoked already; only the sweeper is left.
        key.with(|key| {
            key.as_ref().is_some_and(|key| key.revoke_at.is_some() && !is_revoked(key.revoke_at, Clock::now()))
        })
    });
    let edit_button = NodeRef::<html::Button>::new();
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
                    None => view! { <span class="muted">{t(Common::NoDescription)}</span> }.into_any(),
                }}
                <Show when=is_session_key.clone()>
                    " " <span class="badge session">{t(Keys::ThisSession)}</span>
                </Show>
                <Show when=move || key.with(|key| key.as_ref().is_some_and(|key| key.quarantine.is_some()))>
                    " " <span class="badge quarantined">{t(Keys::Quarantined)}</span>
                </Show>
                {move || key.with(|key| key.as_ref().and_then(|key| key.revoke_at)).map(|revoke_at| view! {
                    " " <span class="badge revoking" title=format::exact(revoke_at)>
                        {move || format::stops(revoke_at, Clock::now())}
                    </span>
                })}
            </td>
            <td><code>{read(|key| key.token_preview.clone())}</code></td>
            <td class="scopes">{read(|key| format::scopes(&key.scopes))}</td>
            <td class="policy-summary">
                {move || key.with(|key| key.as_ref().map(|key| row.owners.with(|owners| policy_summary(key, owners))))}
            </td>
            <td><RelativeTime at=Signal::derive(move || key.with(|key| key.as_ref().map(|key| key.created_at)))/></td>
            <td><RelativeTime at=Signal::derive(move || key.with(|key| key.as_ref().map(|key| key.updated_at)))/></td>
            <td><RelativeTime at=Signal::derive(move || key.with(|key| key.as_ref().and_then(|key| key.last_used_at)))/></td>
            <td>
                {
                    let id = id.clone();
                    move || row.usage.with(|usage| usage.as_ref().map(|usage| key_sparkline(usage, &id)))
                }
            </td>
            <td class="row-actions">
                <button
                    type="button"
                    id=format!("usage-{id}")
                    aria-label=move || tf(Common::UsageOf, &[&label()])
                    on:click=open(KeyDialog::Usage)
                >
                    {t(Keys::Usage)}
                </button>
                <Show when=move || scheduled.get()>
                    <CancelRevocation key=key row=row label=label then_focus=edit_button/>
                </Show>
                <button
                    type="button"
                    node_ref=edit_button
                    id=format!("edit-{id}")
                    aria-label=move || tf(Keys::EditKey, &[&label()])
                    disabled=move || !row.may_write.get()
                    aria-describedby=move || (!row.may_write.get()).then_some("read-only-reason")
                    on:click=open(KeyDialog::Edit)
                >
                    {t(Keys::Edit)}
                </button>
                <button
                    type="button"
                    id=format!("rotate-{id}")
                    aria-label=move || tf(Keys::RotateKey, &[&label()])
                    disabled=move || !row.may_write.get() || row.rotation_open.get() || !may_rotate.get()
                    aria-describedby=move || {
                        if !row.may_write.get() {
                            Some("read-only-reason")
                        } else if row.rotation_open.get() {
                            Some("rotation-open-reason")
                        } else {
                            (!may_rotate.get()).then_some("rotate-scope-reason")
                        }
                    }
                    on:click=rotate
                >
                    {t(Keys::Rotate)}
                </button>
                <button
                    type="button"
                    id=format!("delete-{id}")
                    class="danger"
                    aria-label=move || tf(Keys::DeleteKeyLabel, &[&label()])
                    disabled=move || !row.may_write.get() || is_last_manager.get()
                    aria-describedby=move || {
                        if !row.may_write.get() {
                            Some("read-only-reason")
                        } else {
                            is_last_manager.get().then_some("last-key-reason")
                        }
                    }
                    on:click=open(KeyDialog::Delete)
                >
                    {t(Keys::Delete)}
                </button>
            </td>
        </tr>
    }
}

/// A key's owner, limits, credits and networks in a line.
fn policy_summary(key: &ApiKey, owners: &[Owner]) -> String {
    let owner = key
        .owner_id
        .as_ref()
        .map(|id| owners.iter().find(|owner| owner.id == *id).map_or(id.as_str(), |owner| owner.external_id.as_str()));
    policy_form::key_summary(owner, &key.rate_limits, key.credits.as_ref(), &key.allowed_networks)
}

/// Cancels a key's scheduled revocation at once: nothing is lost by it.
#[component]
fn CancelRevocation(
    key: Memo<Option<ApiKey>>,
    row: KeyRowContext,
    label: impl Fn() -> String + Copy + Send + Sync + 'static,
    /// Takes focus when this button goes away with the schedule.
    then_focus: NodeRef<html::Button>,
) -> impl IntoView {
    let submission = Submission::new();
    let cancel = move |_| {
        let Some(key) = key.get_untracked() else { return };
        let update = KeyUpdate { revoke_at: Some(None), ..KeyUpdate::default() };
        let done = tf(Keys::RevocationCancelled, &[&format::key_label(&key)]);
        submission.run(server_fns::update_key(key.id, update), move |_| {
            row.status.set(Some(done));
            row.data.reload();
            if let Some(button) = then_focus.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    view! {
        <button
            type="button"
            id=move || key.with(|key| key.as_ref().map(|key| format!("cancel-revocation-{}", key.id)))
            aria-label=move || tf(Keys::CancelRevocationOf, &[&label()])
            disabled=move || !row.may_write.get() || submission.pending.get()
            aria-describedby=move || (!row.may_write.get()).then_some("read-only-reason")
            on:click=cancel
        >
            {t(Keys::CancelRevocation)}
        </button>
        {move || submission.error.get().map(|error| view! { <span class="field-error" role="alert">{error}</span> })}
    }
}

/// The scopes a new key can be given, from the widest to the narrowest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preset {
    FullAccess,
    KeyAdministration,
    ReadOnly,
    IntegrationOnly,
    Custom,
}

impl Preset {
    const ALL: [Preset; 5] =
        [Self::FullAccess, Self::KeyAdministration, Self::ReadOnly, Self::IntegrationOnly, Self::Custom];

    fn id(self) -> &'static str {
        match self {
            Self::FullAccess => "preset-full",
            Self::KeyAdministration => "preset-admin",
            Self::ReadOnly => "preset-read",
            Self::IntegrationOnly => "preset-integration",
            Self::Custom => "preset-custom",
        }
    }

    fn label(self) -> &'static str {
        t(match self {
            Self::FullAccess => Keys::PresetFullAccess,
            Self::KeyAdministration => Keys::PresetKeyAdministration,
            Self::ReadOnly => Keys::PresetReadOnly,
            Self::IntegrationOnly => Keys::PresetIntegrationOnly,
            Self::Custom => Keys::PresetCustom,
        })
    }

    /// The preset's own scopes; `None` for those typed in.
    fn fixed(self) -> Option<Scopes> {
        let text = match self {
            Self::FullAccess => "*",
            Self::KeyAdministration => "keys:write",
            Self::ReadOnly => "keys:read",
            Self::IntegrationOnly | Self::Custom => return None,
        };
        text.parse().ok()
    }

    /// The scopes chosen, with `typed` for the presets that take them.
    fn scopes(self, typed: &str) -> Result<Scopes, String> {
        if let Some(scopes) = self.fixed() {
            return Ok(scopes);
        }
        let scopes: Scopes = typed
            .parse()
            .map_err(|error: domain::model::InvalidInput| english_or(error.to_string(), Keys::ScopesRefused))?;
        let manages = scopes.is_all() || scopes.allow(KeyAccess::Read);
        if self == Self::IntegrationOnly && manages {
            return Err(t(Keys::IntegrationManagesKeys).to_owned());
        }
        Ok(scopes)
    }
}

#[component]
fn CreateKeyDialog(
    session_scopes: Scopes,
    owners: Vec<Owner>,
    on_created: UnsyncCallback<CreatedApiKey>,
    on_close: UnsyncCallback<()>,
) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    let scopes_field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let scopes_error = Submission::new().focus_on_refusal(scopes_field);
    let preset = RwSignal::new(Preset::IntegrationOnly);
    let policy = PolicyForm::of_key(None);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let (Some(input), Some(typed)) = (field.get(), scopes_field.get()) else { return };
        scopes_error.error.set(None);
        let chosen = preset.get_untracked().scopes(&typed.value());
        match (Description::parse(&input.value()), chosen) {
            (Err(message), _) => submission.refuse(english_or(message.to_string(), Common::DescriptionRefused)),
            (_, Err(message)) => scopes_error.refuse(message),
            (Ok(description), Ok(scopes)) => {
                let Some(policy) = policy.policy() else { return };
                submission
                    .run(server_fns::create_key(description, scopes, policy), move |created| on_created.run(created))
            }
        }
    };
    let presets = Preset::ALL.map(|choice| {
        // A key can only give what it holds: the server refuses the rest too.
        let grantable = choice.fixed().is_none_or(|scopes| session_scopes.may_grant(&scopes, &Scopes::default()));
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="preset"
                    id=choice.id()
                    checked=choice == Preset::IntegrationOnly
                    disabled=!grantable
                    aria-describedby=(!grantable).then_some("preset-reason")
                    on:change=move |_| preset.set(choice)
                />
                {choice.label()}
            </label>
        }
    });
    let typing = move || preset.with(|preset| preset.fixed().is_none());
    view! {
        <Modal title=t(Keys::CreateTitle) on_escape=on_close>
            <form on:submit=submit>
                <DescriptionField field=field submission=submission value=String::new()/>
                <fieldset>
                    <legend>{t(Keys::WhatKeyMayDo)}</legend>
                    {presets}
                    <p id="preset-reason" class="hint">{t(Keys::PresetReason)}</p>
                </fieldset>
                <div hidden=move || !typing()>
                    <ScopesField
                        id="scopes"
                        label=Signal::derive(move || t(if preset.get() == Preset::Custom { Keys::Scopes } else { Keys::YourApiScopes }))
                        field=scopes_field
                        error=scopes_error
                        value=String::new()
                        hint=t(Keys::CreateScopesHint)
                    />
                </div>
                <PolicyFields form=policy owners=owners/>
                <p class="hint">{t(Keys::ShownOnce)}</p>
                <FormActions submission=submission submit_label=t(Keys::CreateKey) on_close=on_close/>
            </form>
        </Modal>
    }
}

#[component]
fn EditKeyDialog(
    key: ApiKey,
    owners: Vec<Owner>,
    on_saved: UnsyncCallback<()>,
    on_close: UnsyncCallback<()>,
) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    let scopes_field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let scopes_error = Submission::new().focus_on_refusal(scopes_field);
    let title = tf(Keys::EditKey, &[&key.token_preview]);
    let policy = PolicyForm::of_key(Some(&key));
    let policy_before = key.policy();
    let (key_id, scopes_before, description_before) = (key.id, key.scopes.clone(), key.description.clone());
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let (Some(input), Some(typed)) = (field.get(), scopes_field.get()) else { return };
        scopes_error.error.set(None);
        let description = match Description::parse(&input.value()) {
            Ok(description) => description,
            Err(message) => return submission.refuse(english_or(message.to_string(), Common::DescriptionRefused)),
        };
        let scopes = match typed.value().parse::<Scopes>() {
            Ok(scopes) => scopes,
            Err(message) => return scopes_error.refuse(english_or(message.to_string(), Keys::ScopesRefused)),
        };
        let Some(after) = policy.policy() else { return };
        let before = &policy_before;
        // Only what changed is sent, and so audited.
        let update = KeyUpdate {
            description: (description.as_ref().map(Description::as_str) != description_before.as_deref())
                .then_some(description),
            scopes: (scopes != scopes_before).then_some(scopes),
            revoke_at: None,
            owner_id: (after.owner_id != before.owner_id).then_some(after.owner_id),
            meta: (after.meta != before.meta).then_some(after.meta),
            rate_limits: (after.rate_limits != before.rate_limits).then_some(after.rate_limits),
            credits: (after.credits != before.credits).then_some(after.credits),
            allowed_networks: (after.allowed_networks != before.allowed_networks).then_some(after.allowed_networks),
        };
        if update.is_empty() {
            return on_close.run(());
        }
        submission.run(server_fns::update_key(key_id.clone(), update), move |_| on_saved.run(()))
    };
    view! {
        <Modal title=title on_escape=on_close>
            <form on:submit=submit>
                <DescriptionField field=field submission=submission value=key.description.unwrap_or_default()/>
                <ScopesField
                    id="edit-scopes"
                    label=t(Keys::Scopes)
                    field=scopes_field
                    error=scopes_error
                    value=key.scopes.to_string()
                    hint=t(Keys::EditScopesHint)
                />
                <PolicyFields form=policy owners=owners/>
                <FormActions submission=submission submit_label=t(Keys::Save) on_close=on_close/>
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
    // The key's label stands out in the question, wherever the language puts it.
    let (before, after) = t(Keys::DeleteQuestion).split_once("{0}").unwrap_or_default();
    let key_id = key.id;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        submission.run(server_fns::delete_key(key_id.clone()), move |()| on_deleted.run(()));
    };
    view! {
        <Modal title=t(Keys::DeleteTitle) on_escape=on_close>
            <form on:submit=submit>
                <p>{before} <strong>{label}</strong> {after}</p>
                {is_session_key.then(|| view! {
                    <p class="warning">{t(Keys::DeleteSessionKey)}</p>
                })}
                <FormError id="delete-error" submission=submission/>
                <FormActions submission=submission submit_label=t(Keys::DeleteKey) destructive=true on_close=on_close/>
            </form>
        </Modal>
    }
}

/// A scopes input with its rules and its own refusal, announced and
/// linked to the field.
#[component]
fn ScopesField(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    field: NodeRef<html::Input>,
    error: Submission,
    value: String,
    hint: &'static str,
) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    view! {
        <label for=id>{move || label.get()}</label>
        <input
            id=id
            node_ref=field
            value=value
            autocomplete="off"
            spellcheck="false"
            aria-describedby=format!("{hint_id} {error_id}")
            aria-invalid=move || error.error.with(Option::is_some).to_string()
        />
        <p id=hint_id class="hint">{hint}</p>
        <FormError id=error_id submission=error/>
    }
}

/// The description input with its rules and its refusal.
#[component]
pub(crate) fn DescriptionField(
    field: NodeRef<html::Input>,
    submission: Submission,
    value: String,
    #[prop(default = t(Keys::DescriptionOptional))] label: &'static str,
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
            {tf(Keys::DescriptionHint, &[&Description::MAX_CHARS.to_string()])}
        </p>
        <FormError id="description-error" submission=submission/>
    }
}
