//! Signing people in with the organisation's identity provider (OpenID
//! Connect), through the `openidconnect` crate: discovery from the issuer,
//! the authorization code flow with PKCE, `state` and `nonce`, and the ID
//! token's checks (signature against the issuer's JWKS, `iss`, `aud`,
//! `exp`, `nonce`). Keyward adds what the protocol leaves to it: the email
//! must be verified, the attempt is kept server-side and taken once by the
//! browser that began it, and the person needs a grant in a region.
//!
//! - `GET /auth/oidc/login` ([`login`]): a new attempt, then to the provider.
//! - `GET /auth/oidc/callback` ([`callback`]): the code exchanged, the ID
//!   token verified, a session opened (or a region to choose first).
//!
//! Every refusal is a short page in words ([`page`]) and changes nothing.

mod page;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::OidcAttempt;
use domain::model::{Email, Person, SignInRefusal};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::Mutex;

use crate::AppState;
use crate::extract::ClientAddress;
pub use page::Lang;

/// The path the provider sends the browser back to, under `--public-url`.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// How long discovered metadata (and the issuer's keys) are used before
/// they are fetched again; a key the provider rotated in is found then.
const METADATA_TTL: Duration = Duration::from_secs(300);
/// How long Keyward waits for the provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Which ways the console offers to sign in (`--console-sign-in`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsoleSignIn {
    /// Only through the identity provider.
    Oidc,
    /// Only with an API key.
    Key,
    /// Either.
    Both,
}

/// The operator's settings for the identity provider.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: IssuerUrl,
    pub client_id: ClientId,
    pub client_secret: ClientSecret,
    /// `PUBLIC_URL/auth/oidc/callback`.
    pub redirect: RedirectUrl,
    /// What the console's button names: "Sign in with <name>".
    pub provider_name: String,
}

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The identity provider as Keyward uses it. Cheap to clone.
#[derive(Clone)]
pub struct Oidc(Arc<Inner>);

struct Inner {
    settings: OidcSettings,
    /// Follows no redirects: the issuer's documents and keys come from the
    /// issuer's own addresses, never from wherever a redirect points.
    http: reqwest::Client,
    discovered: Mutex<Option<(Instant, Client)>>,
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|error| format!("cannot build the identity provider's HTTP client: {error}"))?;
        Ok(Self(Arc::new(Inner { settings, http, discovered: Mutex::new(None) })))
    }

    pub fn provider_name(&self) -> &str {
        &self.0.settings.provider_name
    }

    /// The client from the issuer's discovery document, fetched again
    /// after [`METADATA_TTL`].
    async fn client(&self) -> Result<Client, String> {
        let mut discovered = self.0.discovered.lock().await;
        if let Some((at, client)) = discovered.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(client.clone());
        }
        let settings = &self.0.settings;
        let metadata = CoreProviderMetadata::discover_async(settings.issuer.clone(), &self.0.http)
            .await
            .map_err(|error| format!("discovery from {} failed: {}", settings.issuer.as_str(), chain(&error)))?;
        // Signed by the issuer's keys only: never a MAC keyed by the client secret.
        let algorithms: Vec<CoreJwsSigningAlgorithm> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|alg| {
                !matches!(
                    alg,
                    CoreJwsSigningAlgorithm::HmacSha256
                        | CoreJwsSigningAlgorithm::HmacSha384
                        | CoreJwsSigningAlgorithm::HmacSha512
                        | CoreJwsSigningAlgorithm::None
                )
            })
            .cloned()
            .collect();
        let metadata = metadata.set_id_token_signing_alg_values_supported(algorithms);
        let client = CoreClient::from_provider_metadata(
            metadata,
            settings.client_id.clone(),
            Some(settings.client_secret.clone()),
        )
        .set_redirect_uri(settings.redirect.clone());
        *discovered = Some((Instant::now(), client.clone()));
        Ok(client)
    }
}

/// What the console needs to know to offer its ways in.
#[derive(Clone)]
pub struct SignInWays {
    pub mode: ConsoleSignIn,
    pub oidc: Option<Oidc>,
}

impl SignInWays {
    pub fn key_only() -> Self {
        Self { mode: ConsoleSignIn::Key, oidc: None }
    }

    /// What the console offers: the key unless only the provider is, the
    /// provider's button unless only the key is.
    pub fn offered(&self) -> app::people::SignInOptions {
        let provider = self.oidc.as_ref().filter(|_| self.mode != ConsoleSignIn::Key);
        app::people::SignInOptions {
            key: self.mode != ConsoleSignIn::Oidc || provider.is_none(),
            provider: provider.map(|oidc| oidc.provider_name().to_owned()),
        }
    }
}

/// The cookie that binds an attempt to the browser that began it: sent back
/// on the provider's top-level redirect (`SameSite=Lax`), to these paths only.
fn attempt_cookie(secure: bool) -> &'static str {
    if secure { "__Secure-keyward_oidc" } else { "keyward_oidc" }
}

/// The cookie that holds a person choosing among their regions.
pub fn choice_cookie(secure: bool) -> &'static str {
    app::people::ssr::choice_cookie_name(secure)
}

