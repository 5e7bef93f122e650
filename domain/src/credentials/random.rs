//! Randomness from the OS CSPRNG, for tokens, ids and session ids.

use crate::model::{ID_RANDOM_LEN, RowId};

pub(crate) const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Uniform base62 characters from the OS CSPRNG (rejection sampling, so no
/// character is more likely than another).
pub(crate) fn base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).expect("the OS random number generator is unavailable");
        // 248 = 4 * 62: bytes at or above it would bias the first characters.
        out.extend(
            buf.iter().filter(|b| **b < 248).map(|b| ALPHABET[usize::from(*b % 62)] as char).take(len - out.len()),
        );
    }
    out
}

/// A new random id of the kind `I`.
pub(crate) fn id<I: RowId>() -> I {
    I::try_from(format!("{}{}", I::PREFIX, base62(ID_RANDOM_LEN))).expect("a random id is well-formed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KeyId, RotationId};

    #[test]
    fn random_ids_are_well_formed_and_distinct() {
        let (first, second) = (id::<KeyId>(), id::<KeyId>());
        assert_eq!(KeyId::parse(first.as_str()), Ok(first.clone()));
        assert_ne!(first, second);
        assert!(id::<RotationId>().as_str().starts_with("rot_"));
    }
}
