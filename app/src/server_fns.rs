//! The console's server functions: one per thing an administrator does.
//! Each body reads the session, calls the domain and returns its answer;
//! [`ssr::respond`] turns a domain refusal into a [`ConsoleError`] (one
//! conversion, `From<&domain::Error>`), and [`ssr::signed_in`] first finds
//! who holds the session.
//!
//! Endpoints are named, so their URLs (`/api/<name>`) do not depend on the
//! path the crate was built from. Arguments are typed (ids, descriptions),
//! so they are checked once, as they arrive.

use domain::model::{
    ApiKey, AuditPage, CreatedApiKey, Description, ErrorKind, EventId, KeyId, KeyPolicy, KeyUpdate, KeyUsage, NewOwner,
    OldKeyRevocation, Owner, OwnerId, OwnerUpdate, ProblemCode, RegionOverview, RegionUsage, Rotation, RotationId,
    Scopes, SessionAfterRotation, SessionTimeLeft, StartedRotation, UsageBucket,
};
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, JsonEncoding};
use serde::{Deserialize, Serialize};

use crate::i18n::problems::refusal;
use crate::i18n::{Lang, Texts, fill, texts};

pub mod webhooks;

texts! {
    ConsoleText {
        NotSignedIn => "sign in with an API key first", "log eerst in met een API-sleutel";
        SignedOut => "your session has ended; sign in again", "je sessie is beëindigd; log opnieuw in";
        WrongKey => "this API key is not valid", "deze API-sleutel is niet geldig";
        NoConsoleAccess => "this API key cannot open the console: it lacks the scope keys:read (an integration key only calls your API)", "met deze API-sleutel kun je de console niet openen: hij mist de scope keys:read (een integratiesleutel roept alleen je API aan)";
        KeySignInOff => "this console is not entered with an API key: sign in with your organisation's identity provider", "deze console open je niet met een API-sleutel: log in via de identiteitsprovider van je organisatie";
        Internal => "something went wrong on the server; try again", "er ging iets mis op de server; probeer het opnieuw";
        Transport => "could not reach the server ({0})", "de server was niet bereikbaar ({0})";
    }
}

/// Everything the dashboard shows: the region, its keys (with the key of
/// this session as `current_api_key_id`), an unfinished rotation, the
/// latest entries of the audit log, the last 7 days' traffic, and the
/// owners its keys may belong to (the owners page shows them too).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub overview: RegionOverview,
    pub rotation: Option<Rotation>,
    /// The newest entries, and where older ones start.
    pub activity: AuditPage,
    /// Per hour over the last 7 days, the region's and each key's.
    pub usage: RegionUsage,
    /// How long this browser's session has left.
    pub session: SessionTimeLeft,
    /// The region's owners, by external id.
    pub owners: Vec<Owner>,
}

/// What binds a key, as its usage dialog shows it: the key as it is now
/// (its credits left) and its owner (whose limits and credits it shares).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBudget {
    pub key: ApiKey,
    pub owner: Option<Owner>,
}

/// The rotation wizard's cut-over: both keys' traffic over the last hour
/// per minute and over the last 7 days per hour.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutOver {
    pub old_minutes: Option<KeyUsage>,
    pub new_minutes: KeyUsage,
    pub old_hours: Option<KeyUsage>,
    pub new_hours: KeyUsage,
}

/// What the rotation wizard's verify step polls in place of the whole
/// dashboard: the rotation (another browser may finish or cancel it), its
/// keys as they are now (their last use) and the session's time left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationProgress {
    pub rotation: Option<Rotation>,
    /// The rotation's keys that still exist.
    pub keys: Vec<ApiKey>,
    pub session: SessionTimeLeft,
}

