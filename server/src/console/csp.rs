//! The console page's Content-Security-Policy: scripts only from this
//! origin plus the exact inline loader Trunk writes into `index.html`
//! (allowed by its hash, so an injected script cannot run), WebAssembly
//! compilation, and network access to this origin only. Inline styles stay
//! allowed: Leptos sets `style` attributes, which cannot carry script.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::http::HeaderValue;
use base64::prelude::{BASE64_STANDARD, Engine};
use sha2::{Digest, Sha256};

/// The policy of the page, computed once per build of the console: again
/// only when `index.html` changed (a new build carries a new loader).
#[derive(Clone, Debug, Default)]
pub struct PagePolicy {
    computed: Arc<Mutex<Option<(SystemTime, HeaderValue)>>>,
}

impl PagePolicy {
    pub async fn of(&self, index: &Path) -> HeaderValue {
        let modified = tokio::fs::metadata(index).await.and_then(|meta| meta.modified()).ok();
        if let (Some(modified), Some((computed_for, policy))) = (modified, &*self.lock())
            && *computed_for == modified
        {
            return policy.clone();
        }
        let page = tokio::fs::read_to_string(index).await.unwrap_or_else(|error| {
            // Without the page's text, no inline script is allowed at all.
            tracing::error!(%error, "cannot read the console's index.html");
            String::new()
        });
        let policy = HeaderValue::try_from(policy_for(&page)).expect("the policy is ASCII");
        if let Some(modified) = modified {
            *self.lock() = Some((modified, policy.clone()));
        }
        policy
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(SystemTime, HeaderValue)>> {
        self.computed.lock().unwrap_or_else(PoisonError::into_inner)
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
}
