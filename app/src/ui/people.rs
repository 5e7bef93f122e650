//! Administrators as people: the identity provider's button on the sign-in
//! page, choosing a region after signing in there, and the Administrators
//! page (list, grant, revoke).

use domain::model::{KeyAccess, Scopes};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::{FormError, Navigator, Submission};
use crate::format;
use crate::i18n::common::Common;
use crate::i18n::people::People;
use crate::i18n::{t, tf};
use crate::people::{self as api, OIDC_LOGIN_PATH, SignInOptions};

/// The identity provider's button (when the server offers it) and the key
/// form `children` (unless the server offers the provider alone).
#[component]
pub(super) fn SignInWays(children: ChildrenFn) -> impl IntoView {
    let options = SignInOptions::from_page();
    let provider = options.provider.clone().map(|name| {
        // `rel="external"`: the server starts the flow, not the router.
        view! {
            <p><a id="sign-in-oidc" class="button primary" rel="external" href=OIDC_LOGIN_PATH>{tf(Common::SignInWith, &[&name])}</a></p>
        }
    });
    let or = (options.provider.is_some() && options.key).then(|| view! { <p>{t(Common::OrWithKey)}</p> });
    view! { {provider} {or} {options.key.then(|| children())} }
}

/// What a grant allows, in words.
fn access(scopes: &Scopes) -> &'static str {
    if scopes.allow(KeyAccess::Write) { t(People::ChooseManage) } else { t(People::ChooseReadOnly) }
}