impl Dashboard {
    /// Takes in a polled [`RotationProgress`]: the rotation, the session,
    /// and the rotation's keys as the server has them now (a key of the
    /// rotation that the server no longer has is gone). The rest (other
    /// keys, activity, traffic) stays as last loaded.
    pub fn update_rotation(&mut self, progress: RotationProgress) {
        if let Some(now) = &progress.rotation {
            // Keys of the rotation as it was shown too: the old key may
            // have been deleted since, which leaves `old_key_id` empty.
            let shown = self.rotation.as_ref().filter(|shown| shown.id == now.id);
            let ids = [Some(now), shown]
                .into_iter()
                .flatten()
                .flat_map(|rotation| [Some(&rotation.new_key_id), rotation.old_key_id.as_ref()].into_iter().flatten())
                .cloned()
                .collect::<Vec<_>>();
            let keys = &mut self.overview.api_keys;
            keys.retain(|key| !ids.contains(&key.id) || progress.keys.iter().any(|now| now.id == key.id));
            for now in progress.keys {
                match keys.iter_mut().find(|key| key.id == now.id) {
                    Some(shown) => *shown = now,
                    None => keys.push(now),
                }
            }
        }
        self.rotation = progress.rotation;
        self.session = progress.session;
    }

    /// What this session's key, or its person, may do.
    pub fn session_scopes(&self) -> Scopes {
        if let Some(person) = &self.overview.signed_in_as {
            return person.scopes.clone();
        }
        let current = self.overview.current_api_key_id.as_ref();
        self.overview
            .api_keys
            .iter()
            .find(|key| Some(&key.id) == current)
            .map(|key| key.scopes.clone())
            .unwrap_or_default()
    }
}

/// How many audit events the dashboard shows.
pub const DASHBOARD_ACTIVITY: u64 = 15;

/// Every way a console call can fail, worded for the administrator in
/// either language ([`ConsoleError::text`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum ConsoleError {
    /// No session cookie: nobody signed in from this browser.
    NotSignedIn,
    /// A session that timed out, was signed out, or whose key was deleted.
    SignedOut,
    /// Sign-in with a key that is malformed, unknown or wrong.
    WrongKey,
    /// Sign-in with a valid key that may not read the region's keys.
    NoConsoleAccess,
    /// Sign-in with a key where the operator offers only the identity
    /// provider (`--console-sign-in oidc`).
    KeySignInOff,
    /// The domain refused, in the same words as the REST API's `detail`;
    /// `code` is the REST API's problem type (e.g. `last-api-key`).
    Refused { kind: ErrorKind, code: ProblemCode, message: String },
    /// A failure on the server, logged there.
    Internal,
    /// The request did not get through or the answer did not decode.
    Transport(String),
}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        Self::Transport(error.to_string())
    }
}

impl ConsoleError {
    /// The kind of failure, which the server answers with its HTTP status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotSignedIn | Self::SignedOut | Self::WrongKey => ErrorKind::Unauthenticated,
            Self::NoConsoleAccess | Self::KeySignInOff => ErrorKind::Forbidden,
            Self::Refused { kind, .. } => *kind,
            Self::Internal => ErrorKind::Internal,
            Self::Transport(_) => ErrorKind::Invalid,
        }
    }

    /// What went wrong in `lang`, as a sentence fragment. A refusal by the
    /// server keeps its words in English and is looked up by its problem
    /// type otherwise.
    pub fn text(&self, lang: Lang) -> String {
        let text = match self {
            Self::NotSignedIn => ConsoleText::NotSignedIn,
            Self::SignedOut => ConsoleText::SignedOut,
            Self::WrongKey => ConsoleText::WrongKey,
            Self::NoConsoleAccess => ConsoleText::NoConsoleAccess,
            Self::KeySignInOff => ConsoleText::KeySignInOff,
            Self::Internal => ConsoleText::Internal,
            Self::Refused { code, message, .. } => {
                return match refusal(*code, lang) {
                    None => message.clone(),
                    // A broken rule names its field (`credits.remaining`,
                    // `allowed_networks`), and a refused webhook URL says
                    // why (it does not resolve, it is private): kept, in
                    // the model's words.
                    Some(translated)
                        if matches!(code, ProblemCode::InvalidInput | ProblemCode::WebhookUrlNotAllowed) =>
                    {
                        format!("{translated} ({message})")
                    }
                    Some(translated) => translated.to_owned(),
                };
            }
            Self::Transport(detail) => return fill(ConsoleText::Transport.in_lang(lang), &[detail]),
        };
        text.in_lang(lang).to_owned()
    }

    /// [`Self::text`] in the console's language.
    pub fn localized(&self) -> String {
        self.text(crate::i18n::current())
    }

    /// Whether this is the refusal whose problem code has the slug `slug`
    /// (the REST API's problem type, e.g. `last-api-key`).
    pub fn is(&self, slug: &str) -> bool {
        matches!(self, Self::Refused { code, .. } if code.slug() == slug)
    }
}

