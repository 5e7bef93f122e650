//! The API key format: `kw_live_` or `kw_test_`, then a public lookup part,
//! a secret part and a checksum, all in base62 so a token is one "word"
//! (`[A-Za-z0-9_]`): safe in headers and selectable with a double-click.
//!
//! ```text
//! kw_live_ 3hT9aQx0LmZ2 Vb7...(24)... k9Fq2A
//!          lookup (12)  secret (24)   CRC32 of everything before, base62 (6)
//! ```
//!
//! The lookup part finds the row with one indexed read; the secret carries
//! 24 * log2(62) ≈ 143 bits from the OS CSPRNG; the checksum lets us refuse
//! garbage and typos without touching the database.

use std::fmt;

use super::random::ALPHABET;
use crate::model::Environment;

const LIVE_PREFIX: &str = "kw_live_";
const TEST_PREFIX: &str = "kw_test_";
const PREFIX_LEN: usize = 8;
const LOOKUP_LEN: usize = 12;
const SECRET_LEN: usize = 24;
const CHECKSUM_LEN: usize = 6;
const TOKEN_LEN: usize = PREFIX_LEN + LOOKUP_LEN + SECRET_LEN + CHECKSUM_LEN;

/// A well-formed token whose checksum matched. Holding one proves nothing
/// about whether the key exists; it only proves the string is not garbage.
///
/// `Debug` is redacted so a token can never reach a log through `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    text: String,
}

impl Token {
    /// Draws a new token from the OS CSPRNG.
    pub fn generate(environment: Environment) -> Token {
        let prefix = match environment {
            Environment::Live => LIVE_PREFIX,
            Environment::Sandbox => TEST_PREFIX,
        };
        let unsigned = format!("{prefix}{}", super::random::base62(LOOKUP_LEN + SECRET_LEN));
        Token { text: with_checksum(&unsigned) }
    }

    /// Parses untrusted input. Cheap and allocation-light: runs before any
    /// database work on every request.
    pub fn parse(input: &str) -> Option<Token> {
        if input.len() != TOKEN_LEN || !(input.starts_with(LIVE_PREFIX) || input.starts_with(TEST_PREFIX)) {
            return None;
        }
        let body = &input[PREFIX_LEN..];
        if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let (signed, given) = input.split_at(TOKEN_LEN - CHECKSUM_LEN);
        (checksum(signed) == given).then(|| Token { text: input.to_owned() })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the prefix says: `kw_live_` or `kw_test_`.
    pub fn environment(&self) -> Environment {
        if self.text.starts_with(TEST_PREFIX) { Environment::Sandbox } else { Environment::Live }
    }

    /// The public part that indexes the key row.
    pub fn lookup(&self) -> &str {
        &self.text[PREFIX_LEN..PREFIX_LEN + LOOKUP_LEN]
    }

    /// The part that only the holder knows; argon2id hashes this.
    pub fn secret(&self) -> &str {
        &self.text[PREFIX_LEN + LOOKUP_LEN..PREFIX_LEN + LOOKUP_LEN + SECRET_LEN]
    }

    /// A short, non-sensitive label: prefix, the start of the public lookup
    /// part and the last characters (checksum), e.g. `kw_live_3hT9…k9Fq`.
    pub fn preview(&self) -> String {
        format!("{}{}…{}", &self.text[..PREFIX_LEN], &self.lookup()[..4], &self.text[TOKEN_LEN - 4..])
    }

    /// Consumes the token, handing its text to the one response allowed to
    /// carry it.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.preview())
    }
}

/// `unsigned` followed by its checksum. The test kit forges well-formed
/// tokens that must still fail verification with it.
pub(crate) fn with_checksum(unsigned: &str) -> String {
    format!("{unsigned}{}", checksum(unsigned))
}

fn checksum(signed: &str) -> String {
    let mut value = crc32fast::hash(signed.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    // 62^6 > 2^32, so six digits always hold the whole CRC.
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(digits.to_vec()).expect("base62 digits are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_tokens_have_the_documented_shape() {
        let live = Token::generate(Environment::Live);
        let test = Token::generate(Environment::Sandbox);
        assert!(live.as_str().starts_with("kw_live_"));
        assert!(test.as_str().starts_with("kw_test_"));
        assert_eq!((live.environment(), test.environment()), (Environment::Live, Environment::Sandbox));
        for token in [&live, &test] {
            assert_eq!(token.as_str().len(), TOKEN_LEN);
            assert!(token.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            assert_eq!(token.lookup().len(), LOOKUP_LEN);
            assert_eq!(token.secret().len(), SECRET_LEN);
        }
    }

    #[test]
    fn tokens_are_unique() {
        let tokens: std::collections::HashSet<String> =
            (0..1000).map(|_| Token::generate(Environment::Live).into_string()).collect();
        assert_eq!(tokens.len(), 1000);
    }

    #[test]
    fn preview_and_debug_reveal_no_secret() {
        let token = Token::generate(Environment::Live);
        let preview = token.preview();
        assert!(preview.starts_with("kw_live_"));
        assert!(!preview.contains(token.secret()));
        assert!(!preview.contains(&token.secret()[..8]));
        let debug = format!("{token:?}");
        assert!(!debug.contains(token.secret()));
    }

    #[test]
    fn refuses_wrong_prefix_length_and_characters() {
        let token = Token::generate(Environment::Live).into_string();
        assert!(Token::parse(&token.replacen("kw_live_", "kw_prod_", 1)).is_none());
        assert!(Token::parse(&token[..token.len() - 1]).is_none());
        assert!(Token::parse(&format!("{token}0")).is_none());
        assert!(Token::parse(&token.replacen('_', "-", 2)).is_none());
        assert!(Token::parse("").is_none());
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in ".{0,80}") {
            let _ = Token::parse(&input);
        }

        #[test]
        fn parse_never_panics_on_near_tokens(input in "kw_(live|test)_[A-Za-z0-9_é]{40,44}") {
            let _ = Token::parse(&input);
        }

        #[test]
        fn round_trips(sandbox in any::<bool>()) {
            let environment = if sandbox { Environment::Sandbox } else { Environment::Live };
            let token = Token::generate(environment);
            let parsed = Token::parse(token.as_str()).expect("a generated token parses");
            prop_assert_eq!(parsed.lookup(), token.lookup());
            prop_assert_eq!(parsed.secret(), token.secret());
            prop_assert_eq!(parsed.environment(), environment);
        }

        #[test]
        fn checksum_catches_every_single_character_change(
            position in 0usize..TOKEN_LEN,
            replacement in proptest::sample::select(ALPHABET.to_vec()),
        ) {
            let token = Token::generate(Environment::Live).into_string();
            let mut bytes = token.clone().into_bytes();
            prop_assume!(bytes[position] != replacement);
            bytes[position] = replacement;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(Token::parse(&typo).is_none());
        }
    }
}
