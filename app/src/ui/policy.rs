//! The policy fields of the key and owner dialogs: owner, rate limits
//! (presets a person understands, or custom), credits with a refill,
//! allowed networks and meta. What is typed is checked with the model's
//! own rules (`policy_form.rs`) and refused at its field, focused.

use domain::model::{
    AllowedNetworks, ApiKey, Credits, KeyPolicy, Meta, Owner, OwnerId, RATE_LIMITS_MAX, RateLimits, RefillInterval,
};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use crate::format;
use crate::i18n::policy::Policy;
use crate::i18n::{t, tf};
use crate::policy_form::{self, LIMIT_PRESETS, LimitText};

/// The fields a refusal can be shown at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Limits,
    Credits,
    Networks,
    Meta,
}

impl Field {
    /// The id of the field's control that takes focus on a refusal.
    fn control(self) -> &'static str {
        match self {
            Self::Limits => "policy-add-limit",
            Self::Credits => "policy-credits",
            Self::Networks => "policy-networks",
            Self::Meta => "policy-meta",
        }
    }

    fn error_id(self) -> &'static str {
        match self {
            Self::Limits => "policy-limits-error",
            Self::Credits => "policy-credits-error",
            Self::Networks => "policy-networks-error",
            Self::Meta => "policy-meta-error",
        }
    }
}

/// One rate limit being edited.
#[derive(Clone, Copy)]
struct LimitRow {
    id: usize,
    /// Typed in, rather than one of [`LIMIT_PRESETS`].
    custom: RwSignal<bool>,
    name: RwSignal<String>,
    limit: RwSignal<String>,
    period_s: RwSignal<String>,
}

impl LimitRow {
    fn new(id: usize, text: LimitText) -> Self {
        let custom = preset_of(&text).is_none();
        Self {
            id,
            custom: RwSignal::new(custom),
            name: RwSignal::new(text.name),
            limit: RwSignal::new(text.limit),
            period_s: RwSignal::new(text.period_s),
        }
    }

    fn text(self) -> LimitText {
        LimitText {
            name: self.name.get_untracked(),
            limit: self.limit.get_untracked(),
            period_s: self.period_s.get_untracked(),
        }
    }
}

/// The preset whose limit and period these are.
fn preset_of(text: &LimitText) -> Option<usize> {
    LIMIT_PRESETS
        .iter()
        .position(|(_, limit, period_s)| text.limit == limit.to_string() && text.period_s == period_s.to_string())
}

/// What the policy fields hold, between opening a dialog and submitting it.
#[derive(Clone, Copy)]
pub(crate) struct PolicyForm {
    /// An owner's id, or empty for none.
    owner: RwSignal<String>,
    limits: RwSignal<Vec<LimitRow>>,
    next_row: StoredValue<usize>,
    remaining: RwSignal<String>,
    refill_amount: RwSignal<String>,
    refill_interval: RwSignal<RefillInterval>,
    networks: RwSignal<String>,
    meta: RwSignal<String>,
    error: RwSignal<Option<(Field, String)>>,
}

impl PolicyForm {
    fn new(
        owner_id: Option<&OwnerId>,
        meta: &Meta,
        limits: &RateLimits,
        credits: Option<&Credits>,
        networks: &AllowedNetworks,
    ) -> Self {
        let rows: Vec<LimitRow> =
            limits.iter().enumerate().map(|(id, limit)| LimitRow::new(id, LimitText::of(limit))).collect();
        let refill = credits.and_then(|credits| credits.refill);
        Self {
            owner: RwSignal::new(owner_id.map(|id| id.as_str().to_owned()).unwrap_or_default()),
            next_row: StoredValue::new(rows.len()),
            limits: RwSignal::new(rows),
            remaining: RwSignal::new(credits.map(|credits| credits.remaining.to_string()).unwrap_or_default()),
            refill_amount: RwSignal::new(refill.map(|refill| refill.amount.to_string()).unwrap_or_default()),
            refill_interval: RwSignal::new(refill.map_or(RefillInterval::Month, |refill| refill.interval)),
            networks: RwSignal::new(policy_form::networks_text(networks)),
            meta: RwSignal::new(policy_form::meta_text(meta)),
            error: RwSignal::new(None),
        }
    }

