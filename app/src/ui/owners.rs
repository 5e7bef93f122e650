//! The owners page: who the region's keys belong to, with the limits and
//! credits each owner's keys share. List, create, edit, delete (refused
//! while the owner has keys) and its keys. Also the navigation between the
//! console's pages.

use domain::model::{ApiKey, KeyAccess, NewOwner, Owner, OwnerId, OwnerUpdate};
use leptos::callback::{Callable, UnsyncCallback};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::dialog::Modal;
use super::policy::{PolicyFields, PolicyForm};
use super::{DashboardData, FormActions, FormError, LoadStatus, Navigator, RelativeTime, Submission};
use crate::i18n::common::Common;
use crate::i18n::owners::Owners;
use crate::i18n::{number, t, tf};
use crate::{policy_form, server_fns};

/// The console's pages with data of the region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    Keys,
    Owners,
    Webhooks,
}

/// Links between the console's pages; the current one is marked.
#[component]
pub(crate) fn PageNav(current: Page) -> impl IntoView {
    let link = |page: Page, href: &'static str, text: Owners| {
        view! { <a href=href aria-current=(page == current).then_some("page")>{t(text)}</a> }
    };
    view! {
        <nav class="page-nav" aria-label=t(Owners::ConsolePages)>
            {link(Page::Keys, "/", Owners::KeysPage)}
            {link(Page::Owners, "/owners", Owners::OwnersPage)}
            {link(Page::Webhooks, "/webhooks", Owners::WebhooksPage)}
        </nav>
    }
}