/// After the identity provider vouched for a person with grants in several
/// regions: one button per region.
#[component]
pub(super) fn ChooseRegionPage() -> impl IntoView {
    let navigator = Navigator::get();
    let choice = LocalResource::new(api::load_region_choice);
    let submission = Submission::new();
    view! {
        <section class="panel narrow" aria-labelledby="choose-heading">
            <h1 id="choose-heading">{t(People::ChooseTitle)}</h1>
            {move || match choice.get() {
                None => view! { <p class="loading" role="status">{t(Common::Loading)}</p> }.into_any(),
                Some(Err(_)) => view! {
                    <p role="alert">{t(People::ChooseExpired)}</p>
                    <p><a href="/sign-in">{t(Common::SignIn)}</a></p>
                }
                .into_any(),
                Some(Ok(choice)) => {
                    let who = choice.name.clone().unwrap_or_else(|| choice.email.to_string());
                    let regions = choice
                        .regions
                        .into_iter()
                        .map(|option| {
                            let id = option.region.id.clone();
                            let choose = move |_| {
                                submission.run(api::choose_region(id.clone()), move |()| navigator.go("/", None));
                            };
                            view! {
                                <li>
                                    <button type="button" class="primary" on:click=choose disabled=move || submission.pending.get()>
                                        {option.region.name.clone()}
                                    </button>
                                    " " <span class="muted">{access(&option.scopes)}</span>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <p>{tf(People::ChooseHelp, &[&who])}</p>
                        <ul class="choices">{regions}</ul>
                        <FormError id="choose-error" submission=submission/>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// The region's administrators; those with `keys:write` grant and revoke.
#[component]
pub(super) fn AdministratorsPage() -> impl IntoView {
    let navigator = Navigator::get();
    let page = LocalResource::new(api::load_administrators);
    let status = RwSignal::new(None::<String>);
    let submission = Submission::new();
    let revoking = Submission::new();
    let field = NodeRef::<html::Input>::new();
    let scope = RwSignal::new(KeyAccess::Read);
    Effect::new(move |_| {
        if let Some(Err(error)) = page.get() {
            navigator.signed_out(&error);
        }
    });
    let grant = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(input) = field.get() else { return };
        let scopes = Scopes::parse([scope.get_untracked().scope()]).unwrap_or_default();
        submission.run(api::grant_administrator(input.value(), scopes), move |granted| {
            input.set_value("");
            status.set(Some(tf(People::GrantedTo, &[granted.email.as_str()])));
            page.refetch();
        });
    };
    let table = move |listing: api::AdministratorsPage| {
        if listing.administrators.is_empty() {
            return view! { <p class="muted">{t(People::None)}</p> }.into_any();
        }
        let may_manage = listing.may_manage;
        let rows = listing
            .administrators
            .into_iter()
            .map(|admin| {
                let email = admin.email.to_string();
                let revoke = {
                    let (id, email) = (admin.id.clone(), email.clone());
                    move |_| {
                        let confirmed =
                            window().confirm_with_message(&tf(People::RevokeConfirm, &[&email])).unwrap_or(false);
                        if confirmed {
                            let email = email.clone();
                            revoking.run(api::revoke_administrator(id.clone()), move |()| {
                                status.set(Some(tf(People::Revoked, &[&email])));
                                page.refetch();
                            });
                        }
                    }
                };
                view! {
                    <tr>
                        <td>{email.clone()}</td>
                        <td>{access(&admin.scopes)}</td>
                        <td title=format::exact(admin.created_at)>{format::exact(admin.created_at)}</td>
                        <td class="row-actions">
                            {may_manage.then(|| view! {
                                <button type="button" class="danger" aria-label=tf(People::RevokeNamed, &[&email])
                                    on:click=revoke.clone() disabled=move || revoking.pending.get()>
                                    {t(People::Revoke)}
                                </button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table aria-labelledby="administrators-heading">
                    <thead>
                        <tr>
                            <th scope="col">{t(People::Email)}</th>
                            <th scope="col">{t(People::Access)}</th>
                            <th scope="col">{t(People::Granted)}</th>
                            <th scope="col"><span class="visually-hidden">{t(People::Actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <FormError id="revoke-error" submission=revoking/>
        }
        .into_any()
    };
    let form = move || {
        view! {
            <form on:submit=grant aria-labelledby="grant-heading">
                <h2 id="grant-heading">{t(People::Grant)}</h2>
                <label for="administrator-email">{t(People::Email)}</label>
                <input id="administrator-email" node_ref=field type="email" autocomplete="off" required
                    aria-describedby="grant-error"
                    aria-invalid=move || submission.error.with(Option::is_some).to_string()/>
                <fieldset>
                    <legend>{t(People::Access)}</legend>
                    <label class="choice">
                        <input type="radio" name="administrator-scope" checked=move || scope.get() == KeyAccess::Read
                            on:change=move |_| scope.set(KeyAccess::Read)/>
                        {t(People::ReadOnly)}
                    </label>
                    <label class="choice">
                        <input type="radio" name="administrator-scope" checked=move || scope.get() == KeyAccess::Write
                            on:change=move |_| scope.set(KeyAccess::Write)/>
                        {t(People::Manage)}
                    </label>
                </fieldset>
                <FormError id="grant-error" submission=submission/>
                <button type="submit" class="primary" disabled=move || submission.pending.get()>
                    {move || t(if submission.pending.get() { People::Granting } else { People::Grant })}
                </button>
            </form>
        }
    };
    view! {
        <section class="panel" aria-labelledby="administrators-heading">
            <h1 id="administrators-heading">{t(People::Title)}</h1>
            <p>{t(People::Intro)}</p>
            <p class="visually-hidden" role="status">{move || status.get()}</p>
            {move || match page.get() {
                None => view! { <p class="loading" role="status">{t(Common::Loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <p class="error-state" role="alert">{format::sentence(error.localized())}</p> }.into_any(),
                Some(Ok(listing)) => {
                    let may_manage = listing.may_manage;
                    view! {
                        {table(listing)}
                        {if may_manage {
                            form().into_any()
                        } else {
                            view! { <p class="hint">{t(People::ReadOnlyReason)}</p> }.into_any()
                        }}
                    }
                    .into_any()
                }
            }}
            <p><a href="/">{t(People::Back)}</a></p>
        </section>
    }
}
