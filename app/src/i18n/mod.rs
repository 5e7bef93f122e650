//! The console in Dutch and English. Every text is an entry of a typed
//! table ([`texts!`]) that holds both languages, so a text without its
//! translation does not compile, and each table's generated test fails on
//! a Dutch text left equal to its English one (a copy, not a translation)
//! or on placeholders that differ between the two.
//!
//! The language is chosen once per page load (the administrator's stored
//! choice, else the browser's languages, else English): switching reloads
//! the page, which keeps texts plain `&'static str` and lets the one-time
//! reveal's "leave this page?" guard protect an unstored key.

pub mod common;
pub mod dashboard;
pub mod keys;
pub mod owners;
pub mod people;
pub mod policy;
pub mod problems;
pub mod rotation;
pub mod statement;
pub mod usage;
pub mod webhooks;
pub mod words;

use std::cell::Cell;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Nl,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nl];

    /// The BCP 47 tag, as `<html lang>` takes it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nl => "nl",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Nl => "Nederlands",
        }
    }

    /// `nl`, `nl-NL`, `nl-BE` and so on are Dutch; `en…` English.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|lang| lang.tag() == primary)
    }

    /// The first of the browser's preferred languages the console speaks.
    pub fn preferred<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        tags.into_iter().find_map(Self::from_tag)
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language of this page load.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// Chooses the language, before anything is rendered.
pub fn set_current(lang: Lang) {
    CURRENT.with(|current| current.set(lang));
}

/// A table of texts in both languages.
pub trait Texts: Copy {
    fn in_lang(self, lang: Lang) -> &'static str;
}

/// `text` in the current language.
pub fn t(text: impl Texts) -> &'static str {
    text.in_lang(current())
}

/// `text` in the current language with `{0}`, `{1}`, … filled in.
pub fn tf(text: impl Texts, values: &[&str]) -> String {
    fill(t(text), values)
}

/// A refusal the model words in English (`english`, e.g. an
/// `InvalidInput` of a description) in the current language: as it is in
/// English, `dutch` in Dutch.
pub fn english_or(english: String, dutch: impl Texts) -> String {
    match current() {
        Lang::En => english,
        Lang::Nl => dutch.in_lang(Lang::Nl).to_owned(),
    }
}

/// `template` with `{0}`, `{1}`, … filled in, in one pass: a value that
/// itself holds `{1}` stays as it is.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        text.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let placeholder = after.find('}').and_then(|end| Some((end, values.get(after[..end].parse::<usize>().ok()?)?)));
        match placeholder {
            Some((end, value)) => {
                text.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// `count` with the current language's digit grouping: 27,529 or 27.529.
pub fn number(count: u64) -> String {
    let separator = match current() {
        Lang::En => ',',
        Lang::Nl => '.',
    };
    let digits = count.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// Defines a table: `Name => "English", "Nederlands";` per text, and a
/// test that every Dutch text is translated with the same placeholders.
/// Texts that are the same in both languages (a product name, a scope)
/// are listed after `same:` and skip that check.
macro_rules! texts {
    ($table:ident { $($name:ident => $en:literal, $nl:literal;)* } $(same: [$($same:ident),* $(,)?])?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $table {
            $($name),*
        }

        impl $table {
            #[cfg(test)]
            const ALL: &[$table] = &[$($table::$name),*];
            #[cfg(test)]
            const SAME: &[$table] = &[$($($table::$same),*)?];
        }

        impl $crate::i18n::Texts for $table {
            fn in_lang(self, lang: $crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        ($table::$name, $crate::i18n::Lang::En) => $en,
                        ($table::$name, $crate::i18n::Lang::Nl) => $nl,
                    )*
                }
            }
        }

        #[cfg(test)]
        #[test]
        fn every_text_is_translated() {
            $crate::i18n::check_translations($table::ALL, $table::SAME);
        }
    };
}
pub(crate) use texts;

/// Every text is present in both languages, the Dutch differs from the
/// English unless it is meant to be the same, and both have the same
/// placeholders.
#[cfg(test)]
pub(crate) fn check_translations<T: Texts + std::fmt::Debug + PartialEq>(all: &[T], same: &[T]) {
    let placeholders = |text: &str| {
        let mut found: Vec<String> = (0..10).map(|index| format!("{{{index}}}")).filter(|p| text.contains(p)).collect();
        found.sort();
        found
    };
    for text in all {
        let (en, nl) = (text.in_lang(Lang::En), text.in_lang(Lang::Nl));
        assert!(!en.trim().is_empty() && !nl.trim().is_empty(), "{text:?} is empty");
        assert!(same.contains(text) || en != nl, "{text:?} is not translated: {nl:?}");
        assert_eq!(placeholders(en), placeholders(nl), "{text:?} has other placeholders in Dutch");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_picks_dutch_or_english() {
        assert_eq!(Lang::preferred(["nl-NL", "en"]), Some(Lang::Nl));
        assert_eq!(Lang::preferred(["fr-FR", "nl-BE"]), Some(Lang::Nl));
        assert_eq!(Lang::preferred(["de", "en-GB"]), Some(Lang::En));
        assert_eq!(Lang::preferred(["fr"]), None);
        assert_eq!(Lang::from_tag("NL"), Some(Lang::Nl));
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        assert_eq!(number(27_529), "27,529");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_000_000), "1,000,000");
        set_current(Lang::Nl);
        assert_eq!(number(27_529), "27.529");
        set_current(Lang::En);
    }

    #[test]
    fn placeholders_are_filled_in_any_order() {
        assert_eq!(fill("{1} of {0}", &["a", "b"]), "b of a");
        assert_eq!(fill("{0} at {1}", &["{1}", "x"]), "{1} at x", "a value is never filled in itself");
        assert_eq!(fill("{not} {0} {9}", &["a"]), "{not} a {9}");
    }
}