/// `GET /auth/oidc/login`: a new attempt, kept server-side, and the browser
/// sent to the provider with PKCE's challenge, the state and the nonce.
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(client_address): ClientAddress,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::of(&headers);
    let Some(oidc) = state.sign_in.oidc.clone().filter(|_| state.sign_in.mode != ConsoleSignIn::Key) else {
        return page::refused(lang, StatusCode::NOT_FOUND, page::Why::NotConfigured);
    };
    let client = match oidc.client().await {
        Ok(client) => client,
        Err(error) => {
            tracing::warn!(%error, "the identity provider cannot be reached");
            return page::refused(lang, StatusCode::BAD_GATEWAY, page::Why::ProviderUnreachable);
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state_token, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = CsrfToken::new_random();
    let attempt = OidcAttempt { pkce_verifier: verifier.secret().clone(), nonce: nonce.secret().clone() };
    let begun = state.keyward.person_sign_ins().begin(state_token.secret(), browser.secret(), attempt, client_address);
    if let Err(error) = begun.await {
        return page::failed(lang, &error);
    }
    let secure = state.console.secure_cookies;
    let cookie = format!(
        "{}={}; HttpOnly; SameSite=Lax; Path=/auth/oidc/; Max-Age={}{}",
        attempt_cookie(secure),
        browser.secret(),
        domain::SIGN_IN_TIME.num_seconds(),
        if secure { "; Secure" } else { "" }
    );
    redirect(url.as_str(), &[cookie])
}

/// What the provider sends back: a code and the state, or an error. A
/// parameter given twice counts as not given.
#[derive(Default)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

impl CallbackQuery {
    fn parse(query: &str) -> Self {
        let mut parsed = Self::default();
        let mut seen = std::collections::HashMap::<String, usize>::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            *seen.entry(name.to_string()).or_default() += 1;
            let slot = match &*name {
                "code" => &mut parsed.code,
                "state" => &mut parsed.state,
                "error" => &mut parsed.error,
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        for (name, slot) in [("code", &mut parsed.code), ("state", &mut parsed.state), ("error", &mut parsed.error)] {
            if seen.get(name).copied().unwrap_or(0) > 1 {
                *slot = None;
            }
        }
        parsed
    }
}

/// `GET /auth/oidc/callback`: the attempt taken once, the code exchanged
/// with PKCE's verifier, the ID token verified, the email required
/// verified, then a session in the person's region (or a choice of them).
pub async fn callback(
    State(state): State<AppState>,
    ClientAddress(client_address): ClientAddress,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = Lang::of(&headers);
    let secure = state.console.secure_cookies;
    let Some(oidc) = state.sign_in.oidc.clone().filter(|_| state.sign_in.mode != ConsoleSignIn::Key) else {
        return page::refused(lang, StatusCode::NOT_FOUND, page::Why::NotConfigured);
    };
    let query = CallbackQuery::parse(query.as_deref().unwrap_or_default());
    let browser = cookie(&headers, attempt_cookie(secure));
    // The state first, whatever else came: a forged or replayed one finds nothing.
    let Some(state_token) = query.state.as_deref() else {
        return page::refused(lang, StatusCode::BAD_REQUEST, page::Why::NoState);
    };
    let attempt = match state.keyward.person_sign_ins().take(state_token, browser.as_deref()).await {
        Ok(attempt) => attempt,
        Err(domain::Error::SignInRefused(why)) => {
            tracing::info!(why, "an OpenID Connect callback was refused");
            return page::refused(lang, StatusCode::BAD_REQUEST, page::Why::State);
        }
        Err(error) => return page::failed(lang, &error),
    };
    if let Some(error) = query.error.as_deref() {
        // The provider's own word (`access_denied`, …), logged; the person gets ours.
        tracing::info!(error = %error.chars().take(64).collect::<String>(), "the identity provider refused the sign-in");
        return page::refused(lang, StatusCode::FORBIDDEN, page::Why::ProviderRefused);
    }
    let Some(code) = query.code else {
        return page::refused(lang, StatusCode::BAD_REQUEST, page::Why::NoCode);
    };
    let person = match verified_person(&oidc, code, attempt).await {
        Ok(person) => person,
        Err(refusal) => {
            tracing::warn!(reason = %refusal.detail, "an ID token was refused");
            // A verified token naming an unverified email: the regions that
            // grant that email hear of it (a claim to someone else's address).
            if let Some(person) = &refusal.unverified {
                let refused =
                    state.keyward.person_sign_ins().refused(person, SignInRefusal::EmailUnverified, client_address);
                if let Err(error) = refused.await {
                    tracing::error!(%error, "a refused sign-in could not be audited");
                }
            }
            return page::refused(lang, StatusCode::UNAUTHORIZED, refusal.why);
        }
    };
    let people = state.keyward.person_sign_ins();
    let regions = match people.regions_of(&person).await {
        Ok(regions) => regions,
        Err(error) => return page::failed(lang, &error),
    };
    let forget_attempt = format!(
        "{}=; HttpOnly; SameSite=Lax; Path=/auth/oidc/; Max-Age=0{}",
        attempt_cookie(secure),
        if secure { "; Secure" } else { "" }
    );
    match regions.as_slice() {
        [] => {
            tracing::info!(email = %person.email, "a person without a grant signed in");
            page::refused(lang, StatusCode::FORBIDDEN, page::Why::NoGrant(person.email.to_string()))
        }
        [only] => {
            // This browser's earlier session ends with the new one, as at a key's sign-in.
            let previous = cookie(&headers, app::server_fns::ssr::session_cookie_name(secure));
            if let Some(previous) = previous.as_deref().and_then(domain::SessionId::from_cookie)
                && let Err(error) = state.keyward.sessions().sign_out(&previous).await
            {
                return page::failed(lang, &error);
            }
            match state.keyward.sessions().sign_in_person(&person, &only.region.id, client_address).await {
                Ok((session, _)) => {
                    let cookie = session_cookie(secure, session.as_str(), "");
                    redirect("/", &[forget_attempt, cookie])
                }
                Err(error) => page::failed(lang, &error),
            }
        }
        _ => match people.hold(&person).await {
            Ok(held) => {
                let cookie = format!(
                    "{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                    choice_cookie(secure),
                    held.as_str(),
                    domain::SIGN_IN_TIME.num_seconds(),
                    if secure { "; Secure" } else { "" }
                );
                redirect("/choose-region", &[forget_attempt, cookie])
            }
            Err(error) => page::failed(lang, &error),
        },
    }
}

/// Why an ID token was not accepted: what the person reads, and the
/// details for the log.
struct TokenRefusal {
    why: page::Why,
    detail: String,
    /// Who a verified token named, when only their email's verification was missing.
    unverified: Option<Person>,
}

fn refusal(why: page::Why, detail: impl Into<String>) -> TokenRefusal {
    TokenRefusal { why, detail: detail.into(), unverified: None }
}

/// The code exchanged (with PKCE's verifier) at the provider's token
/// endpoint, the ID token verified by `openidconnect` (signature by the
/// issuer's JWKS, `iss`, `aud`, `exp`, `nonce`), and its email required
/// present and verified.
async fn verified_person(oidc: &Oidc, code: String, attempt: OidcAttempt) -> Result<Person, TokenRefusal> {
    let client = oidc.client().await.map_err(|error| refusal(page::Why::ProviderUnreachable, error))?;
    let request = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|error| refusal(page::Why::Token, format!("no token endpoint: {error}")))?;
    let response = request
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier))
        .request_async(&oidc.0.http)
        .await
        .map_err(|error| refusal(page::Why::Token, format!("the code exchange failed: {}", chain(&error))))?;
    let id_token = response.id_token().ok_or_else(|| refusal(page::Why::Token, "no ID token in the answer"))?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(attempt.nonce))
        .map_err(|error| refusal(page::Why::Token, format!("the ID token does not verify: {}", chain(&error))))?;
    let subject = claims.subject().clone();
    let name = claims.name().and_then(|name| name.get(None)).map(|name| name.as_str().to_owned());
    let (email, verified, name) = match claims.email() {
        Some(email) => (email.as_str().to_owned(), claims.email_verified(), name),
        // Providers that keep scope claims out of the ID token (oidc-provider
        // by default) give them at the userinfo endpoint, for the same `sub`
        // (which `openidconnect` checks).
        None => {
            let info = client
                .user_info(response.access_token().clone(), Some(subject.clone()))
                .map_err(|error| refusal(page::Why::NoEmail, format!("no email and no userinfo endpoint: {error}")))?
                .request_async(&oidc.0.http)
                .await
                .map_err(|error| {
                    refusal(page::Why::Token, format!("the userinfo request failed: {}", chain(&error)))
                })?;
            let info: openidconnect::core::CoreUserInfoClaims = info;
            let email =
                info.email().ok_or_else(|| refusal(page::Why::NoEmail, "no email in the ID token or userinfo"))?;
            let name = info.name().and_then(|name| name.get(None)).map(|name| name.as_str().to_owned()).or(name);
            (email.as_str().to_owned(), info.email_verified(), name)
        }
    };
    let email = Email::parse(&email).map_err(|error| refusal(page::Why::NoEmail, error.0))?;
    let name = name.map(|name| name.chars().take(200).collect());
    let person = Person { email, subject: subject.as_str().to_owned(), name };
    if verified != Some(true) {
        let unverified = Some(person);
        return Err(TokenRefusal { unverified, ..refusal(page::Why::EmailUnverified, "the email is not verified") });
    }
    Ok(person)
}

/// The session cookie the console uses (`app::server_fns::ssr`).
fn session_cookie(secure: bool, value: &str, attributes: &str) -> String {
    let name = app::server_fns::ssr::session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/{secure}{attributes}")
}

/// A `303 See Other` to `location`, setting `cookies`; never cached.
fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    for cookie in cookies {
        if let Ok(cookie) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A cookie's value from the request, the first of that name.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    app::server_fns::ssr::cookie_values(headers, name).next().map(str::to_owned)
}

/// An error with its causes, on one line (for the log).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
