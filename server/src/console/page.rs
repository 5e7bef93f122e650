//! The console's page (`index.html`) as it is served: Trunk's build with
//! the ways in that the sign-in form offers written into its `<head>` (a
//! splice per request, so one build serves any `--console-sign-in`), and
//! its Content-Security-Policy: scripts only from this origin plus the
//! exact inline loader Trunk writes into the page (allowed by its hash, so
//! an injected script cannot run), WebAssembly compilation, and network
//! access to this origin only. Inline styles stay allowed: Leptos sets
//! `style` attributes, which cannot carry script.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use app::people::SignInOptions;
use axum::body::Bytes;
use axum::http::HeaderValue;
use base64::prelude::{BASE64_STANDARD, Engine};
use sha2::{Digest, Sha256};

/// The page's text and policy, read once per build of the console: again
/// only when `index.html` changed (a new build carries a new loader).
#[derive(Clone, Debug, Default)]
pub struct ConsolePage {
    read: Arc<Mutex<Option<(SystemTime, Read)>>>,
}

#[derive(Clone, Debug)]
struct Read {
    page: Arc<str>,
    policy: HeaderValue,
}

/// The page's body and its policy.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub html: Bytes,
    pub policy: HeaderValue,
}

impl ConsolePage {
    /// The page at `index` offering `ways`; `None` when it cannot be read.
    pub async fn of(&self, index: &Path, ways: &SignInOptions) -> Option<Rendered> {
        let Read { page, policy } = self.read(index).await?;
        Some(Rendered { html: Bytes::from(with_ways(&page, ways)), policy })
    }

    async fn read(&self, index: &Path) -> Option<Read> {
        let modified = tokio::fs::metadata(index).await.and_then(|meta| meta.modified()).ok();
        if let (Some(modified), Some((read_for, read))) = (modified, &*self.lock())
            && *read_for == modified
        {
            return Some(read.clone());
        }
        let page = match tokio::fs::read_to_string(index).await {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "cannot read the console's index.html");
                return None;
            }
        };
        let policy = HeaderValue::try_from(policy_for(&page)).expect("the policy is ASCII");
        let read = Read { page: page.into(), policy };
        if let Some(modified) = modified {
            *self.lock() = Some((modified, read.clone()));
        }
        Some(read)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(SystemTime, Read)>> {
        self.read.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `page` with `ways` as the last element of its `<head>` (a page without
/// one is left as it is: the console then offers the key).
fn with_ways(page: &str, ways: &SignInOptions) -> String {
    match page.find("</head>") {
        Some(end) => format!("{}{}{}", &page[..end], ways.meta(), &page[end..]),
        None => page.to_owned(),
    }
}

fn policy_for(page: &str) -> String {
    let inline_scripts: String = inline_scripts(page)
        .map(|script| format!(" 'sha256-{}'", BASE64_STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{inline_scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

/// The bodies of the `<script>` elements without a `src`, exactly as the
/// browser hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|element| {
        let (attributes, rest) = element.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = concat!(
        "<!DOCTYPE html><title>console</title>",
        "<script type=\"module\">import init from '/frontend-0123456789abcdef.js'; await init();</script>",
        "<script src=\"/elsewhere.js\"></script>",
    );
    /// The browser's SHA-256 of the inline script above (`openssl dgst -sha256 -binary | base64`).
    const INLINE_SCRIPT_HASH: &str = "'sha256-64NDzw+mloD+jSeRoDndyC/RaW6L1lBLJZaTQJQYRx4='";

    #[test]
    fn allows_exactly_the_inline_loader() {
        let policy = policy_for(PAGE);
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {INLINE_SCRIPT_HASH};")), "{policy}");
        assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy_for("").contains("script-src 'self' 'wasm-unsafe-eval';"));
    }

    #[test]
    fn the_ways_in_go_into_the_head_with_the_name_escaped() {
        let page = "<html><head><title>console</title></head><body></body></html>";
        let both = SignInOptions { key: true, provider: Some("Acme \"SSO\" <&>".to_owned()) };
        assert_eq!(
            with_ways(page, &both),
            "<html><head><title>console</title><meta name=\"keyward-sign-in\" content=\"key provider\" \
             data-provider=\"Acme &quot;SSO&quot; &lt;&amp;&gt;\"></head><body></body></html>"
        );
        let key = SignInOptions::default();
        assert!(with_ways(page, &key).contains("<meta name=\"keyward-sign-in\" content=\"key\"></head>"));
        assert_eq!(with_ways("<p>no head</p>", &key), "<p>no head</p>");
    }
}
