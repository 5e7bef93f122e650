//! The webhooks page (DESIGN.md section 16): where the region's events go.
//! List the endpoints, add one with its choice of events (its signing
//! secret through the one-time reveal), send a test event, see an
//! endpoint's deliveries and retry one, enable or disable it, rotate its
//! secret (revealed once again) and delete it.

use std::time::Duration;

use domain::model::{
    CreatedWebhook, DeliveryAttempt, Description, EventSelection, EventType, KeyAccess, MessageId, Webhook, WebhookId,
};
use leptos::callback::{Callable, UnsyncCallback};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::dialog::Modal;
use super::owners::{Page, PageNav};
use super::reveal::{RevealSecret, RevealWords};
use super::{Clock, DashboardData, FormActions, FormError, LoadStatus, Navigator, RelativeTime, Submission};
use crate::format;
use crate::i18n::common::Common;
use crate::i18n::webhooks::Webhooks;
use crate::i18n::{english_or, number, t, tf};
use crate::server_fns::ConsoleError;
use crate::server_fns::webhooks::{self as fns, WebhookChange};

/// How often an open deliveries view asks again, so an attempt shows as it happens.
const DELIVERIES_REFRESH: Duration = Duration::from_secs(2);

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let notice = Navigator::get().take_notice();
    let data = DashboardData::load();
    view! {
        <PageNav current=Page::Webhooks/>
        {notice.map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
        <LoadStatus data=data>
            <WebhooksSection data=data/>
        </LoadStatus>
    }
}

/// The region's endpoints, loaded when the page opens and after every
/// change. An ended session goes to sign-in.
#[derive(Clone, Copy)]
struct Endpoints {
    list: RwSignal<Option<Result<Vec<Webhook>, ConsoleError>>>,
    navigator: Navigator,
}

impl Endpoints {
    fn load() -> Self {
        let endpoints = Self { list: RwSignal::new(None), navigator: Navigator::get() };
        endpoints.reload();
        endpoints
    }

    fn reload(self) {
        spawn_local(async move {
            let result = fns::list_webhooks().await;
            if let Err(error) = &result
                && self.navigator.signed_out(error)
            {
                return;
            }
            self.list.try_set(Some(result));
        });
    }
}

/// Whether the list is there: changes only between these, so the table
/// (and the button that has focus in it) stays while the list reloads.
#[derive(Clone, Debug, PartialEq)]
enum ListState {
    Loading,
    Failed(ConsoleError),
    Loaded,
}

/// The dialog the webhooks page has open.
#[derive(Clone, Debug, PartialEq)]
enum WebhookDialog {
    Add,
    /// Holds the secret until the administrator confirms storing it; focus
    /// then returns to the element with id `opener`.
    Reveal {
        secret: CreatedWebhook,
        opener: String,
    },
    Deliveries(Webhook),
    Rotate(Webhook),
    Delete(Webhook),
}

/// What each row reads and acts on.
#[derive(Clone, Copy)]
struct RowContext {
    shown: Memo<Vec<Webhook>>,
    dialog: RwSignal<Option<WebhookDialog>>,
    may_write: Signal<bool>,
    endpoints: Endpoints,
    /// Announces what an action did, or why it failed.
    status: RwSignal<Option<String>>,
}

