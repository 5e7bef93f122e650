//! The public keys secret scanning partners sign their reports with, from
//! configuration only (never fetched): GitHub's format,
//! `{"public_keys": [{"key_identifier", "key" (PEM), "is_current"}]}`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use serde::Deserialize;

/// One partner's keys by identifier; `None` when the partner is not set up
/// here (its endpoint answers 404).
#[derive(Clone, Default)]
pub struct PartnerKeys(Option<Arc<HashMap<String, VerifyingKey>>>);

impl std::fmt::Debug for PartnerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let identifiers: Vec<&String> = self.0.iter().flat_map(|keys| keys.keys()).collect();
        f.debug_tuple("PartnerKeys").field(&identifiers).finish()
    }
}

#[derive(Deserialize)]
struct KeysFile {
    public_keys: Vec<KeyEntry>,
}

/// `is_current` is read past: a report signed with a key being rotated
/// out still verifies.
#[derive(Deserialize)]
struct KeyEntry {
    key_identifier: String,
    key: String,
}

impl PartnerKeys {
    /// The keys in `path`; a file that does not read, parse or hold at
    /// least one P-256 key is an error that names what is wrong.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        Self::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let file: KeysFile = serde_json::from_str(text).map_err(|error| format!("not a public keys file: {error}"))?;
        let mut keys = HashMap::new();
        for entry in file.public_keys {
            let key = VerifyingKey::from_public_key_pem(entry.key.trim())
                .map_err(|error| format!("key {:?} is not a P-256 public key in PEM: {error}", entry.key_identifier))?;
            keys.insert(entry.key_identifier, key);
        }
        if keys.is_empty() {
            return Err("it holds no public key".to_owned());
        }
        Ok(Self(Some(Arc::new(keys))))
    }

    pub fn is_enabled(&self) -> bool {
        self.0.is_some()
    }

    /// Whether `body`, exactly as received, carries a valid ECDSA P-256
    /// SHA-256 signature (base64 DER in `<partner>-Public-Key-Signature`)
    /// by the key named in `<partner>-Public-Key-Identifier`.
    pub fn verify(&self, partner: &str, headers: &HeaderMap, body: &[u8]) -> bool {
        let header = |name: &str| headers.get(format!("{partner}-Public-Key-{name}")).and_then(|v| v.to_str().ok());
        let (Some(keys), Some(identifier), Some(signature)) = (&self.0, header("Identifier"), header("Signature"))
        else {
            return false;
        };
        let Some(key) = keys.get(identifier) else { return false };
        let Some(signature) = STANDARD.decode(signature.trim()).ok().and_then(|der| Signature::from_der(&der).ok())
        else {
            return false;
        };
        key.verify(body, &signature).is_ok()
    }
}