/// Signs in with an API key and sets the session cookie.
#[server(endpoint = "sign_in")]
pub async fn sign_in(api_key: String) -> Result<(), ConsoleError> {
    ssr::respond(async move {
        let request = ssr::ConsoleRequest::current()?;
        if !crate::people::ssr::options().key {
            return Err(ssr::Failure::Console(ConsoleError::KeySignInOff));
        }
        request.end_session().await?;
        let (session, _) = request.keyward().sessions().sign_in(api_key.trim(), request.client()).await.map_err(
            |error| match error {
                domain::Error::Unauthenticated | domain::Error::Revoked => {
                    ssr::Failure::Console(ConsoleError::WrongKey)
                }
                domain::Error::InsufficientScope(_) => ssr::Failure::Console(ConsoleError::NoConsoleAccess),
                // Refused as it is, not as an ended session.
                quarantined @ domain::Error::Quarantined => ssr::Failure::Console(ConsoleError::refusal(&quarantined)),
                other => other.into(),
            },
        )?;
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
    ssr::signed_in(async move |request, caller| {
        let keyward = request.keyward();
        let overview = keyward.keys().overview(&caller).await?;
        let rotation = keyward.rotations().current(&caller).await?;
        let activity = keyward.audit().page(&caller, &activity_before(None)).await?;
        let usage = keyward.usage().region(&caller, domain::model::UsageQuery::default()).await?;
        let session = keyward.sessions().time_left(request.session_id()?).await?;
        let owners = keyward.owners().list(&caller).await?;
        Ok(Dashboard { overview, rotation, activity, usage, session, owners })
    })
    .await
}

/// The activity entries older than `before`, a page at a time.
#[server(endpoint = "load_activity", input = Json)]
pub async fn load_activity(before: EventId) -> Result<AuditPage, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().audit().page(&caller, &activity_before(Some(before))).await?)
    })
    .await
}

/// One key's requests per `bucket` over that bucket's usual span (an hour
/// of minutes, 7 days of hours, 30 days of days) and its last use.
#[server(endpoint = "load_key_usage", input = Json)]
pub async fn load_key_usage(key_id: KeyId, bucket: UsageBucket) -> Result<KeyUsage, ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(ssr::key_usage(request.keyward(), &caller, &key_id, bucket).await?))
        .await
}

/// A rotation's cut-over; the old key may be gone already.
#[server(endpoint = "load_cut_over", input = Json)]
pub async fn load_cut_over(new_key_id: KeyId, old_key_id: Option<KeyId>) -> Result<CutOver, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        let keyward = request.keyward();
        let usage = async |key_id: &KeyId, bucket| ssr::key_usage(keyward, &caller, key_id, bucket).await;
        let old = async |bucket| match &old_key_id {
            Some(old_key_id) => usage(old_key_id, bucket).await.map(Some),
            None => Ok(None),
        };
        Ok(CutOver {
            old_minutes: old(UsageBucket::Minute).await?,
            new_minutes: usage(&new_key_id, UsageBucket::Minute).await?,
            old_hours: old(UsageBucket::Hour).await?,
            new_hours: usage(&new_key_id, UsageBucket::Hour).await?,
        })
    })
    .await
}