#[component]
fn WebhooksSection(data: DashboardData) -> impl IntoView {
    let may_write = data.select(|d| d.session_scopes().allow(KeyAccess::Write));
    let may_write = Signal::derive(move || may_write.get().unwrap_or(false));
    let endpoints = Endpoints::load();
    let shown = Memo::new(move |_| endpoints.list.with(|list| list.as_ref().and_then(|l| l.as_ref().ok()).cloned()));
    let shown = Memo::new(move |_| shown.get().unwrap_or_default());
    let state = Memo::new(move |_| {
        endpoints.list.with(|list| match list {
            None => ListState::Loading,
            Some(Err(error)) => ListState::Failed(error.clone()),
            Some(Ok(_)) => ListState::Loaded,
        })
    });
    let dialog = RwSignal::new(None::<WebhookDialog>);
    let status = RwSignal::new(None::<String>);
    let row = RowContext { shown, dialog, may_write, endpoints, status };
    let close = UnsyncCallback::new(move |()| dialog.set(None));
    // Closes the dialog, announces what it did and reloads the endpoints.
    let done = move |said: String| {
        status.set(Some(said));
        dialog.set(None);
        endpoints.reload();
    };
    let revealed = move |opener: String| {
        UnsyncCallback::new(move |secret: CreatedWebhook| {
            dialog.set(Some(WebhookDialog::Reveal { secret, opener: opener.clone() }));
            endpoints.reload();
        })
    };
    let table = move || match state.get() {
        ListState::Loading => view! { <p class="loading" role="status">{t(Common::Loading)}</p> }.into_any(),
        ListState::Failed(error) => view! {
            <div class="error-state" role="alert">
                <p>{tf(Webhooks::CouldNotLoad, &[&error.localized()])}</p>
                <button type="button" on:click=move |_| endpoints.reload()>{t(Common::TryAgain)}</button>
            </div>
        }
        .into_any(),
        ListState::Loaded => view! {
            <Show
                when=move || shown.with(|shown| !shown.is_empty())
                fallback=|| view! { <p class="empty-state">{t(Webhooks::NoEndpoints)}</p> }
            >
                <div class="table-scroll">
                    <table class="webhooks" aria-labelledby="webhooks-heading">
                        <thead>
                            <tr>
                                <th scope="col">{t(Webhooks::Url)}</th>
                                <th scope="col">{t(Webhooks::Events)}</th>
                                <th scope="col">{t(Webhooks::State)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Webhooks::Actions)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || shown.get()
                                key=|endpoint| endpoint.id.clone()
                                children=move |endpoint| endpoint_row(endpoint.id, row)
                            />
                        </tbody>
                    </table>
                </div>
            </Show>
        }
        .into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="webhooks-heading">
            <div class="section-head">
                <h1 id="webhooks-heading">{t(Webhooks::WebhooksPage)}</h1>
                <button
                    type="button"
                    id="add-webhook"
                    class="primary"
                    disabled=move || !may_write.get()
                    aria-describedby=move || (!may_write.get()).then_some("webhooks-read-only-reason")
                    on:click=move |_| dialog.set(Some(WebhookDialog::Add))
                >
                    {t(Webhooks::AddEndpoint)}
                </button>
            </div>
            <p>{t(Webhooks::Intro)}</p>
            <Show when=move || !may_write.get()>
                <p id="webhooks-read-only-reason" class="hint">{t(Webhooks::ReadOnlyReason)}</p>
            </Show>
            <p class="action-status" role="status">{move || status.get()}</p>
            {table}
        </section>
        {move || dialog.get().map(|open| match open {
            WebhookDialog::Add => view! {
                <AddEndpointDialog on_created=revealed("add-webhook".to_owned()) on_close=close/>
            }
            .into_any(),
            WebhookDialog::Reveal { secret: CreatedWebhook { webhook: endpoint, secret }, opener } => {
                let url = endpoint.url.to_string();
                let label = tf(Webhooks::SecretOf, &[&url]);
                let stored = UnsyncCallback::new(move |()| done(tf(Webhooks::SecretStored, &[&url])));
                view! {
                    <Modal title=t(Webhooks::SecretTitle) return_focus_to=opener>
                        <RevealSecret
                            label=label
                            secret=secret
                            field_id="revealed-secret"
                            words=secret_words()
                            on_stored=stored
                        />
                    </Modal>
                }
                .into_any()
            }
            WebhookDialog::Deliveries(endpoint) => {
                // What the deliveries showed may have changed the endpoint (failing, or not any more).
                let closed = UnsyncCallback::new(move |()| {
                    dialog.set(None);
                    endpoints.reload();
                });
                view! { <DeliveriesDialog endpoint=endpoint may_write=may_write on_close=closed/> }.into_any()
            }
            WebhookDialog::Rotate(endpoint) => {
                let opener = format!("rotate-webhook-{}", endpoint.id);
                view! { <RotateSecretDialog endpoint=endpoint on_rotated=revealed(opener) on_close=close/> }.into_any()
            }
            WebhookDialog::Delete(endpoint) => {
                let said = tf(Webhooks::Deleted, &[endpoint.url.as_url().as_str()]);
                let deleted = UnsyncCallback::new(move |()| done(said.clone()));
                view! { <DeleteEndpointDialog endpoint=endpoint on_deleted=deleted on_close=close/> }.into_any()
            }
        })}
    }
}

