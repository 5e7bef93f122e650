//! The console's server functions for administrators as people: which ways
//! in the sign-in page offers, the region a person signed in through the
//! identity provider chooses, and the Administrators page (list, grant,
//! revoke). The bodies call the same domain as the REST API.

use domain::model::{Administrator, AdministratorId, Email, PersonRegion, RegionId, Scopes};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::server_fns::ConsoleError;

/// How the console may be entered (`--console-sign-in`). The server
/// writes it into the page it serves, so the sign-in form shows the right
/// ways at once, without a call and without code to make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInOptions {
    /// The API key field is offered.
    pub key: bool,
    /// "Sign in with <name>" is offered, through `/auth/oidc/login`.
    pub provider: Option<String>,
}

/// The page's `<meta name="keyward-sign-in" content="key provider"
/// data-provider="<name>">`.
const SIGN_IN_META: &str = "keyward-sign-in";

impl Default for SignInOptions {
    /// A page without the element (served by an older server, or a plain
    /// file server): the key, as before there was a choice.
    fn default() -> Self {
        Self { key: true, provider: None }
    }
}

impl SignInOptions {
    /// The element for the page's `<head>`.
    pub fn meta(&self) -> String {
        let ways: Vec<&str> =
            [self.key.then_some("key"), self.provider.as_ref().map(|_| "provider")].into_iter().flatten().collect();
        let name =
            self.provider.as_deref().map(|name| format!(" data-provider=\"{}\"", escape(name))).unwrap_or_default();
        format!("<meta name=\"{SIGN_IN_META}\" content=\"{}\"{name}>", ways.join(" "))
    }

    /// What the server wrote into this page.
    #[cfg(feature = "csr")]
    pub fn from_page() -> Self {
        let element = document().query_selector(&format!("meta[name=\"{SIGN_IN_META}\"]")).ok().flatten();
        let Some(element) = element else { return Self::default() };
        let content = element.get_attribute("content").unwrap_or_default();
        let offers = |way: &str| content.split_ascii_whitespace().any(|offered| offered == way);
        let provider = offers("provider").then(|| element.get_attribute("data-provider")).flatten();
        Self { key: offers("key") || provider.is_none(), provider }
    }
}

/// `text` inside a double-quoted HTML attribute.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            _ => c.to_string(),
        })
        .collect()
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
    use crate::server_fns::ssr::{CallContext, Failure, cookie_values};

    /// The cookie that holds a person choosing among their regions: set by
    /// `GET /auth/oidc/callback`, `HttpOnly`, `SameSite=Strict`.
    pub fn choice_cookie_name(secure: bool) -> &'static str {
        if secure { "__Host-keyward_choice" } else { "keyward_choice" }
    }

    /// What the server offers, to refuse a key's sign-in when only the
    /// identity provider is offered.
    pub fn options() -> SignInOptions {
        use_context::<SignInOptions>().unwrap_or_default()
    }

    pub(super) fn held_choice() -> Result<SessionId, Failure> {
        let secure = use_context::<CallContext>().is_some_and(|call| call.secure_cookies);
        let parts = use_context::<Parts>().ok_or(Failure::Console(ConsoleError::Internal))?;
        cookie_values(&parts.headers, choice_cookie_name(secure))
            .next()
            .and_then(SessionId::from_cookie)
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