    /// The fields of a key's dialog: empty for a new key.
    pub fn of_key(key: Option<&ApiKey>) -> Self {
        match key {
            Some(key) => Self::new(
                key.owner_id.as_ref(),
                &key.meta,
                &key.rate_limits,
                key.credits.as_ref(),
                &key.allowed_networks,
            ),
            None => Self::new(None, &Meta::default(), &RateLimits::default(), None, &AllowedNetworks::default()),
        }
    }

    /// The fields of an owner's dialog: empty for a new owner.
    pub fn of_owner(owner: Option<&Owner>) -> Self {
        match owner {
            Some(owner) => {
                Self::new(None, &owner.meta, &owner.rate_limits, owner.credits.as_ref(), &AllowedNetworks::default())
            }
            None => Self::of_key(None),
        }
    }

    /// The policy typed, checked by the model; `None` after showing the
    /// first refusal at its field (an owner's dialog leaves the owner and
    /// networks empty).
    pub fn policy(self) -> Option<KeyPolicy> {
        self.error.set(None);
        let rows: Vec<LimitText> = self.limits.get_untracked().into_iter().map(LimitRow::text).collect();
        let read = || -> Result<KeyPolicy, (Field, String)> {
            Ok(KeyPolicy {
                owner_id: OwnerId::parse(&self.owner.get_untracked()).ok(),
                rate_limits: policy_form::rate_limits(&rows).map_err(|error| (Field::Limits, error))?,
                credits: policy_form::credits(
                    &self.remaining.get_untracked(),
                    &self.refill_amount.get_untracked(),
                    self.refill_interval.get_untracked(),
                )
                .map_err(|error| (Field::Credits, error))?,
                allowed_networks: policy_form::networks(&self.networks.get_untracked())
                    .map_err(|error| (Field::Networks, error))?,
                meta: policy_form::meta(&self.meta.get_untracked()).map_err(|error| (Field::Meta, error))?,
            })
        };
        match read() {
            Ok(policy) => Some(policy),
            Err((field, message)) => {
                self.error.set(Some((field, format::sentence(message))));
                focus(field.control());
                None
            }
        }
    }

    fn error_at(self, field: Field) -> impl Fn() -> Option<String> + Copy {
        move || {
            self.error.with(|error| error.as_ref().filter(|(at, _)| *at == field).map(|(_, message)| message.clone()))
        }
    }

    fn invalid(self, field: Field) -> impl Fn() -> String + Copy {
        move || self.error.with(|error| error.as_ref().is_some_and(|(at, _)| *at == field)).to_string()
    }

    fn add_limit(self) {
        let id = self.next_row.get_value();
        self.next_row.set_value(id + 1);
        // The first preset whose name is not taken yet.
        let taken: Vec<String> =
            self.limits.with_untracked(|rows| rows.iter().map(|row| row.name.get_untracked()).collect());
        let (name, limit, period_s) = LIMIT_PRESETS
            .iter()
            .find(|(name, ..)| !taken.iter().any(|taken| taken == name))
            .copied()
            .unwrap_or(LIMIT_PRESETS[0]);
        let text = LimitText { name: name.to_owned(), limit: limit.to_string(), period_s: period_s.to_string() };
        self.limits.update(|rows| rows.push(LimitRow::new(id, text)));
    }
}