/// How the one-time reveal speaks of a signing secret.
fn secret_words() -> RevealWords {
    RevealWords {
        store_now: t(Webhooks::StoreNow),
        why: t(Webhooks::WhyOnce),
        copy: t(Webhooks::CopySecret),
        stored: t(Webhooks::Stored),
        leave_warning: t(Webhooks::LeaveWarning),
    }
}

/// "All events", or the chosen events' names.
fn events_words(events: &EventSelection) -> String {
    let names = Vec::<String>::from(events.clone());
    if names.iter().any(|name| name == "*") { t(Webhooks::AllEvents).to_owned() } else { names.join(", ") }
}

/// Why an endpoint is disabled, in the console's words.
fn disabled_words(reason: Option<&str>) -> String {
    match reason {
        Some("failing") => t(Webhooks::DisabledFailing).to_owned(),
        Some("disabled by an administrator") | None => t(Webhooks::DisabledByAdministrator).to_owned(),
        Some(other) => other.to_owned(),
    }
}

/// A row stays mounted while its endpoint exists (its buttons keep focus);
/// its cells follow the endpoint's current values.
fn endpoint_row(id: WebhookId, row: RowContext) -> impl IntoView {
    let endpoint = Memo::new({
        let id = id.clone();
        move |_| row.shown.with(|shown| shown.iter().find(|endpoint| endpoint.id == id).cloned())
    });
    let read = move |pick: fn(&Webhook) -> String| {
        move || endpoint.with(|endpoint| endpoint.as_ref().map(pick).unwrap_or_default())
    };
    let url = read(|endpoint| endpoint.url.to_string());
    let description = read(|endpoint| endpoint.description.clone().unwrap_or_default());
    let enabled = move || endpoint.with(|endpoint| endpoint.as_ref().is_some_and(|endpoint| endpoint.enabled));
    // After a rotation the old secret signs too, until then.
    let previous_until = move || {
        endpoint.with(|endpoint| endpoint.as_ref()?.previous_secret_until.filter(|until| *until > Clock::now()))
    };
    let failing_since = Signal::derive(move || endpoint.with(|endpoint| endpoint.as_ref()?.failing_since));
    let state = move || {
        endpoint.with(|endpoint| {
            let endpoint = endpoint.as_ref()?;
            Some(if !endpoint.enabled {
                view! { <span class="webhook-state disabled">{tf(Webhooks::Disabled, &[&disabled_words(endpoint.disabled_reason.as_deref())])}</span> }
                    .into_any()
            } else if endpoint.failing_since.is_some() {
                view! {
                    <span class="webhook-state failing">
                        {t(Webhooks::FailingSince)} " " <RelativeTime at=failing_since/>
                    </span>
                }
                .into_any()
            } else {
                view! { <span class="webhook-state">{t(Webhooks::Enabled)}</span> }.into_any()
            })
        })
    };
    let open = move |make: fn(Webhook) -> WebhookDialog| {
        move |_| {
            if let Some(endpoint) = endpoint.get_untracked() {
                row.dialog.set(Some(make(endpoint)));
            }
        }
    };
    let navigator = Navigator::get();
    // Runs `call` for this endpoint; says `said` when it is done, or why it failed.
    let act = move |call: std::pin::Pin<Box<dyn Future<Output = Result<(), ConsoleError>>>>, said: String| {
        spawn_local(async move {
            match call.await {
                Ok(()) => {
                    row.status.try_set(Some(said));
                    row.endpoints.reload();
                }
                Err(error) if navigator.signed_out(&error) => {}
                Err(error) => {
                    row.status.try_set(Some(format::sentence(error.localized())));
                }
            }
        });
    };
    let send_test = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            act(Box::pin(async move { fns::test_webhook(id).await.map(|_| ()) }), tf(Webhooks::TestSent, &[&url()]));
        }
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            let (id, enable) = (id.clone(), !enabled());
            let said = tf(if enable { Webhooks::WasEnabled } else { Webhooks::WasDisabled }, &[&url()]);
            let change = WebhookChange { enabled: Some(enable), ..WebhookChange::default() };
            act(Box::pin(async move { fns::update_webhook(id, change).await.map(|_| ()) }), said);
        }
    };
    let not_allowed = move || !row.may_write.get();
    let reason = move || (!row.may_write.get()).then_some("webhooks-read-only-reason");
    view! {
        <tr>
            <td class="webhook-url">
                <code>{url}</code>
                <Show when=move || !description().is_empty()>
                    <br/>
                    <span class="muted">{description}</span>
                </Show>
                {move || previous_until().map(|until| view! {
                    <br/>
                    <span class="muted">{tf(Webhooks::PreviousSecretUntil, &[&format::exact(until)])}</span>
                })}
            </td>
            <td class="webhook-events">{move || endpoint.with(|endpoint| endpoint.as_ref().map(|endpoint| events_words(&endpoint.events)))}</td>
            <td>{state}</td>
            <td class="row-actions">
                <button
                    type="button"
                    id=format!("test-webhook-{id}")
                    aria-label=move || tf(Webhooks::SendTestTo, &[&url()])
                    disabled=not_allowed
                    aria-describedby=reason
                    on:click=send_test
                >
                    {t(Webhooks::SendTest)}
                </button>
                <button
                    type="button"
                    id=format!("deliveries-webhook-{id}")
                    aria-label=move || tf(Webhooks::DeliveriesOf, &[&url()])
                    on:click=open(WebhookDialog::Deliveries)
                >
                    {t(Webhooks::Deliveries)}
                </button>
                <button
                    type="button"
                    id=format!("toggle-webhook-{id}")
                    aria-label=move || tf(if enabled() { Webhooks::DisableUrl } else { Webhooks::EnableUrl }, &[&url()])
                    disabled=not_allowed
                    aria-describedby=reason
                    on:click=toggle
                >
                    {move || t(if enabled() { Webhooks::Disable } else { Webhooks::Enable })}
                </button>
                <button
                    type="button"
                    id=format!("rotate-webhook-{id}")
                    aria-label=move || tf(Webhooks::RotateSecretOf, &[&url()])
                    disabled=not_allowed
                    aria-describedby=reason
                    on:click=open(WebhookDialog::Rotate)
                >
                    {t(Webhooks::RotateSecret)}
                </button>
                <button
                    type="button"
                    id=format!("delete-webhook-{id}")
                    class="danger"
                    aria-label=move || tf(Webhooks::DeleteUrl, &[&url()])
                    disabled=not_allowed
                    aria-describedby=reason
                    on:click=open(WebhookDialog::Delete)
                >
                    {t(Webhooks::Delete)}
                </button>
            </td>
        </tr>
    }
}

