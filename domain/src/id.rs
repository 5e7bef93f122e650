//! Row ids: a prefix naming the kind of row and 16 base62 characters from
//! the OS CSPRNG (about 95 bits). Clients treat them as opaque strings.

use crate::token::random_base62;

pub(crate) const REGION: &str = "reg_";
pub(crate) const API_KEY: &str = "key_";
pub(crate) const ROTATION: &str = "rot_";

const RANDOM_LEN: usize = 16;

/// A new id of the kind `prefix` names.
pub(crate) fn new(prefix: &str) -> String {
    format!("{prefix}{}", random_base62(RANDOM_LEN))
}

/// Whether `id` could be an id of the kind `prefix` names. Anything else
/// names no row and is answered without a query: Postgres would refuse
/// some strings outright (a NUL byte), turning a client's typo into a 500.
pub(crate) fn is_well_formed(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_well_formed_and_nothing_else_is() {
        let id = new(API_KEY);
        assert!(is_well_formed(&id, API_KEY));
        assert!(!is_well_formed(&id, ROTATION));
        for malformed in
            ["", "key_", "key_\0aaaaaaaaaaaaaaa", "key_aaaaaaaaaaaaaaaaa", "key_aaaaaaaaaaaaaa-a", "nonsense"]
        {
            assert!(!is_well_formed(malformed, API_KEY), "{malformed:?}");
        }
    }
}
