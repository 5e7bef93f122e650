//! Failures are logged once, here: edges put a failure's details on its
//! response ([`FailureDetails`]) instead of logging where they convert it,
//! and the details never leave the server.

use std::borrow::Cow;

use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::FailureDetails;

pub async fn log_failures(request: Request, next: Next) -> Response {
    let (method, path) = logged(request.method(), request.uri());
    let (method, path) = (method.into_owned(), path.into_owned());
    let mut response = next.run(request).await;
    if let Some(FailureDetails(details)) = response.extensions_mut().remove::<FailureDetails>() {
        tracing::error!(%method, %path, status = response.status().as_u16(), %details, "request failed");
    }
    response
}

/// How much of a request's method and path a log line carries: the client
/// chooses both (`/auth/check` takes any method and any path below it), and
/// a line must stay small whatever it sends.
const LOGGED_METHOD_MAX_CHARS: usize = 16;
const LOGGED_PATH_MAX_CHARS: usize = 200;

/// The method and path (never the query) as logged, cut to size.
pub fn logged<'a>(method: &'a Method, uri: &'a Uri) -> (Cow<'a, str>, Cow<'a, str>) {
    (clip(method.as_str(), LOGGED_METHOD_MAX_CHARS), clip(uri.path(), LOGGED_PATH_MAX_CHARS))
}

/// `text` cut to `max_chars`, ending in `…` when it was cut.
fn clip(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_long_text_only() {
        assert_eq!(clip("GET", 16), "GET");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("ééé", 2), "éé…");
    }
}