/// Focuses the element with `id`, if it is there.
fn focus(id: &str) {
    if let Some(element) =
        document().get_element_by_id(id).and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The policy fields. With `owners`, a key's: its owner and its networks
/// too; without, an owner's: limits, credits and meta.
#[component]
pub(crate) fn PolicyFields(form: PolicyForm, #[prop(optional)] owners: Option<Vec<Owner>>) -> impl IntoView {
    let for_key = owners.is_some();
    let owner_select = owners.map(|owners| {
        let chosen = form.owner.get_untracked();
        view! {
            <label for="policy-owner">{t(Policy::Owner)}</label>
            <select
                id="policy-owner"
                aria-describedby="policy-owner-hint"
                on:change=move |event| form.owner.set(event_target_value(&event))
            >
                <option value="" selected=chosen.is_empty()>{t(Policy::NoOwner)}</option>
                {owners
                    .into_iter()
                    .map(|owner| {
                        let id = owner.id.as_str().to_owned();
                        view! { <option value=id.clone() selected=chosen == id>{owner.external_id.as_str().to_owned()}</option> }
                    })
                    .collect_view()}
            </select>
            <p id="policy-owner-hint" class="hint">{t(Policy::OwnerHint)}</p>
        }
    });
    view! {
        <fieldset class="policy">
            <legend>{t(if for_key { Policy::PolicyLegend } else { Policy::OwnerLegend })}</legend>
            {owner_select}
            <RateLimitFields form=form/>
            <CreditFields form=form/>
            {for_key.then(|| view! {
                <label for="policy-networks">{t(Policy::Networks)}</label>
                <textarea
                    id="policy-networks"
                    rows="3"
                    spellcheck="false"
                    autocomplete="off"
                    bind:value=form.networks
                    aria-describedby="policy-networks-hint policy-networks-error"
                    aria-invalid=form.invalid(Field::Networks)
                ></textarea>
                <p id="policy-networks-hint" class="hint">{t(Policy::NetworksHint)}</p>
                <p id=Field::Networks.error_id() class="field-error" role="alert">{form.error_at(Field::Networks)}</p>
            })}
            <label for="policy-meta">{t(Policy::Meta)}</label>
            <textarea
                id="policy-meta"
                class="token"
                rows="3"
                spellcheck="false"
                autocomplete="off"
                bind:value=form.meta
                aria-describedby="policy-meta-hint policy-meta-error"
                aria-invalid=form.invalid(Field::Meta)
            ></textarea>
            <p id="policy-meta-hint" class="hint">{t(Policy::MetaHint)}</p>
            <p id=Field::Meta.error_id() class="field-error" role="alert">{form.error_at(Field::Meta)}</p>
        </fieldset>
    }
}

#[component]
fn RateLimitFields(form: PolicyForm) -> impl IntoView {
    let full = move || form.limits.with(|rows| rows.len() >= RATE_LIMITS_MAX);
    view! {
        <fieldset class="rate-limits" aria-describedby="policy-limits-hint policy-limits-error">
            <legend>{t(Policy::RateLimits)}</legend>
            <p id="policy-limits-hint" class="hint">{t(Policy::RateLimitsHint)}</p>
            <p id="policy-limit-name-hint" class="hint">{t(Policy::LimitNameHint)}</p>
            <Show when=move || form.limits.with(Vec::is_empty)>
                <p class="hint">{t(Policy::NoRateLimits)}</p>
            </Show>
            <For each=move || form.limits.get() key=|row| row.id children=move |row| limit_row(form, row)/>
            <button
                type="button"
                id="policy-add-limit"
                class="secondary"
                disabled=full
                aria-describedby=move || full().then_some("policy-limits-full")
                on:click=move |_| form.add_limit()
            >
                {t(Policy::AddRateLimit)}
            </button>
            <Show when=full>
                <p id="policy-limits-full" class="hint">{tf(Policy::AtMostLimits, &[&RATE_LIMITS_MAX.to_string()])}</p>
            </Show>
            <p id=Field::Limits.error_id() class="field-error" role="alert">{form.error_at(Field::Limits)}</p>
        </fieldset>
    }
}

/// One limit: a preset or custom numbers, its name, and its removal.
fn limit_row(form: PolicyForm, row: LimitRow) -> impl IntoView {
    let number =
        move || form.limits.with(|rows| rows.iter().position(|each| each.id == row.id).map_or(0, |index| index + 1));
    let legend = move || tf(Policy::RateLimitN, &[&number().to_string()]);
    let id = move |part: &str| format!("policy-limit-{}-{part}", row.id);
    let initial = (!row.custom.get_untracked()).then(|| preset_of(&row.text())).flatten();
    let choose = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        match value.parse::<usize>().ok().and_then(|index| LIMIT_PRESETS.get(index)) {
            Some((name, limit, period_s)) => {
                // A name left as a preset's follows the preset.
                let named_by_preset = row.name.with_untracked(|typed| {
                    typed.is_empty() || LIMIT_PRESETS.iter().any(|(preset, ..)| preset == typed)
                });
                if named_by_preset {
                    row.name.set((*name).to_owned());
                }
                row.limit.set(limit.to_string());
                row.period_s.set(period_s.to_string());
                row.custom.set(false);
            }
            None => row.custom.set(true),
        }
    };
    let remove = move |_| {
        form.limits.update(|rows| rows.retain(|each| each.id != row.id));
        focus("policy-add-limit");
    };
    view! {
        <fieldset class="limit-row">
            <legend>{legend}</legend>
            <div>
                <label for=id("preset")>{t(Policy::Preset)}</label>
                <select id=id("preset") on:change=choose>
                    {LIMIT_PRESETS
                        .iter()
                        .enumerate()
                        .map(|(index, (_, limit, period_s))| view! {
                            <option value=index.to_string() selected=initial == Some(index)>
                                {policy_form::per_period(*limit, *period_s)}
                            </option>
                        })
                        .collect_view()}
                    <option value="custom" selected=initial.is_none()>{t(Policy::PresetCustom)}</option>
                </select>
            </div>
            <div>
                <label for=id("name")>{t(Policy::LimitName)}</label>
                <input id=id("name") autocomplete="off" spellcheck="false" bind:value=row.name aria-describedby="policy-limit-name-hint"/>
            </div>
            <Show when=move || row.custom.get()>
                <div>
                    <label for=id("limit")>{t(Policy::Requests)}</label>
                    <input id=id("limit") inputmode="numeric" autocomplete="off" bind:value=row.limit/>
                </div>
                <div>
                    <label for=id("period")>{t(Policy::PeriodSeconds)}</label>
                    <input id=id("period") inputmode="numeric" autocomplete="off" bind:value=row.period_s/>
                </div>
            </Show>
            <div>
                <button type="button" class="secondary" on:click=remove>{move || tf(Policy::RemoveRateLimit, &[&number().to_string()])}</button>
            </div>
        </fieldset>
    }
}

