//! The console's server functions: one per thing an administrator does.
//! Each body only reads the session, calls one [`domain::KeyService`]
//! method and translates its refusal into a [`ConsoleError`].
//!
//! Endpoints are named, so their URLs (`/api/<name>`) do not depend on the
//! path the crate was built from.

use domain::{
    ApiKey, AuditEvent, CreatedApiKey, RegionOverview, Rotation, SessionAfterRotation, StartedRotation, refusals,
};
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

/// Everything the dashboard shows: the region, its keys (with the key of
/// this session as `current_api_key_id`), an unfinished rotation and the
/// latest entries of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub overview: RegionOverview,
    pub rotation: Option<Rotation>,
    pub activity: Vec<AuditEvent>,
}

/// How many audit events the dashboard shows.
pub const DASHBOARD_ACTIVITY: u64 = 15;

/// Every way a console call can fail, worded for the administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConsoleError {
    /// No session cookie: nobody signed in from this browser (401).
    #[error("sign in with an API key first")]
    NotSignedIn,
    /// A session that timed out, was signed out, or whose key was deleted (401).
    #[error("your session has ended; sign in again")]
    SignedOut,
    /// Sign-in with a key that is malformed, unknown or wrong (401).
    #[error("this API key is not valid")]
    WrongKey,
    /// Too many failed sign-ins (429).
    #[error("{}", refusals::throttled(*retry_after_secs))]
    Throttled { retry_after_secs: u64 },
    /// The region's only key (409); the same words as the REST API.
    #[error("{}", refusals::LAST_KEY)]
    LastKey,
    /// The key is gone, perhaps deleted from another browser (404).
    #[error("this API key no longer exists; reload to see the current keys")]
    KeyNotFound,
    /// The region already has an unfinished rotation (409).
    #[error("{}", refusals::ROTATION_IN_PROGRESS)]
    RotationInProgress,
    /// The rotation is over, perhaps finished or cancelled in another browser (404).
    #[error("{}", refusals::ROTATION_NOT_FOUND)]
    RotationNotFound,
    /// The input broke a rule; the text says which (422).
    #[error("{0}")]
    Invalid(String),
    /// A failure on the server, logged there (500).
    #[error("something went wrong on the server; try again")]
    Internal,
    /// The request did not get through or the answer did not decode.
    #[error("could not reach the server ({0})")]
    Transport(String),
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        Self::Transport(error.to_string())
    }
}

impl ConsoleError {
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotSignedIn | Self::SignedOut | Self::WrongKey => 401,
            Self::Throttled { .. } => 429,
            Self::LastKey | Self::RotationInProgress => 409,
            Self::KeyNotFound | Self::RotationNotFound => 404,
            Self::Invalid(_) => 422,
            Self::Internal => 500,
            Self::Transport(_) => 400,
        }
    }
}

/// Signs in with an API key and sets the session cookie.
#[server(endpoint = "sign_in")]
pub async fn sign_in(api_key: String) -> Result<(), ConsoleError> {
    ssr::respond(async move {
        let request = ssr::ConsoleRequest::current()?;
        request.end_session().await?;
        let (session, _) =
            request.keys().sign_in(api_key.trim(), request.client()).await.map_err(|error| match error {
                domain::Error::Unauthenticated => ConsoleError::WrongKey,
                other => other.into(),
            })?;
        request.set_session_cookie(&session);
        Ok(())
    })
    .await
}

/// Deletes the session and its cookie.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ConsoleError> {
    ssr::respond(async move { ssr::ConsoleRequest::current()?.end_session().await }).await
}

#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard() -> Result<Dashboard, ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        let overview = request.keys().overview(&caller).await?;
        let rotation = request.keys().current_rotation(&caller).await?;
        let activity = request.keys().audit_events(&caller, DASHBOARD_ACTIVITY).await?;
        Ok(Dashboard { overview, rotation, activity })
    })
    .await
}

/// Creates a key; the answer is the only one that carries its token.
#[server(endpoint = "create_key")]
pub async fn create_key(description: Option<String>) -> Result<CreatedApiKey, ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        Ok(request.keys().create_key(&caller, description, None).await?)
    })
    .await
}

#[server(endpoint = "update_description")]
pub async fn update_description(key_id: String, description: Option<String>) -> Result<ApiKey, ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        Ok(request.keys().update_description(&caller, &key_id, description).await?)
    })
    .await
}

#[server(endpoint = "delete_key")]
pub async fn delete_key(key_id: String) -> Result<(), ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        Ok(request.keys().delete_key(&caller, &key_id, None).await?)
    })
    .await
}

/// Starts replacing `old_key_id`; the answer carries the new key's token.
#[server(endpoint = "start_rotation")]
pub async fn start_rotation(old_key_id: String, description: Option<String>) -> Result<StartedRotation, ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        Ok(request.keys().start_rotation(&caller, &old_key_id, description).await?)
    })
    .await
}

/// Deletes the rotation's old key. When this session signed in with it,
/// `stay_signed_in` moves the session to the new key first; otherwise the
/// session ends with the key, and so does its cookie.
#[server(endpoint = "finish_rotation")]
pub async fn finish_rotation(rotation_id: String, stay_signed_in: bool) -> Result<SessionAfterRotation, ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        let after = request
            .keys()
            .finish_rotation_in_session(request.session_id()?, &caller, &rotation_id, stay_signed_in)
            .await?;
        if after == SessionAfterRotation::SignedOut {
            request.clear_session_cookie();
        }
        Ok(after)
    })
    .await
}

