//! Languages and text written in several of them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// Every ISO 639-1 code, so a typo such as `lang=eng` or `dee` is caught rather than stored.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce \
ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha \
he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku \
kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv \
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st \
su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// An ISO 639-1 language code, lowercase (`de`, `fr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang([u8; 2]);

impl Lang {
    pub const EN: Lang = Lang(*b"en");

    /// Parses a two-letter code in any case; a region suffix (`de-AT`, `pt_BR`) is dropped.
    pub fn parse(input: &str) -> Option<Lang> {
        let primary = input
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = primary.as_bytes();
        if bytes.len() != 2 || !ISO_639_1.split(' ').any(|code| code == primary) {
            return None;
        }
        Some(Lang([bytes[0], bytes[1]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("en")
    }

    pub fn parse_field(field: &str, input: &str) -> Result<Lang, FieldError> {
        Lang::parse(input).ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_language",
                format!("`{input}` is not an ISO 639-1 language code (such as `en`, `de`)"),
            )
        })
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Lang::parse(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown language `{raw}`")))
    }
}

/// Text in one or more languages: `{"en": "…", "de": "…"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LangText(pub BTreeMap<Lang, String>);

impl LangText {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn insert(&mut self, lang: Lang, text: impl Into<String>) {
        self.0.insert(lang, text.into());
    }

    /// The text in the first wanted language that exists, else English, else any language
    /// (the alphabetically first, so the choice is stable), and the language that was used.
    pub fn resolve(&self, wanted: &[Lang]) -> Option<(Lang, &str)> {
        wanted
            .iter()
            .chain(std::iter::once(&Lang::EN))
            .find_map(|lang| self.0.get(lang).map(|text| (*lang, text.as_str())))
            .or_else(|| {
                self.0
                    .iter()
                    .next()
                    .map(|(lang, text)| (*lang, text.as_str()))
            })
    }
}

/// A key to sort names by, the same for `Österreich` and `osterreich`.
pub fn sort_key(name: &str) -> String {
    crate::country::fold(name)
}

/// A text written in Greek or Cyrillic letters in Latin letters, as people type it on a Latin
/// keyboard: folded (lowercase, no accents, words separated by one space), Greek by ISO 843
/// simplified, Cyrillic by the Bulgarian official system with the letters of the other
/// Cyrillic alphabets. `None` when the text has no such letter. The same spelling as the
/// search documents' `atlas_latin` (migration 000220), for the search index outside
/// PostgreSQL.
pub fn latin_spelling(text: &str) -> Option<String> {
    let folded = crate::country::fold(text);
    if !folded.chars().any(|c| latin_letters(c).is_some()) {
        return None;
    }
    let mut latin = String::with_capacity(folded.len() * 2);
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        // ου is one sound, u: "ou" (υ alone is "y").
        if c == 'ο' && chars.peek() == Some(&'υ') {
            chars.next();
            latin.push_str("ou");
            continue;
        }
        match latin_letters(c) {
            Some(letters) => latin.push_str(letters),
            None => latin.push(c),
        }
    }
    Some(latin)
}

/// The Latin letters of one (folded) Greek or Cyrillic letter.
fn latin_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'α' | 'а' | 'ъ' => "a",
        'β' | 'в' => "v",
        'γ' | 'г' | 'ґ' => "g",
        'δ' | 'д' => "d",
        'ε' | 'е' | 'э' | 'ё' => "e",
        'ζ' | 'з' | 'ѕ' => "z",
        'η' | 'ι' | 'и' | 'і' => "i",
        'θ' => "th",
        'κ' | 'к' => "k",
        'λ' | 'л' => "l",
        'μ' | 'м' => "m",
        'ν' | 'н' => "n",
        'ξ' => "x",
        'ο' | 'ω' | 'о' => "o",
        'π' | 'п' => "p",
        'ρ' | 'р' => "r",
        'σ' | 'ς' | 'с' => "s",
        'τ' | 'т' => "t",
        'υ' | 'й' | 'ь' | 'ы' => "y",
        'φ' | 'ф' => "f",
        'χ' | 'ч' => "ch",
        'ψ' => "ps",
        'б' => "b",
        'у' => "u",
        'ж' => "zh",
        'х' => "h",
        'ц' => "ts",
        'щ' => "sht",
        'ш' => "sh",
        'ю' => "yu",
        'я' => "ya",
        'є' => "ye",
        'ї' => "yi",
        'ђ' => "dj",
        'љ' => "lj",
        'њ' => "nj",
        'џ' => "dz",
        'ѓ' => "gj",
        'ќ' => "kj",
        'ј' => "j",
        'ћ' => "c",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Lang {
        Lang::parse(code).expect("valid test language")
    }

    #[test]
    fn languages_parse_in_any_case_and_drop_the_region() {
        assert_eq!(lang("DE").as_str(), "de");
        assert_eq!(lang("pt-BR").as_str(), "pt");
        assert_eq!(lang("de_AT").as_str(), "de");
        assert_eq!(Lang::parse("eng"), None);
        assert_eq!(Lang::parse("xx"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn text_resolves_wanted_then_english_then_any() {
        let mut text = LangText::default();
        text.insert(lang("fr"), "Bonjour");
        text.insert(lang("de"), "Hallo");
        assert_eq!(text.resolve(&[lang("de")]), Some((lang("de"), "Hallo")));
        assert_eq!(text.resolve(&[lang("it")]), Some((lang("de"), "Hallo")));
        text.insert(Lang::EN, "Hello");
        assert_eq!(text.resolve(&[lang("it")]), Some((Lang::EN, "Hello")));
        assert_eq!(
            text.resolve(&[lang("it"), lang("fr")]),
            Some((lang("fr"), "Bonjour"))
        );
        assert_eq!(LangText::default().resolve(&[Lang::EN]), None);
    }

    #[test]
    fn sort_keys_ignore_case_and_accents() {
        assert_eq!(sort_key("Österreich Café"), sort_key("osterreich cafe"));
    }

    #[test]
    fn greek_and_cyrillic_are_spelt_in_latin_letters() {
        assert_eq!(
            latin_spelling("Άνεμος Ανανέωσης").as_deref(),
            Some("anemos ananeosis")
        );
        assert_eq!(
            latin_spelling("Μεσοποταμία").as_deref(),
            Some("mesopotamia")
        );
        assert_eq!(
            latin_spelling("Θεσσαλονίκη").as_deref(),
            Some("thessaloniki")
        );
        assert_eq!(latin_spelling("Πειραιούς").as_deref(), Some("peiraious"));
        assert_eq!(latin_spelling("София").as_deref(), Some("sofiya"));
        assert_eq!(
            latin_spelling("Българска Хранителна Банка").as_deref(),
            Some("balgarska hranitelna banka")
        );
        assert_eq!(
            latin_spelling("Щастие, Жива вода").as_deref(),
            Some("shtastie zhiva voda")
        );
        assert_eq!(latin_spelling("Wien"), None);
    }
}