#[component]
pub fn OwnersPage() -> impl IntoView {
    let notice = Navigator::get().take_notice();
    let data = DashboardData::load();
    view! {
        <PageNav current=Page::Owners/>
        {notice.map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
        <LoadStatus data=data>
            <OwnersSection data=data/>
        </LoadStatus>
    }
}

/// The dialog the owners page has open.
#[derive(Clone, Debug, PartialEq)]
enum OwnerDialog {
    Create,
    Edit(Owner),
    Delete(Owner),
    Keys(Owner),
}

#[component]
fn OwnersSection(data: DashboardData) -> impl IntoView {
    let owners = data.select(|d| d.owners.clone());
    let owners = Memo::new(move |_| owners.get().unwrap_or_default());
    let keys = data.select(|d| d.overview.api_keys.clone());
    let keys = Memo::new(move |_| keys.get().unwrap_or_default());
    let may_write = data.select(|d| d.session_scopes().allow(KeyAccess::Write));
    let may_write = Signal::derive(move || may_write.get().unwrap_or(false));
    let dialog = RwSignal::new(None::<OwnerDialog>);
    let status = RwSignal::new(None::<String>);
    let close = UnsyncCallback::new(move |()| dialog.set(None));
    // Closes the dialog, announces what it did and reloads the owners.
    let done = move |said: String| {
        status.set(Some(said));
        dialog.set(None);
        data.refresh(server_fns::list_owners(), |dashboard, owners| dashboard.owners = owners);
    };
    let saved =
        move |words: Owners| UnsyncCallback::new(move |owner: Owner| done(tf(words, &[owner.external_id.as_str()])));
    view! {
        <section class="panel" aria-labelledby="owners-heading">
            <div class="section-head">
                <h1 id="owners-heading">{t(Owners::OwnersPage)}</h1>
                <button
                    type="button"
                    id="create-owner"
                    class="primary"
                    disabled=move || !may_write.get()
                    aria-describedby=move || (!may_write.get()).then_some("owners-read-only-reason")
                    on:click=move |_| dialog.set(Some(OwnerDialog::Create))
                >
                    {t(Owners::CreateOwner)}
                </button>
            </div>
            <p>{t(Owners::Intro)}</p>
            <Show when=move || !may_write.get()>
                <p id="owners-read-only-reason" class="hint">{t(Owners::ReadOnlyReason)}</p>
            </Show>
            <p class="visually-hidden" role="status">{move || status.get()}</p>
            <Show
                when=move || owners.with(|owners| !owners.is_empty())
                fallback=|| view! { <p class="empty-state">{t(Owners::NoOwners)}</p> }
            >
                <div class="table-scroll">
                    <table class="owners" aria-labelledby="owners-heading">
                        <thead>
                            <tr>
                                <th scope="col">{t(Owners::ExternalId)}</th>
                                <th scope="col">{t(Owners::Keys)}</th>
                                <th scope="col">{t(Owners::RateLimits)}</th>
                                <th scope="col">{t(Owners::Credits)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Owners::Actions)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || owners.get()
                                key=|owner| owner.id.clone()
                                children=move |owner| owner_row(owner.id, owners, dialog, may_write)
                            />
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
        {move || dialog.get().map(|open| match open {
            OwnerDialog::Create => {
                view! { <OwnerFormDialog owner=None on_saved=saved(Owners::Created) on_close=close/> }.into_any()
            }
            OwnerDialog::Edit(owner) => {
                view! { <OwnerFormDialog owner=Some(owner) on_saved=saved(Owners::Saved) on_close=close/> }.into_any()
            }
            OwnerDialog::Delete(owner) => {
                let said = tf(Owners::Deleted, &[owner.external_id.as_str()]);
                let deleted = UnsyncCallback::new(move |()| done(said.clone()));
                view! { <DeleteOwnerDialog owner=owner on_deleted=deleted on_close=close/> }.into_any()
            }
            OwnerDialog::Keys(owner) => {
                let owned = keys.with_untracked(|keys| {
                    keys.iter().filter(|key| key.owner_id.as_ref() == Some(&owner.id)).cloned().collect::<Vec<_>>()
                });
                view! { <OwnerKeysDialog owner=owner keys=owned on_close=close/> }.into_any()
            }
        })}
    }
}

/// A row stays mounted while its owner exists (its buttons keep focus);
/// its cells follow the owner's current values.
fn owner_row(
    id: OwnerId,
    owners: Memo<Vec<Owner>>,
    dialog: RwSignal<Option<OwnerDialog>>,
    may_write: Signal<bool>,
) -> impl IntoView {
    let owner = Memo::new({
        let id = id.clone();
        move |_| owners.with(|owners| owners.iter().find(|owner| owner.id == id).cloned())
    });
    let read =
        move |pick: fn(&Owner) -> String| move || owner.with(|owner| owner.as_ref().map(pick).unwrap_or_default());
    let name = read(|owner| owner.external_id.as_str().to_owned());
    let limits = read(|owner| {
        if owner.rate_limits.is_empty() {
            t(Owners::NoLimits).to_owned()
        } else {
            policy_form::rate_limits_words(&owner.rate_limits)
        }
    });
    let open = move |make: fn(Owner) -> OwnerDialog| {
        move |_| {
            if let Some(owner) = owner.get_untracked() {
                dialog.set(Some(make(owner)));
            }
        }
    };
    view! {
        <tr>
            <td class="external-id">{name}</td>
            <td>{read(|owner| number(owner.key_count))}</td>
            <td>{limits}</td>
            <td>{read(|owner| policy_form::credits_words(owner.credits.as_ref()))}</td>
            <td class="row-actions">
                <button
                    type="button"
                    id=format!("owner-keys-{id}")
                    aria-label=move || tf(Owners::ShowKeysOf, &[&name()])
                    on:click=open(OwnerDialog::Keys)
                >
                    {t(Owners::ShowKeys)}
                </button>
                <button
                    type="button"
                    id=format!("edit-owner-{id}")
                    aria-label=move || tf(Owners::EditOwner, &[&name()])
                    disabled=move || !may_write.get()
                    aria-describedby=move || (!may_write.get()).then_some("owners-read-only-reason")
                    on:click=open(OwnerDialog::Edit)
                >
                    {t(Owners::Edit)}
                </button>
                <button
                    type="button"
                    id=format!("delete-owner-{id}")
                    class="danger"
                    aria-label=move || tf(Owners::DeleteOwnerLabel, &[&name()])
                    disabled=move || !may_write.get()
                    aria-describedby=move || (!may_write.get()).then_some("owners-read-only-reason")
                    on:click=open(OwnerDialog::Delete)
                >
                    {t(Owners::Delete)}
                </button>
            </td>
        </tr>
    }
}

/// Creates an owner, or edits `owner`: its external id, limits, credits
/// and meta. Only what changed is sent.
#[component]
fn OwnerFormDialog(
    owner: Option<Owner>,
    on_saved: UnsyncCallback<Owner>,
    on_close: UnsyncCallback<()>,
) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let policy = PolicyForm::of_owner(owner.as_ref());
    let (title, submit_label) = match &owner {
        Some(owner) => (tf(Owners::EditOwner, &[owner.external_id.as_str()]), t(Owners::Save)),
        None => (t(Owners::CreateTitle).to_owned(), t(Owners::CreateOwner)),
    };
    let value = owner.as_ref().map(|owner| owner.external_id.as_str().to_owned()).unwrap_or_default();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        let external_id = match policy_form::external_id(&input.value()) {
            Ok(external_id) => external_id,
            Err(message) => return submission.refuse(message),
        };
        let Some(after) = policy.policy() else { return };
        let on_saved = move |owner| on_saved.run(owner);
        match &owner {
            None => {
                let new =
                    NewOwner { external_id, meta: after.meta, rate_limits: after.rate_limits, credits: after.credits };
                submission.run(server_fns::create_owner(new), on_saved);
            }
            Some(before) => {
                let update = OwnerUpdate {
                    external_id: (external_id != before.external_id).then_some(external_id),
                    meta: (after.meta != before.meta).then_some(after.meta),
                    rate_limits: (after.rate_limits != before.rate_limits).then_some(after.rate_limits),
                    credits: (after.credits != before.credits).then_some(after.credits),
                };
                if update.is_empty() {
                    return on_close.run(());
                }
                submission.run(server_fns::update_owner(before.id.clone(), update), on_saved);
            }
        }
    };
    view! {
        <Modal title=title on_escape=on_close>
            <form on:submit=submit>
                <label for="external-id">{t(Owners::ExternalId)}</label>
                <input
                    id="external-id"
                    node_ref=field
                    value=value
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="external-id-hint external-id-error"
                    aria-invalid=move || submission.error.with(Option::is_some).to_string()
                />
                <p id="external-id-hint" class="hint">{t(Owners::ExternalIdHint)}</p>
                <FormError id="external-id-error" submission=submission/>
                <p class="hint">{t(Owners::SharedHint)}</p>
                <PolicyFields form=policy/>
                <FormActions submission=submission submit_label=submit_label on_close=on_close/>
            </form>
        </Modal>
    }
}

