//! Free text that people type: a key's description and a region's name.
//! Each is a type that parses once, on the server and in the browser alike,
//! so both refuse the same input with the same words.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Input that broke a rule; the text says which, in words for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

/// What a key is for, e.g. "billing service": trimmed, at most
/// [`Description::MAX_CHARS`] characters, nothing hidden. Blank means none.
/// The pattern in API documents is [`is_hidden_character`] for the basic
/// plane.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String,
    pattern = "^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b\\u200c\\u200e\\u200f\\u202a-\\u202e\\u2028\\u2029\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"))]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 200;

    /// `None` for blank input.
    pub fn parse(input: &str) -> Result<Option<Self>, InvalidInput> {
        let text = input.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput(format!("the description must be at most {} characters", Self::MAX_CHARS)));
        }
        if text.chars().any(is_hidden_character) {
            return Err(InvalidInput(
                "the description must not contain control or invisible characters (such as line breaks, tabs or \
                 right-to-left overrides)"
                    .to_owned(),
            ));
        }
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    /// [`Self::parse`] of an optional field: absent is none as well.
    pub fn parse_optional(input: Option<&str>) -> Result<Option<Self>, InvalidInput> {
        input.map_or(Ok(None), Self::parse)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A region's unique name: trimmed, 1 to [`RegionName::MAX_CHARS`]
/// characters, nothing hidden.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionName(String);

impl RegionName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let name = input.trim();
        if name.is_empty() {
            return Err(InvalidInput("the region name must not be empty".to_owned()));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput(format!("the region name must be at most {} characters", Self::MAX_CHARS)));
        }
        if name.chars().any(is_hidden_character) {
            return Err(InvalidInput("the region name must not contain control or invisible characters".to_owned()));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Both types are shown as their text and travel as plain strings, checked
/// again on arrival.
macro_rules! text_type_traits {
    ($name:ident, $parse:expr) => {
        impl TryFrom<String> for $name {
            type Error = InvalidInput;

            fn try_from(text: String) -> Result<Self, InvalidInput> {
                $parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> String {
                text.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

text_type_traits!(Description, |text: &str| Description::parse(text)?
    .ok_or_else(|| InvalidInput("the description must not be blank".to_owned())));
text_type_traits!(RegionName, RegionName::parse);

/// Control characters, line and paragraph separators, and invisible ones
/// that change how the text around them reads (bidirectional overrides,
/// zero-width spaces, tag characters): a description or a name must read
/// as what it is in a delete confirmation or the audit log. The zero-width
/// joiner stays allowed: emoji sequences need it.
pub(crate) fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(text: &str) -> Result<Option<String>, InvalidInput> {
        Description::parse(text).map(|parsed| parsed.map(String::from))
    }

    #[test]
    fn descriptions_are_trimmed_and_blank_means_none() {
        assert_eq!(Description::parse_optional(None), Ok(None));
        assert_eq!(description("  "), Ok(None));
        assert_eq!(description(" billing "), Ok(Some("billing".into())));
        let longest = "é".repeat(Description::MAX_CHARS);
        assert_eq!(description(&longest), Ok(Some(longest.clone())));
    }

    #[test]
    fn descriptions_refuse_length_and_control_characters() {
        assert!(description(&"x".repeat(Description::MAX_CHARS + 1)).is_err());
        assert!(description("a\nb").is_err());
        assert!(description("a\u{0}b").is_err());
    }

    #[test]
    fn descriptions_and_names_refuse_invisible_reordering_and_spacing() {
        for hidden in ["\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}", "\u{061C}", "\u{2028}", "\u{E0041}"] {
            let text = format!("billing{hidden}gnitset");
            assert!(description(&text).is_err(), "{hidden:?}");
            assert!(RegionName::parse(&text).is_err(), "{hidden:?}");
        }
        let family = "team \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(description(family), Ok(Some(family.into())));
    }

    #[test]
    fn text_arriving_as_json_is_checked_again() {
        assert!(serde_json::from_value::<Description>("a\u{202E}b".into()).is_err());
        assert!(serde_json::from_value::<RegionName>(" ".into()).is_err());
        assert_eq!(serde_json::from_value::<RegionName>(" acme ".into()).unwrap().as_str(), "acme");
    }

    proptest::proptest! {
        #[test]
        fn accepted_descriptions_are_trimmed_short_and_visible(input in proptest::prelude::any::<String>()) {
            if let Ok(Some(description)) = Description::parse(&input) {
                let text = description.as_str();
                proptest::prop_assert_eq!(text.trim(), text);
                proptest::prop_assert!(text.chars().count() <= Description::MAX_CHARS);
                proptest::prop_assert!(!text.chars().any(is_hidden_character));
            }
        }
    }

    #[test]
    fn region_names_are_checked() {
        assert_eq!(RegionName::parse(" acme ").map(String::from), Ok("acme".into()));
        assert!(RegionName::parse(" ").is_err());
        assert!(RegionName::parse(&"x".repeat(RegionName::MAX_CHARS + 1)).is_err());
        assert!(RegionName::parse("a\tb").is_err());
    }
}