/// The events an endpoint can choose; every endpoint gets the test events it asks for.
const CHOOSABLE: [(EventType, Webhooks); 9] = [
    (EventType::ApiKeyCreated, Webhooks::EventCreated),
    (EventType::ApiKeyUpdated, Webhooks::EventUpdated),
    (EventType::ApiKeyRevocationScheduled, Webhooks::EventRevocationScheduled),
    (EventType::ApiKeyRevokedOnSchedule, Webhooks::EventRevokedOnSchedule),
    (EventType::ApiKeyDeleted, Webhooks::EventDeleted),
    (EventType::ApiKeyQuarantined, Webhooks::EventQuarantined),
    (EventType::ApiKeyRateLimited, Webhooks::EventRateLimited),
    (EventType::ApiKeyCreditsLow, Webhooks::EventCreditsLow),
    (EventType::ApiKeyCreditsExhausted, Webhooks::EventCreditsExhausted),
];

/// Adds an endpoint: its URL (checked by the server, which says why it
/// refuses one), a description and its events.
#[component]
fn AddEndpointDialog(on_created: UnsyncCallback<CreatedWebhook>, on_close: UnsyncCallback<()>) -> impl IntoView {
    let url_field = NodeRef::<html::Input>::new();
    let description_field = NodeRef::<html::Input>::new();
    let only_field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(url_field);
    let events_error = Submission::new().focus_on_refusal(only_field);
    let all = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<EventType>::new());
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let (Some(url), Some(description)) = (url_field.get(), description_field.get()) else { return };
        events_error.error.set(None);
        let description = match Description::parse(&description.value()) {
            Ok(description) => description,
            Err(message) => return submission.refuse(english_or(message.to_string(), Common::DescriptionRefused)),
        };
        let events = if all.get_untracked() {
            EventSelection::all()
        } else {
            let names = chosen.get_untracked().into_iter().map(|event| event.as_str().to_owned()).collect::<Vec<_>>();
            match EventSelection::try_from(names) {
                Ok(events) => events,
                Err(_) => return events_error.refuse(t(Webhooks::ChooseAnEvent).to_owned()),
            }
        };
        submission.run(fns::create_webhook(url.value(), events, description), move |created| on_created.run(created));
    };
    let choices = CHOOSABLE.map(|(event, words)| {
        let id = format!("event-{}", event.as_str().replace('.', "-"));
        let checked = move || chosen.with(|chosen| chosen.contains(&event));
        view! {
            <label class="choice">
                <input
                    type="checkbox"
                    id=id
                    prop:checked=checked
                    disabled=move || all.get()
                    on:change:target=move |ev| {
                        let on = ev.target().checked();
                        chosen.update(|chosen| {
                            chosen.retain(|other| *other != event);
                            if on {
                                chosen.push(event);
                            }
                        });
                    }
                />
                {t(words)}
                " "
                <code>{event.as_str()}</code>
            </label>
        }
    });
    view! {
        <Modal title=t(Webhooks::AddTitle) on_escape=on_close>
            // The server checks the URL and says why it refuses one.
            <form novalidate on:submit=submit>
                <label for="webhook-url">{t(Webhooks::Url)}</label>
                <input
                    id="webhook-url"
                    node_ref=url_field
                    type="url"
                    inputmode="url"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="webhook-url-hint webhook-url-error"
                    aria-invalid=move || submission.error.with(Option::is_some).to_string()
                />
                <p id="webhook-url-hint" class="hint">{t(Webhooks::UrlHint)}</p>
                <FormError id="webhook-url-error" submission=submission/>
                <label for="webhook-description">{t(Webhooks::DescriptionOptional)}</label>
                <input id="webhook-description" node_ref=description_field autocomplete="off"/>
                <fieldset aria-describedby="webhook-events-hint webhook-events-error">
                    <legend>{t(Webhooks::Events)}</legend>
                    <p id="webhook-events-hint" class="hint">{t(Webhooks::EventsHint)}</p>
                    <label class="choice">
                        <input type="radio" name="events" id="events-all" checked=true on:change=move |_| all.set(true)/>
                        {t(Webhooks::AllEventsChoice)}
                    </label>
                    <label class="choice">
                        <input type="radio" name="events" id="events-only" node_ref=only_field on:change=move |_| all.set(false)/>
                        {t(Webhooks::OnlyTheseEvents)}
                    </label>
                    <div class="event-choices">{choices}</div>
                    <FormError id="webhook-events-error" submission=events_error/>
                </fieldset>
                <FormActions submission=submission submit_label=t(Webhooks::AddEndpoint) on_close=on_close/>
            </form>
        </Modal>
    }
}