/// What the rotation wizard's verify step polls: three small reads, no
/// traffic and no activity.
#[server(endpoint = "load_rotation_progress")]
pub async fn load_rotation_progress() -> Result<RotationProgress, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        let keyward = request.keyward();
        let rotation = keyward.rotations().current(&caller).await?;
        let ids = rotation.iter().flat_map(|rotation| [Some(&rotation.new_key_id), rotation.old_key_id.as_ref()]);
        let ids = ids.flatten().cloned().collect::<Vec<_>>();
        let keys = if ids.is_empty() {
            Vec::new()
        } else {
            keyward.keys().list(&caller).await?.into_iter().filter(|key| ids.contains(&key.id)).collect()
        };
        let session = keyward.sessions().time_left(request.session_id()?).await?;
        Ok(RotationProgress { rotation, keys, session })
    })
    .await
}

/// A page of the dashboard's activity list.
#[cfg(feature = "ssr")]
fn activity_before(before: Option<EventId>) -> domain::model::AuditQuery {
    domain::model::AuditQuery { before, limit: Some(DASHBOARD_ACTIVITY), ..domain::model::AuditQuery::default() }
}

/// Creates a key with `scopes` and `policy` (its owner, limits, credits,
/// networks and meta); the answer is the only one that carries its token.
#[server(endpoint = "create_key", input = Json)]
pub async fn create_key(
    description: Option<Description>,
    scopes: Scopes,
    policy: KeyPolicy,
) -> Result<CreatedApiKey, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        let new = domain::model::NewKey { description, scopes: Some(scopes), policy };
        Ok(request.keyward().keys().create(&caller, new, None).await?)
    })
    .await
}

/// Changes a key's description, scopes, scheduled revocation, owner,
/// limits, credits, networks or meta.
#[server(endpoint = "update_key", input = Json)]
pub async fn update_key(key_id: KeyId, update: KeyUpdate) -> Result<ApiKey, ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(request.keyward().keys().update(&caller, &key_id, update).await?))
        .await
}

#[server(endpoint = "delete_key")]
pub async fn delete_key(key_id: KeyId) -> Result<(), ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(request.keyward().keys().delete(&caller, &key_id, None).await?))
        .await
}

/// What binds a key now: its own credits left and its owner's.
#[server(endpoint = "load_key_budget", input = Json)]
pub async fn load_key_budget(key_id: KeyId) -> Result<KeyBudget, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        let keyward = request.keyward();
        let key = keyward.keys().get(&caller, &key_id).await?;
        let owner = match &key.owner_id {
            Some(owner_id) => Some(keyward.owners().get(&caller, owner_id).await?),
            None => None,
        };
        Ok(KeyBudget { key, owner })
    })
    .await
}

/// The region's owners, by external id, with their key counts.
#[server(endpoint = "list_owners")]
pub async fn list_owners() -> Result<Vec<Owner>, ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(request.keyward().owners().list(&caller).await?)).await
}

/// Creates an owner, within this session's key's own policy.
#[server(endpoint = "create_owner", input = Json)]
pub async fn create_owner(new: NewOwner) -> Result<Owner, ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(request.keyward().owners().create(&caller, new).await?)).await
}

/// Changes an owner's external id, meta, limits or credits.
#[server(endpoint = "update_owner", input = Json)]
pub async fn update_owner(owner_id: OwnerId, update: OwnerUpdate) -> Result<Owner, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().owners().update(&caller, &owner_id, update).await?)
    })
    .await
}

/// Deletes an owner; refused (`owner-has-keys`) while it has keys.
#[server(endpoint = "delete_owner", input = Json)]
pub async fn delete_owner(owner_id: OwnerId) -> Result<(), ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(request.keyward().owners().delete(&caller, &owner_id).await?)).await
}

