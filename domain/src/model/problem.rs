//! Every problem code Keyward answers with, once. The REST API's problem
//! type is `urn:keyward:problem:<slug>`, the console's refusals carry the
//! code, and the words for each code are chosen by an exhaustive `match`
//! (the server's titles, the console's Dutch), so a new code without its
//! words does not compile. The slugs are a public contract: never change
//! one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines [`ProblemCode`] from one list of `Variant => "slug"`, with
/// [`ProblemCode::ALL`] and [`ProblemCode::slug`] generated from it, so the
/// list, the slugs and the set of all codes cannot disagree.
macro_rules! problem_codes {
    ($($(#[$doc:meta])* $name:ident => $slug:literal,)*) => {
        /// Why a request was refused or failed, in a stable, machine-readable word.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $($(#[$doc])* $name,)*
        }

        impl ProblemCode {
            /// Every code, in the order they are listed.
            pub const ALL: &[ProblemCode] = &[$(ProblemCode::$name),*];

            /// The stable word, e.g. `last-api-key`.
            pub fn slug(self) -> &'static str {
                match self {
                    $(ProblemCode::$name => $slug,)*
                }
            }
        }
    };
}

problem_codes! {
    // The domain's refusals and failures (`domain::Error::code`).
    /// No key, a malformed, unknown or wrong one, or an ended session.
    Unauthenticated => "unauthenticated",
    /// A key whose scheduled revocation came due.
    ApiKeyRevoked => "api-key-revoked",
    /// A key that was found in public.
    ApiKeyQuarantined => "api-key-quarantined",
    /// A quarantined key can only be deleted or rotated away.
    QuarantineIsFinal => "quarantine-is-final",
    /// Too many attempts; also forward authentication's.
    Throttled => "throttled",
    /// The key lacks a scope; also forward authentication's.
    InsufficientScope => "insufficient-scope",
    /// A key tried to grant a scope it does not hold.
    ScopeEscalation => "scope-escalation",
    /// Over a rate limit; also forward authentication's.
    RateLimited => "rate-limited",
    /// No credits left; also forward authentication's.
    CreditsExhausted => "credits-exhausted",
    /// Not from an allowed network; also forward authentication's.
    NetworkNotAllowed => "network-not-allowed",
    /// A key tried to give a looser policy than its own.
    PolicyEscalation => "policy-escalation",
    /// A key tried to change its own policy.
    OwnPolicy => "own-policy",
    /// No such owner in the caller's region.
    OwnerNotFound => "owner-not-found",
    /// An owner with keys cannot be deleted.
    OwnerHasKeys => "owner-has-keys",
    /// External ids are unique in a region.
    ExternalIdTaken => "external-id-taken",
    /// No such administrator grant in the caller's region.
    AdministratorNotFound => "administrator-not-found",
    /// The email already has a grant in the region.
    AdministratorExists => "administrator-exists",
    /// The person signed in, but no region grants them the console.
    NotAnAdministrator => "not-an-administrator",
    /// An OpenID Connect sign-in that did not hold (state, token, email).
    SignInRefused => "sign-in-refused",
    /// No such webhook endpoint or message.
    WebhookNotFound => "webhook-not-found",
    /// A webhook URL the operator does not allow.
    WebhookUrlNotAllowed => "webhook-url-not-allowed",
    /// The caller's key was re-scoped while the request ran.
    ApiKeyScopesChanged => "api-key-scopes-changed",
    /// A region that is not the caller's.
    ForeignRegion => "foreign-region",
    /// No such key in the caller's region.
    ApiKeyNotFound => "api-key-not-found",
    /// The region's last key that can manage keys.
    LastApiKey => "last-api-key",
    /// The region holds its maximum of keys.
    KeyLimitReached => "key-limit-reached",
    /// The region already has an unfinished rotation.
    RotationInProgress => "rotation-in-progress",
    /// No such rotation in progress.
    RotationNotFound => "rotation-not-found",
    /// The input broke a rule.
    InvalidInput => "invalid-input",
    /// Region names are unique.
    RegionNameTaken => "region-name-taken",
    /// No region with this id or name.
    RegionNotFound => "region-not-found",
    /// The database does not answer.
    DatabaseUnavailable => "database-unavailable",
    /// Too much work of this kind is waiting (public leak reports).
    Busy => "busy",
    /// A failure on the server, logged there.
    InternalError => "internal-error",

    // The HTTP edge's own refusals.
    /// A body over the size limit (REST and the console).
    PayloadTooLarge => "payload-too-large",
    /// A body that is not JSON.
    UnsupportedMediaType => "unsupported-media-type",
    /// JSON of the wrong shape.
    InvalidBody => "invalid-body",
    /// A body that is not valid JSON.
    MalformedJson => "malformed-json",
    /// A leak report whose signature does not verify.
    InvalidSignature => "invalid-signature",
    /// An endpoint this deployment did not turn on.
    NotEnabled => "not-enabled",
    /// A query string that does not parse.
    InvalidQuery => "invalid-query",
    /// A path segment that does not parse.
    InvalidPath => "invalid-path",
    /// No such endpoint.
    NoRoute => "no-route",
    /// The endpoint does not accept this method.
    MethodNotAllowed => "method-not-allowed",
    /// A console function called from another site's page.
    CrossSite => "cross-site",
    /// The database does not answer (readiness).
    Unavailable => "unavailable",
    /// A console request with two session cookies.
    DuplicateSessionCookie => "duplicate-session-cookie",

    // Forward authentication's refusals (`/auth/check`); its
    // `X-Keyward-Code` is the verdict's code (`VerdictCode`).
    /// No key was presented.
    Missing => "missing",
    /// A malformed, unknown or wrong key.
    Invalid => "invalid",
    /// A key whose scheduled revocation came due.
    Revoked => "revoked",
    /// A key that was found in public.
    Quarantined => "quarantined",
    /// A `scope` parameter in the protected request's query.
    ScopeInQuery => "scope-in-query",
}

impl ProblemCode {
    /// The code with this slug, if any.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|code| code.slug() == slug)
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// Travels as its slug.
impl Serialize for ProblemCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.slug())
    }
}

impl<'de> Deserialize<'de> for ProblemCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let slug = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::from_slug(&slug).ok_or_else(|| serde::de::Error::custom(format!("unknown problem code {slug:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_kebab_case_and_travel_as_they_are() {
        let mut seen = std::collections::HashSet::new();
        for &code in ProblemCode::ALL {
            let slug = code.slug();
            assert!(seen.insert(slug), "{slug} twice");
            assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{slug}");
            assert_eq!(serde_json::to_value(code).unwrap(), slug);
            assert_eq!(serde_json::from_value::<ProblemCode>(slug.into()).unwrap(), code);
        }
        assert!(serde_json::from_value::<ProblemCode>("something-new".into()).is_err());
    }
}