/// Asks before rotating: the new secret is revealed once, and the old one
/// keeps signing too for 24 hours.
#[component]
fn RotateSecretDialog(
    endpoint: Webhook,
    on_rotated: UnsyncCallback<CreatedWebhook>,
    on_close: UnsyncCallback<()>,
) -> impl IntoView {
    let submission = Submission::new();
    let (before, after) = t(Webhooks::RotateQuestion).split_once("{0}").unwrap_or_default();
    let Webhook { id, url, .. } = endpoint;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        submission.run(fns::rotate_webhook_secret(id.clone()), move |rotated| on_rotated.run(rotated));
    };
    view! {
        <Modal title=t(Webhooks::RotateTitle) on_escape=on_close>
            <form on:submit=submit>
                <p>{before} <code>{url.to_string()}</code> {after}</p>
                <FormError id="rotate-webhook-error" submission=submission/>
                <FormActions submission=submission submit_label=t(Webhooks::RotateSecret) on_close=on_close/>
            </form>
        </Modal>
    }
}

/// Deletes an endpoint after a confirmation that names it.
#[component]
fn DeleteEndpointDialog(
    endpoint: Webhook,
    on_deleted: UnsyncCallback<()>,
    on_close: UnsyncCallback<()>,
) -> impl IntoView {
    let submission = Submission::new();
    let (before, after) = t(Webhooks::DeleteQuestion).split_once("{0}").unwrap_or_default();
    let Webhook { id, url, .. } = endpoint;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        submission.run(fns::delete_webhook(id.clone()), move |()| on_deleted.run(()));
    };
    view! {
        <Modal title=t(Webhooks::DeleteTitle) on_escape=on_close>
            <form on:submit=submit>
                <p>{before} <code>{url.to_string()}</code> {after}</p>
                <FormError id="delete-webhook-error" submission=submission/>
                <FormActions submission=submission submit_label=t(Webhooks::DeleteEndpoint) destructive=true on_close=on_close/>
            </form>
        </Modal>
    }
}

