//! The rotation wizard: create -> update -> verify -> delete. The rotation
//! itself is stored server-side, so a reload or another browser resumes it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::model::{
    self, ApiKey, CreatedApiKey, Description, KeyId, OldKeyRevocation, RegionOverview, RotationId, SessionAfterRotation,
};
use gloo_net::http::{Request, Response};
use leptos::callback::UnsyncCallback;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use super::dialog::Modal;
use super::keys::DescriptionField;
use super::reveal::OneTimeReveal;
use super::usage::CutOverCharts;
use super::{Clock, DashboardData, FormActions, FormError, LoadStatus, Navigator, RelativeTime, Submission};
use crate::i18n::common::Common;
use crate::i18n::rotation::Rotation;
use crate::i18n::{english_or, t, tf};
use crate::server_fns::{ConsoleError, CutOver, Dashboard};
use crate::{format, policy_form, rotation_verdict, server_fns};

/// How often the verify step refreshes both keys' traffic.
const USAGE_POLL: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Create,
    Update,
    Verify,
    Delete,
}

const STEPS: [(Step, Rotation); 4] = [
    (Step::Create, Rotation::CreateTheNewKey),
    (Step::Update, Rotation::UpdateIntegrations),
    (Step::Verify, Rotation::VerifyTraffic),
    (Step::Delete, Rotation::DeleteTheOldKey),
];

/// What every step works on.
#[derive(Clone, Copy)]
struct Wizard {
    data: DashboardData,
    step: RwSignal<Step>,
    /// The new key's token, between its creation and "I have stored this key".
    revealed: RwSignal<Option<CreatedApiKey>>,
    /// The page opened on a rotation started earlier.
    resumed: RwSignal<bool>,
    rotation: Memo<Option<model::Rotation>>,
    keys: Memo<Vec<ApiKey>>,
    session_key: Memo<Option<KeyId>>,
    /// The server's times of the verify step's live checks with the new key.
    live_checks: RwSignal<Vec<DateTime<Utc>>>,
}

impl Wizard {
    fn key(self, id: Option<&KeyId>) -> Option<ApiKey> {
        let id = id?;
        self.keys.with(|keys| keys.iter().find(|key| key.id == *id).cloned())
    }
}

#[component]
pub fn RotationPage() -> impl IntoView {
    let data = DashboardData::load();
    let rotation = data.select(|d| d.rotation.clone());
    let keys = data.select(|d| d.overview.api_keys.clone());
    let session_key = data.select(|d| d.overview.current_api_key_id.clone());
    let session_key = Memo::new(move |_| session_key.get().flatten());
    let wizard = Wizard {
        data,
        step: RwSignal::new(Step::Create),
        revealed: RwSignal::new(None),
        resumed: RwSignal::new(false),
        rotation: Memo::new(move |_| rotation.get().flatten()),
        keys: Memo::new(move |_| keys.get().unwrap_or_default()),
        session_key,
        live_checks: RwSignal::new(Vec::new()),
    };
    // A rotation that exists before this page created one is resumed at
    // "update": its token was shown when it was created and is gone.
    Effect::new(move |_| {
        if wizard.rotation.with(Option::is_some)
            && wizard.step.get_untracked() == Step::Create
            && wizard.revealed.with_untracked(Option::is_none)
        {
            wizard.resumed.set(true);
            wizard.step.set(Step::Update);
        }
    });
    let old_key_id = use_query_map().with_untracked(|query| query.get("key")).and_then(|id| KeyId::parse(&id).ok());
    view! {
        <section class="panel" aria-labelledby="wizard-title">
            <h1 id="wizard-title">{t(Rotation::RotateAnApiKey)}</h1>
            <Stepper step=wizard.step/>
            <LoadStatus data=data>
                {
                    let old_key_id = old_key_id.clone();
                    move || match (wizard.step.get(), wizard.rotation.get()) {
                        (Step::Create, _) if wizard.revealed.with(Option::is_some) => {
                            view! { <RevealStep wizard=wizard/> }.into_any()
                        }
                        (Step::Create, None) => view! { <CreateStep wizard=wizard old_key_id=old_key_id.clone()/> }.into_any(),
                        (_, None) => view! { <NoRotation/> }.into_any(),
                        (Step::Create | Step::Update, Some(rotation)) => view! { <UpdateStep wizard=wizard rotation=rotation/> }.into_any(),
                        (Step::Verify, Some(rotation)) => view! { <VerifyStep wizard=wizard rotation=rotation/> }.into_any(),
                        (Step::Delete, Some(rotation)) => view! { <DeleteStep wizard=wizard rotation=rotation/> }.into_any(),
                    }
                }
            </LoadStatus>
        </section>
    }
}