#[component]
fn CreditFields(form: PolicyForm) -> impl IntoView {
    let interval = form.refill_interval.get_untracked();
    let choose = move |event: leptos::ev::Event| {
        if let Some(chosen) = RefillInterval::parse(&event_target_value(&event)) {
            form.refill_interval.set(chosen);
        }
    };
    view! {
        <fieldset class="credits" aria-describedby="policy-credits-hint policy-credits-error">
            <legend>{t(Policy::Credits)}</legend>
            <p id="policy-credits-hint" class="hint">{t(Policy::CreditsHint)}</p>
            <div class="credit-fields">
                <div>
                    <label for="policy-credits">{t(Policy::CreditsRemaining)}</label>
                    <input
                        id="policy-credits"
                        inputmode="numeric"
                        autocomplete="off"
                        bind:value=form.remaining
                        aria-invalid=form.invalid(Field::Credits)
                    />
                </div>
                <div>
                    <label for="policy-refill">{t(Policy::RefillAmount)}</label>
                    <input id="policy-refill" inputmode="numeric" autocomplete="off" bind:value=form.refill_amount/>
                </div>
                <div>
                    <label for="policy-refill-interval">{t(Policy::RefillInterval)}</label>
                    <select id="policy-refill-interval" on:change=choose>
                        <option value="day" selected=interval == RefillInterval::Day>{t(Policy::RefillDay)}</option>
                        <option value="month" selected=interval == RefillInterval::Month>{t(Policy::RefillMonth)}</option>
                    </select>
                </div>
            </div>
            <p id=Field::Credits.error_id() class="field-error" role="alert">{form.error_at(Field::Credits)}</p>
        </fieldset>
    }
}