/// What became of a message's attempt, in the console's words.
fn message_state_words(state: &str) -> String {
    match state {
        "pending" => t(Webhooks::StatePending).to_owned(),
        "delivered" => t(Webhooks::StateDelivered).to_owned(),
        "failed" => t(Webhooks::StateGivenUp).to_owned(),
        other => other.to_owned(),
    }
}

/// An attempt's answer: the receiver's status, or why there was none.
fn outcome_words(attempt: &DeliveryAttempt) -> String {
    match (attempt.status, &attempt.error) {
        (Some(status), _) => tf(Webhooks::Status, &[&status.to_string()]),
        (None, Some(error)) => error.clone(),
        (None, None) => t(Webhooks::NoAnswer).to_owned(),
    }
}

/// An endpoint's delivery attempts, newest first, asked again every 2 s
/// while open; each message can be sent again now.
#[component]
fn DeliveriesDialog(endpoint: Webhook, may_write: Signal<bool>, on_close: UnsyncCallback<()>) -> impl IntoView {
    let attempts = RwSignal::new(None::<Result<Vec<DeliveryAttempt>, ConsoleError>>);
    let status = RwSignal::new(None::<String>);
    let navigator = Navigator::get();
    let Webhook { id, url, .. } = endpoint;
    let load = {
        let id = id.clone();
        move || {
            let id = id.clone();
            spawn_local(async move {
                let result = fns::load_webhook_deliveries(id).await;
                if let Err(error) = &result
                    && navigator.signed_out(error)
                {
                    return;
                }
                attempts.try_set(Some(result));
            });
        }
    };
    load();
    if let Ok(refresh) = set_interval_with_handle(load.clone(), DELIVERIES_REFRESH) {
        on_cleanup(move || refresh.clear());
    }
    let shown = Memo::new(move |_| attempts.with(|a| a.as_ref().and_then(|a| a.as_ref().ok()).cloned()));
    let shown = Memo::new(move |_| shown.get().unwrap_or_default());
    let state = Memo::new(move |_| {
        attempts.with(|attempts| match attempts {
            None => ListState::Loading,
            Some(Err(error)) => ListState::Failed(error.clone()),
            Some(Ok(_)) => ListState::Loaded,
        })
    });
    let retry = move |message_id: MessageId| {
        let (id, load) = (id.clone(), load.clone());
        spawn_local(async move {
            match fns::retry_webhook_delivery(id, message_id.clone()).await {
                Ok(()) => {
                    status.try_set(Some(tf(Webhooks::Retrying, &[message_id.as_str()])));
                    load();
                }
                Err(error) if navigator.signed_out(&error) => {}
                Err(error) => {
                    status.try_set(Some(format::sentence(error.localized())));
                }
            }
        });
    };
    let retry = StoredValue::new_local(retry);
    let list = move || match state.get() {
        ListState::Loading => view! { <p class="loading" role="status">{t(Common::Loading)}</p> }.into_any(),
        ListState::Failed(error) => view! {
            <p class="field-error" role="alert">{tf(Webhooks::CouldNotLoadDeliveries, &[&error.localized()])}</p>
        }
        .into_any(),
        ListState::Loaded => view! {
            <Show
                when=move || shown.with(|shown| !shown.is_empty())
                fallback=|| view! { <p class="empty-state">{t(Webhooks::NoDeliveries)}</p> }
            >
                <div class="table-scroll">
                    <table class="deliveries" aria-labelledby="modal-title">
                        <thead>
                            <tr>
                                <th scope="col">{t(Webhooks::Time)}</th>
                                <th scope="col">{t(Webhooks::Event)}</th>
                                <th scope="col">{t(Webhooks::Attempt)}</th>
                                <th scope="col">{t(Webhooks::Outcome)}</th>
                                <th scope="col">{t(Webhooks::Duration)}</th>
                                <th scope="col">{t(Webhooks::MessageState)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Webhooks::Actions)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || shown.get()
                                key=|attempt| (attempt.message_id.clone(), attempt.attempt)
                                children=move |attempt| attempt_row(attempt, shown, may_write, retry)
                            />
                        </tbody>
                    </table>
                </div>
            </Show>
        }
        .into_any(),
    };
    view! {
        <Modal title=tf(Webhooks::DeliveriesOf, &[url.as_url().as_str()]) on_escape=on_close>
            <p class="hint">{t(Webhooks::DeliveriesHint)}</p>
            <p class="action-status" role="status">{move || status.get()}</p>
            {list}
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| on_close.run(())>{t(Common::Close)}</button>
            </div>
        </Modal>
    }
}