/// Deletes an owner after confirmation; the server refuses while it has
/// keys, and that refusal is shown here.
#[component]
fn DeleteOwnerDialog(owner: Owner, on_deleted: UnsyncCallback<()>, on_close: UnsyncCallback<()>) -> impl IntoView {
    let submission = Submission::new();
    let (before, after) = t(Owners::DeleteQuestion).split_once("{0}").unwrap_or_default();
    let name = owner.external_id.as_str().to_owned();
    let owner_id = owner.id;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        submission.run(server_fns::delete_owner(owner_id.clone()), move |()| on_deleted.run(()));
    };
    view! {
        <Modal title=t(Owners::DeleteTitle) on_escape=on_close>
            <form on:submit=submit>
                <p>{before} <strong>{name}</strong> {after}</p>
                <FormError id="delete-owner-error" submission=submission/>
                <FormActions submission=submission submit_label=t(Owners::DeleteOwner) destructive=true on_close=on_close/>
            </form>
        </Modal>
    }
}

/// The keys that belong to an owner.
#[component]
fn OwnerKeysDialog(owner: Owner, keys: Vec<ApiKey>, on_close: UnsyncCallback<()>) -> impl IntoView {
    let title = tf(Owners::ShowKeysOf, &[owner.external_id.as_str()]);
    let list = if keys.is_empty() {
        view! { <p>{t(Owners::NoKeys)}</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table aria-labelledby="modal-title">
                    <thead>
                        <tr>
                            <th scope="col">{t(Owners::Description)}</th>
                            <th scope="col">{t(Owners::Key)}</th>
                            <th scope="col">{t(Owners::LastUsed)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {keys
                            .into_iter()
                            .map(|key| view! {
                                <tr>
                                    <td>{key.description.clone().unwrap_or_else(|| t(Common::NoDescription).to_owned())}</td>
                                    <td><code>{key.token_preview.clone()}</code></td>
                                    <td><RelativeTime at=Signal::stored(key.last_used_at)/></td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <Modal title=title on_escape=on_close>
            {list}
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>{t(Common::Close)}</button>
            </div>
        </Modal>
    }
}
