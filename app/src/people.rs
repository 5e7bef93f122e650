//! The console's server functions for administrators as people: which ways
//! in the sign-in page offers, the region a person signed in through the
//! identity provider chooses, and the Administrators page (list, grant,
//! revoke). The bodies call the same domain as the REST API.

use domain::model::{Administrator, AdministratorId, Email, PersonRegion, RegionId, Scopes};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::server_fns::ConsoleError;

/// How the console may be entered (`--console-sign-in`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The API key field is offered.
    pub key: bool,
    /// "Sign in with <name>" is offered, through `/auth/oidc/login`.
    pub provider: Option<String>,
}

/// Where the button sends the browser: the server starts the flow.
pub const OIDC_LOGIN_PATH: &str = "/auth/oidc/login";

/// A person choosing among their regions, and those regions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionChoice {
    pub email: Email,
    pub name: Option<String>,
    pub regions: Vec<PersonRegion>,
}

#[server(endpoint = "load_sign_in_options")]
pub async fn load_sign_in_options() -> Result<SignInOptions, ConsoleError> {
    crate::server_fns::ssr::respond(async move { Ok(ssr::options()) }).await
}

#[server(endpoint = "load_region_choice")]
pub async fn load_region_choice() -> Result<RegionChoice, ConsoleError> {
    crate::server_fns::ssr::respond(async move {
        let request = crate::server_fns::ssr::ConsoleRequest::current()?;
        let held = ssr::held_choice()?;
        let (person, regions) = request.keyward().person_sign_ins().held(&held).await?;
        Ok(RegionChoice { email: person.email, name: person.name, regions })
    })
    .await
}

#[server(endpoint = "choose_region")]
pub async fn choose_region(region_id: RegionId) -> Result<(), ConsoleError> {
    crate::server_fns::ssr::respond(async move {
        let request = crate::server_fns::ssr::ConsoleRequest::current()?;
        let held = ssr::held_choice()?;
        request.end_session().await?;
        let (session, _) = request.keyward().person_sign_ins().choose(&held, &region_id, request.client()).await?;
        request.set_session_cookie(&session);
        ssr::forget_choice();
        Ok(())
    })
    .await
}

/// The Administrators page: the region's grants, and whether this session may change them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdministratorsPage {
    pub administrators: Vec<Administrator>,
    pub may_manage: bool,
}

#[server(endpoint = "load_administrators")]
pub async fn load_administrators() -> Result<AdministratorsPage, ConsoleError> {
    crate::server_fns::ssr::signed_in(async move |request, caller| {
        let administrators = request.keyward().administrators().list(&caller).await?;
        let may_manage = caller.scopes().allow(domain::model::KeyAccess::Write);
        Ok(AdministratorsPage { administrators, may_manage })
    })
    .await
}

#[server(endpoint = "grant_administrator")]
pub async fn grant_administrator(email: String, scopes: Scopes) -> Result<Administrator, ConsoleError> {
    crate::server_fns::ssr::signed_in(async move |request, caller| {
        let email = Email::parse(&email).map_err(domain::Error::from)?;
        let new = domain::model::NewAdministrator { email, scopes };
        Ok(request.keyward().administrators().grant(&caller, new).await?)
    })
    .await
}

#[server(endpoint = "revoke_administrator")]
pub async fn revoke_administrator(id: AdministratorId) -> Result<(), ConsoleError> {
    crate::server_fns::ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().administrators().revoke(&caller, &id).await?)
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use domain::SessionId;
    use http::{HeaderValue, header, request::Parts};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::SignInOptions;
    use crate::server_fns::ConsoleError;
    use crate::server_fns::ssr::{CallContext, Failure};

    /// The cookie that holds a person choosing among their regions: set by
    /// `GET /auth/oidc/callback`, `HttpOnly`, `SameSite=Strict`.
    pub fn choice_cookie_name(secure: bool) -> &'static str {
        if secure { "__Host-keyward_choice" } else { "keyward_choice" }
    }

    /// What the server provides for [`super::load_sign_in_options`] and to
    /// refuse a key's sign-in when only the identity provider is offered.
    pub fn options() -> SignInOptions {
        use_context::<SignInOptions>().unwrap_or(SignInOptions { key: true, provider: None })
    }

    pub(super) fn held_choice() -> Result<SessionId, Failure> {
        let secure = use_context::<CallContext>().is_some_and(|call| call.secure_cookies);
        let parts = use_context::<Parts>().ok_or(Failure::Console(ConsoleError::Internal))?;
        let name = choice_cookie_name(secure);
        parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(found, _)| *found == name)
            .and_then(|(_, value)| SessionId::from_cookie(value))
            .ok_or(Failure::Console(ConsoleError::NotSignedIn))
    }

    pub(super) fn forget_choice() {
        let secure = use_context::<CallContext>().is_some_and(|call| call.secure_cookies);
        let attributes = if secure { "; Secure" } else { "" };
        let cookie =
            format!("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{attributes}", choice_cookie_name(secure));
        if let (Ok(cookie), Some(response)) = (HeaderValue::from_str(&cookie), use_context::<ResponseOptions>()) {
            response.append_header(header::SET_COOKIE, cookie);
        }
    }
}