/// A row per attempt; its message's state follows the latest answer.
fn attempt_row(
    attempt: DeliveryAttempt,
    shown: Memo<Vec<DeliveryAttempt>>,
    may_write: Signal<bool>,
    retry: StoredValue<impl Fn(MessageId) + 'static, LocalStorage>,
) -> impl IntoView {
    let message_id = attempt.message_id.clone();
    let message_state = Memo::new({
        let message_id = message_id.clone();
        move |_| {
            shown.with(|shown| {
                shown
                    .iter()
                    .find(|other| other.message_id == message_id)
                    .map(|latest| latest.message_state.clone())
                    .unwrap_or_default()
            })
        }
    });
    let event = attempt.event_type.as_str();
    let label = tf(Webhooks::RetryMessage, &[event, message_id.as_str()]);
    let at = Signal::stored(Some(attempt.at));
    view! {
        <tr>
            <td><RelativeTime at=at/></td>
            <td><code>{event}</code></td>
            <td>{number(u64::from(attempt.attempt))}</td>
            <td class="delivery-outcome">{outcome_words(&attempt)}</td>
            <td>{tf(Webhooks::Milliseconds, &[&number(attempt.duration_ms)])}</td>
            <td>{move || message_state_words(&message_state.get())}</td>
            <td class="row-actions">
                <button
                    type="button"
                    aria-label=label
                    disabled=move || !may_write.get()
                    on:click=move |_| retry.with_value(|retry| retry(message_id.clone()))
                >
                    {t(Webhooks::RetryNow)}
                </button>
            </td>
        </tr>
    }
}
