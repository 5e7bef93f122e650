//! The texts of `ui/keys.rs`.

use super::texts;

texts! {
    Keys {
        Placeholder => "to be replaced", "te vervangen";
    }
}