#[component]
fn Stepper(step: RwSignal<Step>) -> impl IntoView {
    view! {
        <ol class="stepper" aria-label=t(Rotation::RotationSteps)>
            {STEPS
                .into_iter()
                .enumerate()
                .map(|(index, (this, name))| {
                    let done = move || step.get() > this;
                    let current = move || step.get() == this;
                    view! {
                        <li class:done=done class:current=current aria-current=move || current().then_some("step")>
                            <span class="step-number" aria-hidden="true">{index + 1}</span>
                            <span>{t(name)}</span>
                            <Show when=done>
                                <span class="visually-hidden">{t(Rotation::StepDone)}</span>
                            </Show>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The step's heading; it takes focus, so keyboard and screen reader
/// users land on the new step.
#[component]
fn StepHeading(#[prop(into)] text: String) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    view! { <h2 node_ref=heading tabindex="-1">{text}</h2> }
}

#[component]
fn NoRotation() -> impl IntoView {
    view! {
        <StepHeading text=t(Rotation::NoRotation)/>
        <p>{t(Rotation::NoRotationHelp)}</p>
        <p><a href="/">{t(Rotation::BackToDashboard)}</a></p>
    }
}

#[component]
fn CreateStep(wizard: Wizard, old_key_id: Option<KeyId>) -> impl IntoView {
    let Some(old_key) = wizard.key(old_key_id.as_ref()) else {
        return view! { <NoRotation/> }.into_any();
    };
    let owners = wizard.data.select(|d| d.owners.clone()).get_untracked().unwrap_or_default();
    let owner = old_key
        .owner_id
        .as_ref()
        .map(|id| owners.iter().find(|owner| owner.id == *id).map_or(id.as_str(), |owner| owner.external_id.as_str()));
    let summary =
        policy_form::key_summary(owner, &old_key.rate_limits, old_key.credits.as_ref(), &old_key.allowed_networks);
    let field = NodeRef::<html::Input>::new();
    let submission = Submission::new().focus_on_refusal(field);
    let old_key_id = old_key.id.clone();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        match Description::parse(&input.value()) {
            Err(message) => submission.refuse(english_or(message.to_string(), Common::DescriptionRefused)),
            Ok(description) => {
                submission.run(server_fns::start_rotation(old_key_id.clone(), description), move |started| {
                    wizard.revealed.set(Some(started.new_key));
                    wizard.data.reload();
                })
            }
        }
    };
    view! {
        <StepHeading text=t(Rotation::CreateTheNewKey)/>
        <p>
            {t(Rotation::ReplacesBefore)} <strong>{format::key_label(&old_key)}</strong> {t(Rotation::ReplacesScopes)}
            {format::scopes(&old_key.scopes)} {t(Rotation::ReplacesAfter)}
        </p>
        <p id="rotation-shares-budget">{t(Rotation::SharesBudget)}</p>
        {(summary != "—").then(|| view! { <p id="rotation-old-policy">{tf(Rotation::OldKeyPolicy, &[&summary])}</p> })}
        <form on:submit=submit>
            <DescriptionField field=field submission=submission value=old_key.description.unwrap_or_default() label=t(Rotation::NewKeyDescription)/>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || submission.pending.get()>{t(Rotation::CreateNewKey)}</button>
                <a class="button secondary" href="/">{t(Rotation::BackToDashboard)}</a>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn RevealStep(wizard: Wizard) -> impl IntoView {
    let created = wizard.revealed.get_untracked();
    let stored = UnsyncCallback::new(move |()| {
        wizard.revealed.set(None);
        wizard.step.set(Step::Update);
    });
    view! {
        <StepHeading text=t(Rotation::CreateTheNewKey)/>
        {created.map(|created| view! { <OneTimeReveal created=created on_stored=stored/> })}
    }
}

#[component]
fn UpdateStep(wizard: Wizard, rotation: model::Rotation) -> impl IntoView {
    let old = wizard.key(rotation.old_key_id.as_ref());
    let new = wizard.key(Some(&rotation.new_key_id));
    view! {
        <StepHeading text=t(Rotation::UpdateYourIntegrations)/>
        <Show when=move || wizard.resumed.get()>
            <p class="notice" role="status">
                {t(Rotation::ResumingBefore)} <RelativeTime at=Signal::stored(Some(rotation.started_at))/>
                {t(Rotation::ResumingAfter)}
            </p>
        </Show>
        <p>{t(Rotation::PutNewKey)}</p>
        <div class="key-pair">
            <KeyCard title=t(Rotation::OldKeyToDelete) key=old/>
            <KeyCard title=t(Rotation::NewKeyToUse) key=new/>
        </div>
        <div class="actions">
            <button type="button" class="primary" on:click=move |_| wizard.step.set(Step::Verify)>{t(Rotation::NextVerify)}</button>
            <CancelRotation wizard=wizard rotation=rotation.clone()/>
        </div>
    }
}

#[component]
fn KeyCard(title: &'static str, key: Option<ApiKey>) -> impl IntoView {
    view! {
        <div class="key-card">
            <h3>{title}</h3>
            {match key {
                Some(key) => view! {
                    <p><code>{key.token_preview}</code></p>
                    <p>{key.description.unwrap_or_else(|| t(Common::NoDescription).to_owned())}</p>
                }
                .into_any(),
                None => view! { <p class="muted">{t(Rotation::AlreadyDeleted)}</p> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn VerifyStep(wizard: Wizard, rotation: model::Rotation) -> impl IntoView {
    let cut_over = RwSignal::new(None::<Result<CutOver, ConsoleError>>);
    let rotation_keys = (rotation.new_key_id.clone(), rotation.old_key_id.clone());
    let refresh = move || {
        wizard.data.refresh(server_fns::load_rotation_progress(), Dashboard::update_rotation);
        let (new_key_id, old_key_id) = rotation_keys.clone();
        spawn_local(async move {
            let loaded = server_fns::load_cut_over(new_key_id, old_key_id).await;
            // Redrawn only when it changed, so an open table of numbers stays
            // open; a failed refresh keeps the last cut-over, and the next
            // one retries.
            cut_over.try_update(|shown| match (&*shown, loaded) {
                (Some(Ok(_)), Err(_)) => {}
                (Some(shown), loaded) if *shown == loaded => {}
                (_, loaded) => *shown = Some(loaded),
            });
        });
    };
    refresh();
    let poll = set_interval_with_handle(refresh, USAGE_POLL).ok();
    on_cleanup(move || {
        if let Some(poll) = poll {
            poll.clear();
        }
    });
    let last_used =
        move |id: Option<KeyId>| Signal::derive(move || wizard.key(id.as_ref()).and_then(|key| key.last_used_at));
    let new_used = last_used(Some(rotation.new_key_id.clone()));
    let old_used = last_used(rotation.old_key_id.clone());
    let live_checks = wizard.live_checks;
    let old_origin = move || {
        cut_over.with(|cut_over| {
            let last_use =
                cut_over.as_ref().and_then(|cut_over| cut_over.as_ref().ok()?.old_hours.as_ref()?.last_use.as_ref());
            last_use.map(format::last_use_origin).unwrap_or_default()
        })
    };
    let verdict = move || {
        live_checks.with(|checks| {
            rotation_verdict::verdict(new_used.get(), old_used.get(), &old_origin(), checks, Clock::now())
        })
    };

    let field = NodeRef::<html::Input>::new();
    let check = RwSignal::new(None::<String>);
    let checking = RwSignal::new(false);
    let new_key_id = rotation.new_key_id.clone();
    let run_check = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        let token = input.value();
        // The token stays in the page no longer than the request.
        input.set_value("");
        let new_key_id = new_key_id.clone();
        checking.set(true);
        spawn_local(async move {
            let outcome = live_check(&token, &new_key_id).await;
            if let Some(at) = outcome.new_key_used_at {
                live_checks.try_update(|checks| checks.push(at));
            }
            checking.try_set(false);
            check.try_set(Some(outcome.message));
        });
    };
    view! {
        <StepHeading text=t(Rotation::VerifyNewKeyInUse)/>
        <h3>{t(Rotation::CheckTheNewKey)}</h3>
        <p>{t(Rotation::PasteBefore)} <code>"GET /auth/regions/me"</code> {t(Rotation::PasteAfter)}</p>
        <form class="inline-form" on:submit=run_check>
            <label for="check-key">{t(Rotation::NewApiKey)}</label>
            <input id="check-key" node_ref=field type="password" class="token" autocomplete="off" spellcheck="false" required/>
            <button type="submit" class="secondary" disabled=move || checking.get()>{t(Rotation::CheckNewKey)}</button>
        </form>
        <p class="check-outcome" role="status">{move || check.get()}</p>

        <h3>{t(Rotation::Traffic)}</h3>
        <table class="usage">
            <thead>
                <tr><th scope="col">{t(Rotation::Key)}</th><th scope="col">{t(Rotation::LastUsed)}</th></tr>
            </thead>
            <tbody>
                <tr><th scope="row">{t(Rotation::NewKey)}</th><td><RelativeTime at=new_used/></td></tr>
                <tr><th scope="row">{t(Rotation::OldKey)}</th><td><RelativeTime at=old_used/></td></tr>
            </tbody>
        </table>
        <p class="verdict" role="status" aria-live="polite">{verdict}</p>
        <p class="hint">{t(Rotation::RefreshHint)}</p>
        <h3>{t(Rotation::CutOver)}</h3>
        {move || match cut_over.get() {
            Some(Ok(cut_over)) => view! { <CutOverCharts cut_over=cut_over/> }.into_any(),
            Some(Err(error)) => view! { <p class="error">{format::sentence(error.localized())}</p> }.into_any(),
            None => view! { <p class="loading">{t(Rotation::LoadingTraffic)}</p> }.into_any(),
        }}
        <div class="actions">
            <button type="button" class="primary" on:click=move |_| wizard.step.set(Step::Delete)>{t(Rotation::NextDeleteOldKey)}</button>
            <button type="button" class="secondary" on:click=move |_| wizard.step.set(Step::Update)>{t(Rotation::Back)}</button>
            <CancelRotation wizard=wizard rotation=rotation.clone()/>
        </div>
    }
}

/// What the verify step's live check found.
struct LiveCheck {
    message: String,
    /// When the server took the call, if it used the new key: that use is
    /// the console's own, not an integration's.
    new_key_used_at: Option<DateTime<Utc>>,
}

impl LiveCheck {
    /// A check that did not use the new key.
    fn without_use(message: impl Into<String>) -> Self {
        Self { message: message.into(), new_key_used_at: None }
    }
}

/// The verify step's live check: a real REST call with the pasted key.
async fn live_check(token: &str, new_key_id: &KeyId) -> LiveCheck {
    let response = match Request::get("/auth/regions/me").header("x-api-key", token).send().await {
        Ok(response) => response,
        Err(error) => return LiveCheck::without_use(tf(Rotation::CheckUnreachable, &[&error.to_string()])),
    };
    match response.status() {
        200 => match response.json::<RegionOverview>().await {
            Ok(me) if me.current_api_key_id.as_ref() == Some(new_key_id) => LiveCheck {
                message: t(Rotation::CheckNewKeyWorks).to_owned(),
                new_key_used_at: Some(server_time(&response)),
            },
            Ok(_) => LiveCheck::without_use(t(Rotation::CheckOtherKey)),
            Err(error) => LiveCheck::without_use(tf(Rotation::CheckUndecodable, &[&error.to_string()])),
        },
        401 => LiveCheck::without_use(t(Rotation::CheckRefused)),
        429 => LiveCheck::without_use(t(Rotation::CheckThrottled)),
        status => LiveCheck::without_use(tf(Rotation::CheckStatus, &[&status.to_string()])),
    }
}

/// When the server answered, by its own clock (the `Date` header), the
/// clock that stamps `last_used_at`; the browser's if the header is missing.
fn server_time(response: &Response) -> DateTime<Utc> {
    response
        .headers()
        .get("date")
        .and_then(|date| DateTime::parse_from_rfc2822(&date).ok())
        .map_or_else(Utc::now, |at| at.with_timezone(&Utc))
}

/// When the old key stops working: at once, or after a grace period for
/// integrations that are still moving (counted by the server's clock).
const REVOCATIONS: [(OldKeyRevocation, &str, Rotation); 4] = [
    (OldKeyRevocation::Now, "revoke-now", Rotation::RevokeNow),
    (OldKeyRevocation::AfterHours(1), "revoke-1h", Rotation::RevokeIn1Hour),
    (OldKeyRevocation::AfterHours(24), "revoke-24h", Rotation::RevokeIn24Hours),
    (OldKeyRevocation::AfterHours(24 * 7), "revoke-7d", Rotation::RevokeIn7Days),
];

#[component]
fn DeleteStep(wizard: Wizard, rotation: model::Rotation) -> impl IntoView {
    let old = wizard.key(rotation.old_key_id.as_ref());
    let signed_in_with_old = rotation.old_key_id.is_some() && rotation.old_key_id == wizard.session_key.get_untracked();
    let after = RwSignal::new(SessionAfterRotation::SignedIn);
    let when = RwSignal::new(OldKeyRevocation::Now);
    let submission = Submission::new();
    let navigator = Navigator::get();
    let old_label = old.as_ref().map(format::key_label);
    let quarantined = old.as_ref().is_some_and(|key| key.quarantine.is_some());
    let rotation_id = rotation.id.clone();
    let submit = {
        let old_label = old_label.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            let revocation = when.get_untracked();
            let finished = match (&old_label, revocation) {
                (Some(label), OldKeyRevocation::Now) => tf(Rotation::FinishedDeleted, &[label]),
                (Some(label), OldKeyRevocation::AfterHours(hours)) => {
                    // The key's label, which may hold any text, is filled in last.
                    tf(Rotation::FinishedScheduled, &[&hours.to_string(), label])
                }
                (None, _) => t(Rotation::Finished).to_owned(),
            };
            let finish = server_fns::finish_rotation(rotation_id.clone(), after.get_untracked(), revocation);
            submission.run(finish, move |ended| match ended {
                SessionAfterRotation::SignedIn => navigator.go("/", Some(finished)),
                SessionAfterRotation::SignedOut => {
                    navigator.go("/sign-in", Some(tf(Rotation::FinishedSignedOut, &[&finished])))
                }
            });
        }
    };
    let choices = REVOCATIONS.map(|(choice, id, label)| {
        view! {
            <label class="choice">
                <input type="radio" name="when" id=id checked=choice == OldKeyRevocation::Now on:change=move |_| when.set(choice)/>
                {t(label)}
            </label>
        }
    });
    view! {
        <StepHeading text=t(Rotation::DeleteTheOldKey)/>
        <form on:submit=submit>
            {match old_label {
                Some(label) if quarantined => view! {
                    <p>{t(Rotation::DeleteQuarantinedBefore)} <strong>{label}</strong> {t(Rotation::DeleteQuarantinedAfter)}</p>
                }
                .into_any(),
                Some(label) => view! {
                    <p>{t(Rotation::StopBefore)} <strong>{label}</strong> {t(Rotation::StopAfter)}</p>
                    <fieldset>
                        <legend>{t(Rotation::WhenOldKeyStops)}</legend>
                        {choices}
                        <p class="hint">{t(Rotation::GracePeriodHint)}</p>
                    </fieldset>
                }
                .into_any(),
                None => view! { <p>{t(Rotation::OldKeyAlreadyDeleted)}</p> }.into_any(),
            }}
            {signed_in_with_old.then(|| view! {
                <p class="warning">{t(Rotation::SignedInWithOldKey)}</p>
                <fieldset>
                    <legend>{t(Rotation::AfterFinishing)}</legend>
                    <label class="choice">
                        <input type="radio" name="after" checked=true on:change=move |_| after.set(SessionAfterRotation::SignedIn)/>
                        {t(Rotation::StaySignedIn)}
                    </label>
                    <label class="choice">
                        <input type="radio" name="after" on:change=move |_| after.set(SessionAfterRotation::SignedOut)/>
                        {t(Common::SignOut)}
                    </label>
                </fieldset>
            })}
            <FormError id="finish-error" submission=submission/>
            <div class="actions">
                <button type="submit" class="danger" disabled=move || submission.pending.get()>
                    {move || t(match (old.is_some(), when.get()) {
                        (false, _) => Rotation::FinishRotation,
                        (true, OldKeyRevocation::Now) => Rotation::DeleteOldKey,
                        (true, OldKeyRevocation::AfterHours(_)) => Rotation::ScheduleRevocation,
                    })}
                </button>
                <button type="button" class="secondary" on:click=move |_| wizard.step.set(Step::Verify)>{t(Rotation::Back)}</button>
            </div>
        </form>
    }
}

/// "Cancel rotation" and its confirmation.
#[component]
fn CancelRotation(wizard: Wizard, rotation: model::Rotation) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let new_key = wizard.key(Some(&rotation.new_key_id)).map(|key| key.token_preview).unwrap_or_default();
    let close = UnsyncCallback::new(move |()| confirming.set(false));
    view! {
        <button type="button" id="cancel-rotation" class="secondary" on:click=move |_| confirming.set(true)>{t(Rotation::CancelRotation)}</button>
        {move || confirming.get().then(|| view! {
            <CancelRotationDialog rotation_id=rotation.id.clone() new_key=new_key.clone() on_close=close/>
        })}
    }
}

/// Cancelling deletes the new key; the old one stays.
#[component]
fn CancelRotationDialog(rotation_id: RotationId, new_key: String, on_close: UnsyncCallback<()>) -> impl IntoView {
    let submission = Submission::new();
    let navigator = Navigator::get();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        submission.run(server_fns::cancel_rotation(rotation_id.clone()), move |()| {
            navigator.go("/", Some(t(Rotation::Cancelled).to_owned()));
        });
    };
    view! {
        <Modal title=t(Rotation::CancelThisRotation) on_escape=on_close>
            <form on:submit=submit>
                <p>{t(Rotation::CancelBefore)} <code>{new_key}</code> {t(Rotation::CancelAfter)}</p>
                <FormError id="cancel-error" submission=submission/>
                <FormActions
                    submission=submission
                    submit_label=t(Rotation::CancelRotation)
                    destructive=true
                    cancel_label=t(Rotation::KeepRotating)
                    on_close=on_close
                />
            </form>
        </Modal>
    }
}