/// Starts replacing `old_key_id`; the answer carries the new key's token.
#[server(endpoint = "start_rotation")]
pub async fn start_rotation(
    old_key_id: KeyId,
    description: Option<Description>,
) -> Result<StartedRotation, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        Ok(request.keyward().rotations().start(&caller, &old_key_id, description).await?)
    })
    .await
}

/// Deletes the rotation's old key, or schedules its revocation after a
/// grace period (`revocation`). When this session signed in with it, `after` says whether
/// the session moves to the new key or ends now (and so does its cookie).
#[server(endpoint = "finish_rotation", input = Json)]
pub async fn finish_rotation(
    rotation_id: RotationId,
    after: SessionAfterRotation,
    revocation: OldKeyRevocation,
) -> Result<SessionAfterRotation, ConsoleError> {
    ssr::signed_in(async move |request, caller| {
        let session = request.session_id()?;
        let after = request.keyward().rotations().finish(session, &caller, &rotation_id, after, revocation).await?;
        if after == SessionAfterRotation::SignedOut {
            request.clear_session_cookie();
        }
        Ok(after)
    })
    .await
}

/// Abandons the rotation: deletes its new key, keeps the old one.
#[server(endpoint = "cancel_rotation")]
pub async fn cancel_rotation(rotation_id: RotationId) -> Result<(), ConsoleError> {
    ssr::signed_in(async move |request, caller| Ok(request.keyward().rotations().cancel(&caller, &rotation_id).await?))
        .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! What the server functions need from the request. `keyward serve`
    //! provides, as context: the [`domain::Keyward`], the [`CallContext`]
    //! of this call, and the [`Outcome`] it reads back afterwards.

    use std::net::IpAddr;
    use std::sync::{Arc, Mutex, PoisonError};

    use domain::model::{ErrorKind, KeyId, KeyUsage, ProblemCode, UsageBucket, UsageQuery};
    use domain::{Caller, Keyward, SessionId};
    use http::{HeaderValue, header, request::Parts};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::ConsoleError;

    /// The session cookie. `HttpOnly` (no script reads it) and
    /// `SameSite=Strict` (no other site's page sends it); over TLS with the
    /// `__Host-` prefix, which browsers accept only `Secure`, for this host
    /// and path `/`, so no sibling domain can plant one.
    pub fn session_cookie_name(secure: bool) -> &'static str {
        if secure { "__Host-keyward_session" } else { "keyward_session" }
    }

    /// What the server knows about this call.
    #[derive(Clone, Copy, Debug)]
    pub struct CallContext {
        /// The client's address, which sign-in throttling counts.
        pub client: IpAddr,
        /// Adds `Secure` to the cookie: on whenever the console is served over TLS.
        pub secure_cookies: bool,
    }

    /// How the call ended, for the server to answer with the right status
    /// and to log a failure's details once. Unset when the body never ran
    /// (its arguments did not decode).
    #[derive(Clone, Default)]
    pub struct Outcome(Arc<Mutex<Option<Ended>>>);

    #[derive(Clone, Debug)]
    pub enum Ended {
        Answered,
        Refused(ErrorKind),
        /// A failure with details for the log only.
        Failed(String),
    }

    impl Outcome {
        pub fn take(&self) -> Option<Ended> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
        }

        fn set(&self, ended: Ended) {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(ended);
        }
    }

    /// Why a body stopped: a console refusal as it is, or a domain error
    /// still to be worded (which [`respond`] does, keeping the details of a
    /// failure for the log).
    pub enum Failure {
        Console(ConsoleError),
        Domain(domain::Error),
    }

    impl From<ConsoleError> for Failure {
        fn from(error: ConsoleError) -> Self {
            Self::Console(error)
        }
    }

    impl From<domain::Error> for Failure {
        fn from(error: domain::Error) -> Self {
            Self::Domain(error)
        }
    }

    /// Runs a server function's body and records how it ended.
    pub async fn respond<T>(body: impl Future<Output = Result<T, Failure>>) -> Result<T, ConsoleError> {
        let (result, ended) = match body.await {
            Ok(value) => (Ok(value), Ended::Answered),
            Err(Failure::Console(error)) => {
                let kind = error.kind();
                (Err(error), Ended::Refused(kind))
            }
            Err(Failure::Domain(error)) => {
                let worded = ConsoleError::from(&error);
                let ended = match worded {
                    ConsoleError::Internal => Ended::Failed(format!("{error}: {error:?}")),
                    ref refused => Ended::Refused(refused.kind()),
                };
                (Err(worded), ended)
            }
        };
        match use_context::<Outcome>() {
            Some(outcome) => outcome.set(ended),
            None => tracing::error!("the server functions were mounted without an Outcome in context"),
        }
        result
    }

    /// Runs the body of a server function that needs a session, with the
    /// request and who holds its session, as [`respond`] does.
    pub async fn signed_in<T, F>(body: impl FnOnce(ConsoleRequest, Caller) -> F) -> Result<T, ConsoleError>
    where
        F: Future<Output = Result<T, Failure>>,
    {
        respond(async move {
            let (request, caller) = ConsoleRequest::signed_in().await?;
            body(request, caller).await
        })
        .await
    }

    /// The one wording of a domain error for the console: an internal
    /// failure says nothing of its details, an unauthenticated call means
    /// the session is gone, and any other refusal keeps its kind, problem
    /// code and words.
    impl From<&domain::Error> for ConsoleError {
        fn from(error: &domain::Error) -> Self {
            match error.kind() {
                ErrorKind::Internal => Self::Internal,
                ErrorKind::Unauthenticated => Self::SignedOut,
                _ => Self::refusal(error),
            }
        }
    }

    impl ConsoleError {
        /// `error` as a refusal, whatever its kind: its kind, problem code
        /// and words as the REST API gives them.
        pub fn refusal(error: &domain::Error) -> Self {
            Self::Refused { kind: error.kind(), code: error.code(), message: error.to_string() }
        }
    }

    /// One server function call.
    pub struct ConsoleRequest {
        keyward: Keyward,
        call: CallContext,
        session_id: Option<SessionId>,
        /// Over TLS only this server can set its `__Host-` cookie: two of
        /// them mean something is wrong, and no session is used.
        doubled: bool,
    }

    impl ConsoleRequest {
        pub fn current() -> Result<Self, Failure> {
            let keyward = use_context::<Keyward>().ok_or_else(|| missing("Keyward"))?;
            let call = use_context::<CallContext>().ok_or_else(|| missing("CallContext"))?;
            let parts = use_context::<Parts>().ok_or_else(|| missing("request parts"))?;
            let (session_id, doubled) = session_cookie(&parts, session_cookie_name(call.secure_cookies));
            Ok(Self { keyward, call, session_id, doubled: doubled && call.secure_cookies })
        }

        /// The request and who holds its session.
        pub async fn signed_in() -> Result<(Self, Caller), Failure> {
            let request = Self::current()?;
            let caller = request.keyward.sessions().caller(request.session_id()?, request.call.client).await?;
            // A key's session from before the operator offered the identity provider alone.
            if caller.key_id().is_some() && !crate::people::ssr::options().key {
                request.end_session().await?;
                return Err(Failure::Console(ConsoleError::SignedOut));
            }
            Ok((request, caller))
        }

        pub fn keyward(&self) -> &Keyward {
            &self.keyward
        }

        pub fn client(&self) -> IpAddr {
            self.call.client
        }

        pub fn session_id(&self) -> Result<&SessionId, Failure> {
            if self.doubled {
                return Err(Failure::Console(ConsoleError::Refused {
                    kind: ErrorKind::Invalid,
                    code: ProblemCode::DuplicateSessionCookie,
                    message: "this request carries two session cookies; sign in again".to_owned(),
                }));
            }
            self.session_id.as_ref().ok_or(Failure::Console(ConsoleError::NotSignedIn))
        }

        pub fn set_session_cookie(&self, session: &SessionId) {
            self.write_cookie(session.as_str(), "");
        }

        pub fn clear_session_cookie(&self) {
            self.write_cookie("", "; Max-Age=0");
        }

        /// Deletes this request's session, if it has one, and its cookie
        /// (with two cookies, only the cookie: signing in again recovers).
        pub async fn end_session(&self) -> Result<(), Failure> {
            match &self.session_id {
                Some(session_id) if !self.doubled => {
                    self.keyward.sessions().sign_out(session_id).await?;
                    self.clear_session_cookie();
                }
                _ if self.doubled => self.clear_session_cookie(),
                _ => {}
            }
            Ok(())
        }

        fn write_cookie(&self, value: &str, attributes: &str) {
            let secure = if self.call.secure_cookies { "; Secure" } else { "" };
            let name = session_cookie_name(self.call.secure_cookies);
            let cookie = format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/{secure}{attributes}");
            match (HeaderValue::from_str(&cookie), use_context::<ResponseOptions>()) {
                (Ok(cookie), Some(response)) => response.insert_header(header::SET_COOKIE, cookie),
                _ => tracing::error!("could not set the session cookie"),
            }
        }
    }

    /// One key's usage in `bucket`s over the bucket's usual span.
    pub async fn key_usage(
        keyward: &Keyward,
        caller: &Caller,
        key_id: &KeyId,
        bucket: UsageBucket,
    ) -> domain::Result<KeyUsage> {
        keyward.usage().key(caller, key_id, UsageQuery { bucket: Some(bucket), ..UsageQuery::default() }).await
    }

    fn missing(what: &str) -> Failure {
        Failure::Domain(domain::Error::Internal(format!("the server functions were mounted without {what} in context")))
    }

    /// The session id from the `Cookie` header(s), if a well-formed one, and
    /// whether there were two session cookies.
    fn session_cookie(parts: &Parts, cookie_name: &str) -> (Option<SessionId>, bool) {
        let mut values = cookie_values(&parts.headers, cookie_name);
        let first = values.next().and_then(SessionId::from_cookie);
        (first, values.next().is_some())
    }

    /// The values of the cookies named `name` in the `Cookie` header(s), in order.
    pub fn cookie_values<'a>(headers: &'a http::HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(move |(found, _)| *found == name)
            .map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use domain::model::{Region, RegionId, UsageCounts, UsageSeries};

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn key(id: &str, last_used: Option<i64>) -> ApiKey {
        ApiKey {
            id: KeyId::parse(id).unwrap(),
            token_preview: format!("kw_live_{id}"),
            description: None,
            created_at: at(0),
            updated_at: at(0),
            last_used_at: last_used.map(at),
            scopes: Scopes::all(),
            revoke_at: None,
            quarantine: None,
            owner_id: None,
            meta: Default::default(),
            rate_limits: Default::default(),
            credits: None,
            allowed_networks: Default::default(),
        }
    }

    fn rotation(old: Option<&str>, new: &str) -> Rotation {
        Rotation {
            id: RotationId::parse("rot_aaaaaaaaaaaaaaaa").unwrap(),
            old_key_id: old.map(|id| KeyId::parse(id).unwrap()),
            new_key_id: KeyId::parse(new).unwrap(),
            started_at: at(0),
        }
    }

    const OLD: &str = "key_oooooooooooooooo";
    const NEW: &str = "key_nnnnnnnnnnnnnnnn";
    const OTHER: &str = "key_xxxxxxxxxxxxxxxx";

    fn dashboard() -> Dashboard {
        let series = UsageSeries {
            from: at(0),
            to: at(3600),
            bucket: UsageBucket::Hour,
            points: Vec::new(),
            total: UsageCounts::default(),
        };
        Dashboard {
            overview: RegionOverview {
                region: Region {
                    id: RegionId::parse("reg_aaaaaaaaaaaaaaaa").unwrap(),
                    name: "acme".to_owned(),
                    sandbox: false,
                    created_at: at(0),
                    updated_at: at(0),
                },
                api_keys: vec![key(OLD, None), key(NEW, None), key(OTHER, Some(5))],
                current_api_key_id: Some(KeyId::parse(OLD).unwrap()),
                signed_in_as: None,
            },
            rotation: Some(rotation(Some(OLD), NEW)),
            activity: AuditPage { events: Vec::new(), next: None },
            usage: RegionUsage { usage: series, keys: Vec::new() },
            session: SessionTimeLeft { idle_secs: 600, absolute_secs: 3600 },
            owners: Vec::new(),
        }
    }

    #[test]
    fn polled_rotation_progress_replaces_only_the_rotations_keys_and_the_session() {
        let mut shown = dashboard();
        let session = SessionTimeLeft { idle_secs: 900, absolute_secs: 3590 };
        shown.update_rotation(RotationProgress {
            rotation: Some(rotation(Some(OLD), NEW)),
            keys: vec![key(OLD, Some(20)), key(NEW, Some(30))],
            session,
        });
        let expected = Dashboard {
            overview: RegionOverview {
                api_keys: vec![key(OLD, Some(20)), key(NEW, Some(30)), key(OTHER, Some(5))],
                ..dashboard().overview
            },
            session,
            ..dashboard()
        };
        assert_eq!(shown, expected);
    }

    #[test]
    fn an_old_key_deleted_elsewhere_is_gone() {
        let mut shown = dashboard();
        shown.update_rotation(RotationProgress {
            rotation: Some(rotation(None, NEW)),
            keys: vec![key(NEW, None)],
            session: dashboard().session,
        });
        let ids = shown.overview.api_keys.iter().map(|key| key.id.as_str().to_owned()).collect::<Vec<_>>();
        assert_eq!(ids, [NEW, OTHER]);
        assert_eq!(shown.rotation, Some(rotation(None, NEW)));
    }

    #[test]
    fn an_invalid_input_names_its_field_in_either_language() {
        let refused = ConsoleError::Refused {
            kind: ErrorKind::Invalid,
            code: ProblemCode::InvalidInput,
            message: "credits.remaining must be 0 to 1000000000000".to_owned(),
        };
        assert_eq!(refused.text(Lang::En), "credits.remaining must be 0 to 1000000000000");
        assert_eq!(refused.text(Lang::Nl), "deze invoer is ongeldig (credits.remaining must be 0 to 1000000000000)");
        let taken = ConsoleError::Refused {
            kind: ErrorKind::Conflict,
            code: ProblemCode::OwnerHasKeys,
            message: "this owner still has 2 API keys; delete them or move them to another owner first".to_owned(),
        };
        assert!(taken.text(Lang::Nl).starts_with("deze eigenaar heeft nog API-sleutels"));
        let refused_url = ConsoleError::Refused {
            kind: ErrorKind::Invalid,
            code: ProblemCode::WebhookUrlNotAllowed,
            message: "url: the host \"nowhere.invalid\" does not resolve".to_owned(),
        };
        assert_eq!(
            refused_url.text(Lang::Nl),
            "deze webhook-URL is niet toegestaan (url: the host \"nowhere.invalid\" does not resolve)"
        );
    }

    #[test]
    fn a_rotation_ended_elsewhere_leaves_the_keys_as_shown() {
        let mut shown = dashboard();
        shown.update_rotation(RotationProgress { rotation: None, keys: Vec::new(), session: dashboard().session });
        assert_eq!(shown, Dashboard { rotation: None, ..dashboard() });
    }
}
