//! The texts of `ui/usage.rs`.

use super::texts;

texts! {
    Usage {
        Placeholder => "to be replaced", "te vervangen";
    }
}
