//! The texts of `ui/dashboard.rs`.

use super::texts;

texts! {
    Dashboard {
        Placeholder => "to be replaced", "te vervangen";
    }
}