/// Abandons the rotation: deletes its new key, keeps the old one.
#[server(endpoint = "cancel_rotation")]
pub async fn cancel_rotation(rotation_id: String) -> Result<(), ConsoleError> {
    ssr::respond(async move {
        let (request, caller) = ssr::ConsoleRequest::signed_in().await?;
        Ok(request.keys().cancel_rotation(&caller, &rotation_id).await?)
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! What the server functions need from the request: the key service,
    //! the client's address and the session cookie. `keyward serve`
    //! provides [`ConsoleState`] and [`ClientAddress`] as context.

    use std::net::IpAddr;

    use domain::{Caller, KeyService, SessionId};
    use http::{HeaderValue, StatusCode, header, request::Parts};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::ConsoleError;

    /// The session cookie. `HttpOnly` (no script reads it) and
    /// `SameSite=Strict` (no other site's page sends it).
    pub const SESSION_COOKIE: &str = "keyward_session";

    /// Shared by every server function call.
    #[derive(Clone)]
    pub struct ConsoleState {
        pub keys: KeyService,
        /// Adds `Secure` to the cookie: on whenever the console is served over TLS.
        pub secure_cookies: bool,
    }

    /// The peer address of this call, which sign-in throttling counts.
    #[derive(Clone, Copy, Debug)]
    pub struct ClientAddress(pub IpAddr);

    /// One server function call.
    pub struct ConsoleRequest {
        state: ConsoleState,
        client: IpAddr,
        session_id: Option<String>,
    }

    impl ConsoleRequest {
        pub fn current() -> Result<Self, ConsoleError> {
            let state = use_context::<ConsoleState>().ok_or_else(|| missing("ConsoleState"))?;
            let ClientAddress(client) = use_context::<ClientAddress>().ok_or_else(|| missing("ClientAddress"))?;
            let parts = use_context::<Parts>().ok_or_else(|| missing("request parts"))?;
            Ok(Self { state, client, session_id: session_cookie(&parts) })
        }

        /// The request and who holds its session.
        pub async fn signed_in() -> Result<(Self, Caller), ConsoleError> {
            let request = Self::current()?;
            let caller = request.state.keys.session_caller(request.session_id()?, request.client).await?;
            Ok((request, caller))
        }

        pub fn keys(&self) -> &KeyService {
            &self.state.keys
        }

        pub fn client(&self) -> IpAddr {
            self.client
        }

        pub fn session_id(&self) -> Result<&str, ConsoleError> {
            self.session_id.as_deref().ok_or(ConsoleError::NotSignedIn)
        }

        pub fn set_session_cookie(&self, session: &SessionId) {
            self.write_cookie(session.as_str(), "");
        }

        pub fn clear_session_cookie(&self) {
            self.write_cookie("", "; Max-Age=0");
        }

        /// Deletes this request's session, if it has one, and its cookie.
        pub async fn end_session(&self) -> Result<(), ConsoleError> {
            if let Some(session_id) = &self.session_id {
                self.state.keys.sign_out(session_id).await?;
                self.clear_session_cookie();
            }
            Ok(())
        }

        fn write_cookie(&self, value: &str, attributes: &str) {
            let secure = if self.state.secure_cookies { "; Secure" } else { "" };
            let cookie = format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/{secure}{attributes}");
            match (HeaderValue::from_str(&cookie), use_context::<ResponseOptions>()) {
                (Ok(cookie), Some(response)) => response.insert_header(header::SET_COOKIE, cookie),
                _ => tracing::error!("could not set the session cookie"),
            }
        }
    }

    /// Runs a server function's body and gives its refusal the right
    /// HTTP status (the client decodes the error either way).
    pub async fn respond<T>(body: impl Future<Output = Result<T, ConsoleError>>) -> Result<T, ConsoleError> {
        let result = body.await;
        if let (Err(error), Some(response)) = (&result, use_context::<ResponseOptions>()) {
            response.set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        }
        result
    }

    impl From<domain::Error> for ConsoleError {
        fn from(error: domain::Error) -> Self {
            use domain::Error as E;
            match error {
                E::Unauthenticated => Self::SignedOut,
                E::Throttled { retry_after } => {
                    Self::Throttled { retry_after_secs: domain::refusals::whole_seconds(retry_after) }
                }
                E::LastKey => Self::LastKey,
                E::KeyNotFound | E::ForeignRegion => Self::KeyNotFound,
                E::RotationInProgress => Self::RotationInProgress,
                E::RotationNotFound => Self::RotationNotFound,
                E::Invalid(message) => Self::Invalid(message),
                E::RegionNameTaken(_) | E::Database(_) | E::Internal(_) => {
                    tracing::error!(error = %error, details = ?error, "console call failed");
                    Self::Internal
                }
            }
        }
    }

    fn missing(what: &str) -> ConsoleError {
        tracing::error!("the server functions were mounted without {what} in context");
        ConsoleError::Internal
    }

    /// The session id from the `Cookie` header(s), if any.
    fn session_cookie(parts: &Parts) -> Option<String> {
        parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.to_owned())
            .filter(|value| !value.is_empty())
    }
}
