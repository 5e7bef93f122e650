//! The page a browser sees when an OpenID Connect sign-in is refused: one
//! sentence saying why and what to do, and the way back to the console, in
//! Dutch or English by `Accept-Language`. It carries no script, so the
//! server's CSP applies unchanged, and it changes nothing.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Nl,
}

impl Lang {
    /// Dutch when the browser prefers it, English otherwise.
    pub fn of(headers: &HeaderMap) -> Self {
        let preferred = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(|first| first.trim().to_ascii_lowercase());
        if preferred.is_some_and(|lang| lang == "nl" || lang.starts_with("nl-")) { Self::Nl } else { Self::En }
    }
}

/// Why a sign-in was refused, in words for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    NotConfigured,
    ProviderUnreachable,
    NoState,
    /// Replayed, forged, expired, or from another browser.
    State,
    ProviderRefused,
    NoCode,
    /// The code exchange or the ID token failed its checks.
    Token,
    NoEmail,
    EmailUnverified,
    NoGrant(String),
    /// Too many sign-ins begun from this address.
    TooMany,
    /// Keyward's database does not answer.
    Unavailable,
    Failed,
}

impl Why {
    fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::NotConfigured, Lang::En) => "Signing in with an identity provider is not set up here. Sign in with an API key instead.".into(),
            (Self::NotConfigured, Lang::Nl) => "Aanmelden via een identiteitsprovider is hier niet ingesteld. Meld je aan met een API-sleutel.".into(),
            (Self::ProviderUnreachable, Lang::En) => "The identity provider cannot be reached right now. Try again in a moment.".into(),
            (Self::ProviderUnreachable, Lang::Nl) => "De identiteitsprovider is nu niet bereikbaar. Probeer het zo opnieuw.".into(),
            (Self::NoState | Self::State, Lang::En) => "This sign-in link was already used, has expired, or was started in another browser. Nothing was changed; start again.".into(),
            (Self::NoState | Self::State, Lang::Nl) => "Deze aanmeldlink is al gebruikt, verlopen of in een andere browser begonnen. Er is niets gewijzigd; begin opnieuw.".into(),
            (Self::ProviderRefused, Lang::En) => "The identity provider did not sign you in. Nothing was changed; start again.".into(),
            (Self::ProviderRefused, Lang::Nl) => "De identiteitsprovider heeft je niet aangemeld. Er is niets gewijzigd; begin opnieuw.".into(),
            (Self::NoCode, Lang::En) => "The identity provider's answer is incomplete. Nothing was changed; start again.".into(),
            (Self::NoCode, Lang::Nl) => "Het antwoord van de identiteitsprovider is onvolledig. Er is niets gewijzigd; begin opnieuw.".into(),
            (Self::Token, Lang::En) => "The identity provider's answer could not be verified, so you were not signed in. Nothing was changed; start again, and tell your administrator if it keeps happening.".into(),
            (Self::Token, Lang::Nl) => "Het antwoord van de identiteitsprovider kon niet worden gecontroleerd, dus je bent niet aangemeld. Er is niets gewijzigd; begin opnieuw, en meld het je beheerder als het blijft gebeuren.".into(),
            (Self::NoEmail, Lang::En) => "The identity provider did not give an email address for your account, so Keyward cannot tell who you are.".into(),
            (Self::NoEmail, Lang::Nl) => "De identiteitsprovider gaf geen e-mailadres voor je account, dus Keyward weet niet wie je bent.".into(),
            (Self::EmailUnverified, Lang::En) => "Your email address is not verified by the identity provider. Verify it there, then sign in again.".into(),
            (Self::EmailUnverified, Lang::Nl) => "Je e-mailadres is niet geverifieerd bij de identiteitsprovider. Verifieer het daar en meld je opnieuw aan.".into(),
            (Self::NoGrant(email), Lang::En) => format!("You signed in as {email}, but no region lets this account into the console. Ask an administrator to grant it."),
            (Self::NoGrant(email), Lang::Nl) => format!("Je bent aangemeld als {email}, maar geen enkele regio laat dit account toe tot de console. Vraag een beheerder om toegang."),
            (Self::Failed, Lang::En) => "Something went wrong on our side; it has been logged. Try again in a moment.".into(),
            (Self::TooMany, Lang::En) => "Too many sign-ins were started from your network. Wait a minute, then start again.".into(),
            (Self::TooMany, Lang::Nl) => "Er zijn vanaf je netwerk te veel aanmeldingen begonnen. Wacht een minuut en begin dan opnieuw.".into(),
            (Self::Unavailable, Lang::En) => "Keyward cannot reach its database just now. Nothing was changed; try again in a moment.".into(),
            (Self::Unavailable, Lang::Nl) => "Keyward kan zijn database nu niet bereiken. Er is niets gewijzigd; probeer het zo opnieuw.".into(),
            (Self::Failed, Lang::Nl) => "Er ging bij ons iets mis; dat is vastgelegd. Probeer het zo opnieuw.".into(),
        }
    }
}

/// The refusal page, with `status`.
pub fn refused(lang: Lang, status: StatusCode, why: Why) -> Response {
    let (lang_attr, title, back) = match lang {
        Lang::En => ("en", "Sign-in failed", "Back to sign-in"),
        Lang::Nl => ("nl", "Aanmelden mislukt", "Terug naar aanmelden"),
    };
    let text = escape(&why.text(lang));
    let body = format!(
        "<!doctype html>\n<html lang=\"{lang_attr}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Keyward</title></head>\
         <body><main><h1>{title}</h1><p role=\"alert\" id=\"sign-in-refused\">{text}</p>\
         <p><a href=\"/\">{back}</a></p></main></body></html>\n"
    );
    let mut response = (status, Html(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A failure (the database): logged with its details, worded without them.
pub fn failed(lang: Lang, error: &domain::Error) -> Response {
    match error {
        domain::Error::NotAnAdministrator(email) => refused(lang, StatusCode::FORBIDDEN, Why::NoGrant(email.clone())),
        domain::Error::SignInRefused(_) => refused(lang, StatusCode::BAD_REQUEST, Why::State),
        other @ domain::Error::Throttled { .. } => {
            with_retry_after(refused(lang, StatusCode::TOO_MANY_REQUESTS, Why::TooMany), other)
        }
        other if other.kind() == domain::model::ErrorKind::Unavailable => {
            tracing::warn!(error = %other, "an OpenID Connect sign-in found the database away");
            with_retry_after(refused(lang, StatusCode::SERVICE_UNAVAILABLE, Why::Unavailable), other)
        }
        other => {
            tracing::error!(error = %other, details = ?other, "an OpenID Connect sign-in failed");
            refused(lang, StatusCode::INTERNAL_SERVER_ERROR, Why::Failed)
        }
    }
}

/// `response` with the `Retry-After` that `error` asks for.
fn with_retry_after(mut response: Response, error: &domain::Error) -> Response {
    if let Some(secs) = error.retry_after_secs() {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
