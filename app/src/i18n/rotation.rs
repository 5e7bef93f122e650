//! The texts of `ui/rotation.rs`.

use super::texts;

texts! {
    Rotation {
        Placeholder => "to be replaced", "te vervangen";
    }
}
