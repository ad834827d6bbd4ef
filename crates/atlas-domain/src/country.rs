//! ISO 3166-1 alpha-2 country codes and free-text country normalisation.
//!
//! * [`CountryCode`] is a validated, uppercase ISO 3166-1 alpha-2 code
//!   (plus the user-assigned `XK` for Kosovo). It serialises as its
//!   two-letter string.
//! * [`parse_code`] is the strict parser: exactly two ASCII letters naming an
//!   assigned code, in any case.
//! * [`normalise`] is the lenient parser used on imported data: it accepts
//!   codes, common aliases, European alpha-3 codes, English, native and a few
//!   foreign-language names, and finally tolerates small misspellings.
//! * [`english_name`] gives the English short name for every country known to
//!   the name table (all of Europe plus the major world countries).
//!
//! The module depends only on `std` and `serde`.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every currently assigned ISO 3166-1 alpha-2 code (249), plus `XK`
/// (Kosovo, user-assigned but used by the EU and most data sources).
/// Sorted ascending so it can be binary-searched.
pub const ASSIGNED_CODES: [&str; 250] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Longest input (in chars) [`normalise`] will look at; anything longer is
/// rejected without folding or fuzzy matching.
const MAX_INPUT_CHARS: usize = 80;

/// An assigned ISO 3166-1 alpha-2 country code, always two uppercase ASCII
/// letters. Construct it with [`parse_code`] or [`normalise`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// The two-letter uppercase code, e.g. `"DE"`.
    pub fn as_str(&self) -> &str {
        // Invariant: the bytes are always two uppercase ASCII letters taken
        // from `ASSIGNED_CODES`, so this conversion cannot fail.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CountryCodeVisitor)
    }
}

struct CountryCodeVisitor;

impl Visitor<'_> for CountryCodeVisitor {
    type Value = CountryCode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an assigned ISO 3166-1 alpha-2 country code")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CountryCode, E> {
        parse_code(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
}

/// Strictly parses an assigned ISO 3166-1 alpha-2 code (or `XK`): exactly two
/// ASCII letters, any case, no surrounding whitespace. Aliases such as `UK`
/// or `EL` are *not* accepted here (see [`normalise`]); `SR` is Suriname.
pub fn parse_code(s: &str) -> Option<CountryCode> {
    let &[a, b] = s.as_bytes() else {
        return None;
    };
    if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
        return None;
    }
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    ASSIGNED_CODES
        .binary_search_by(|c| c.as_bytes().cmp(&code[..]))
        .ok()
        .map(|_| CountryCode(code))
}

/// Result of [`normalise`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Normalised {
    /// The recognised country.
    pub code: CountryCode,
    /// `true` when the input was already exactly the canonical uppercase
    /// code (e.g. `"DE"`); `false` when it had to be normalised (`"de"`,
    /// `" DE"`, `"Germany"`, `"UK"`, a misspelling, ...).
    pub exact: bool,
}

/// Non-ISO two-letter aliases, checked *before* the assigned codes.
///
/// * `UK` is exceptionally reserved for the United Kingdom (ISO uses `GB`).
/// * `EL` is the EU's code for Greece (ISO uses `GR`).
/// * `SR` is officially **Suriname**, but our European source data uses it
///   for Slovakia (Slovenská republika). Since the atlas covers European
///   initiatives, we deliberately map `SR` to `SK` in [`normalise`].
///   [`parse_code`] stays strict and still returns Suriname for `"SR"`.
const TWO_LETTER_ALIASES: [(&str, CountryCode); 3] = [
    ("uk", CountryCode(*b"GB")),
    ("el", CountryCode(*b"GR")),
    ("sr", CountryCode(*b"SK")),
];

/// Leniently recognises a country in free text.
///
/// Accepts, case- and accent-insensitively and ignoring surrounding
/// whitespace/punctuation: assigned alpha-2 codes, the aliases `UK`, `EL`
/// and `SR` (officially Suriname, but used for Slovakia in our European
/// source data, so it normalises to `SK`), alpha-3 codes, and English,
/// native and common foreign-language names. If nothing
/// matches exactly, a name at Damerau–Levenshtein distance 1 (input of at
/// least 5 chars) or at most 2 (at least 9 chars) is accepted, provided
/// exactly one country is at the minimum distance.
///
/// Returns `None` for empty input, unknown names, ambiguous misspellings and
/// inputs longer than 80 characters.
pub fn normalise(input: &str) -> Option<Normalised> {
    if input.chars().nth(MAX_INPUT_CHARS).is_some() {
        return None;
    }
    let key = fold(input);
    if key.is_empty() {
        return None;
    }
    let code = lookup(&key)?;
    Some(Normalised {
        code,
        exact: input == code.as_str(),
    })
}

/// English short name of a country, for every country in the name table
/// (all European countries and territories plus the major world countries).
pub fn english_name(code: CountryCode) -> Option<&'static str> {
    COUNTRY_NAMES
        .binary_search_by(|(c, _)| c.cmp(&code.0))
        .ok()
        .and_then(|i| COUNTRY_NAMES.get(i))
        .and_then(|(_, names)| names.first().copied())
}

/// Every name of every country a text may use for it (English, native and other languages'
/// names, and `UK`), as written, for search: a query word naming a country finds the actors
/// there. Codes and three-letter acronyms are left out (`MAR`, `NOR`, `AND` are words too).
pub fn names_for_search() -> impl Iterator<Item = (CountryCode, &'static str)> {
    COUNTRY_NAMES
        .iter()
        .flat_map(|(code, names)| names.iter().map(|name| (CountryCode(*code), *name)))
        .filter(|(_, name)| !(name.len() <= 3 && name.bytes().all(|b| b.is_ascii_uppercase())))
        .chain([(CountryCode(*b"GB"), "UK")])
}

fn lookup(key: &str) -> Option<CountryCode> {
    if key.len() == 2 && key.bytes().all(|b| b.is_ascii_lowercase()) {
        if let Some((_, code)) = TWO_LETTER_ALIASES.iter().find(|(a, _)| *a == key) {
            return Some(*code);
        }
        return parse_code(key);
    }
    if let Some(code) = name_table().get(key) {
        return Some(*code);
    }
    fuzzy_lookup(key)
}

fn fuzzy_lookup(key: &str) -> Option<CountryCode> {
    let input: Vec<char> = key.chars().collect();
    let max_distance = match input.len() {
        0..=4 => return None,
        5..=8 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, CountryCode)> = None;
    let mut ambiguous = false;
    let mut candidate: Vec<char> = Vec::new();
    for (name, &code) in name_table() {
        candidate.clear();
        candidate.extend(name.chars());
        // Codes and other very short keys are exact-match only.
        if candidate.len() < 4 || candidate.len().abs_diff(input.len()) > max_distance {
            continue;
        }
        let distance = osa_distance(&input, &candidate);
        if distance > max_distance {
            continue;
        }
        match best {
            Some((d, _)) if distance > d => {}
            Some((d, c)) if distance == d => {
                if c != code {
                    ambiguous = true;
                }
            }
            _ => {
                best = Some((distance, code));
                ambiguous = false;
            }
        }
    }
    match best {
        Some((_, code)) if !ambiguous => Some(code),
        _ => None,
    }
}

/// Damerau–Levenshtein distance, optimal-string-alignment variant
/// (insertions, deletions, substitutions and adjacent transpositions).
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let m = b.len();
    let mut before_prev: Vec<usize> = vec![0; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur: Vec<usize> = vec![0; m + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut d = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                d = d.min(before_prev[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before_prev, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// Folded name -> country, built once from [`COUNTRY_NAMES`].
fn name_table() -> &'static HashMap<String, CountryCode> {
    static TABLE: OnceLock<HashMap<String, CountryCode>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for (code, names) in COUNTRY_NAMES {
            for name in *names {
                let key = fold(name);
                if !key.is_empty() {
                    table.entry(key).or_insert(CountryCode(*code));
                }
            }
        }
        table
    })
}

/// Folds text for comparison: Unicode lowercase, Latin diacritics and Greek
/// tonos removed, combining marks dropped, every run of non-alphanumeric
/// characters (whitespace, hyphens, dots, commas, apostrophes, ...) collapsed
/// to a single space, trimmed. `&` becomes the word `and`.
pub(crate) fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for ch in input.chars().flat_map(char::to_lowercase) {
        if ('\u{0300}'..='\u{036F}').contains(&ch) {
            // Combining diacritical marks (decomposed input, or the dot that
            // `İ`.to_lowercase() produces).
            continue;
        }
        if ch == '&' {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            pending_space = true;
            continue;
        }
        if !ch.is_alphanumeric() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        push_folded_char(&mut out, ch);
    }
    out
}

fn push_folded_char(out: &mut String, ch: char) {
    let folded = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'ə' => 'e',
        'ğ' | 'ĝ' | 'ġ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' | 'ŝ' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'ŭ' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ß' => return out.push_str("ss"),
        'æ' => return out.push_str("ae"),
        'œ' => return out.push_str("oe"),
        'þ' => return out.push_str("th"),
        // Greek tonos / dialytika and final sigma.
        'ά' => 'α',
        'έ' => 'ε',
        'ή' => 'η',
        'ί' | 'ϊ' | 'ΐ' => 'ι',
        'ό' => 'ο',
        'ύ' | 'ϋ' | 'ΰ' => 'υ',
        'ώ' => 'ω',
        'ς' => 'σ',
        // Cyrillic yo is routinely written as ye.
        'ё' => 'е',
        other => other,
    };
    out.push(folded);
}

/// Country names by code, sorted by code. The first name of each entry is the
/// English short name returned by [`english_name`]. Entries mix English
/// variants, alpha-3 codes, native names (and transliterations) and names in
/// other European languages. Keys are folded with [`fold`] when the lookup
/// table is built, so accents and case do not matter here.
const COUNTRY_NAMES: &[([u8; 2], &[&str])] = &[
    (
        *b"AD",
        &[
            "Andorra",
            "AND",
            "Principality of Andorra",
            "Principat d'Andorra",
            "Andorre",
        ],
    ),
    (
        *b"AE",
        &[
            "United Arab Emirates",
            "ARE",
            "UAE",
            "U.A.E.",
            "Emirates",
            "Emirati Arabi Uniti",
            "Emiratos Árabes Unidos",
            "Émirats arabes unis",
            "Vereinigte Arabische Emirate",
        ],
    ),
    (
        *b"AL",
        &[
            "Albania",
            "ALB",
            "Shqipëria",
            "Shqipëri",
            "Republika e Shqipërisë",
            "Republic of Albania",
            "Albanie",
            "Albanien",
        ],
    ),
    (
        *b"AM",
        &[
            "Armenia",
            "ARM",
            "Հայաստան",
            "Hayastan",
            "Republic of Armenia",
            "Arménie",
            "Armenien",
        ],
    ),
    (
        *b"AR",
        &[
            "Argentina",
            "ARG",
            "Argentine",
            "Argentine Republic",
            "República Argentina",
            "Argentinien",
        ],
    ),
    (
        *b"AT",
        &[
            "Austria",
            "AUT",
            "Österreich",
            "Oesterreich",
            "Republik Österreich",
            "Republic of Austria",
            "Autriche",
            "Oostenrijk",
            "Rakousko",
            "Rakúsko",
            "Austrija",
            "Ausztria",
            "Αυστρία",
        ],
    ),
    (
        *b"AU",
        &[
            "Australia",
            "AUS",
            "Commonwealth of Australia",
            "Australie",
            "Australien",
        ],
    ),
    (
        *b"AX",
        &[
            "Åland Islands",
            "ALA",
            "Åland",
            "Aland Islands",
            "Ahvenanmaa",
            "Ahvenanmaan maakunta",
        ],
    ),
    (
        *b"AZ",
        &[
            "Azerbaijan",
            "AZE",
            "Azərbaycan",
            "Azerbaycan",
            "Republic of Azerbaijan",
            "Azerbaïdjan",
            "Aserbaidschan",
            "Azerbaiyán",
            "Azerbaigian",
        ],
    ),
    (
        *b"BA",
        &[
            "Bosnia and Herzegovina",
            "BIH",
            "BiH",
            "Bosnia & Herzegovina",
            "Bosnia-Herzegovina",
            "Bosnia Herzegovina",
            "Bosnia",
            "Bosna i Hercegovina",
            "Bosna",
            "Босна и Херцеговина",
            "Босна",
            "Bosnie-Herzégovine",
            "Bosnien und Herzegowina",
            "Bosnien-Herzegowina",
            "Bosnia ed Erzegovina",
            "Bosnia y Herzegovina",
        ],
    ),
    (*b"BD", &["Bangladesh", "BGD"]),
    (
        *b"BE",
        &[
            "Belgium",
            "BEL",
            "België",
            "Belgique",
            "Belgien",
            "Belgio",
            "Bélgica",
            "Kingdom of Belgium",
            "Royaume de Belgique",
            "Koninkrijk België",
            "Belgia",
            "Belgie",
            "Belgija",
            "Βέλγιο",
        ],
    ),
    (
        *b"BG",
        &[
            "Bulgaria",
            "BGR",
            "България",
            "Balgariya",
            "Bălgarija",
            "Republic of Bulgaria",
            "Bulgarie",
            "Bulgarien",
            "Bulharsko",
            "Bugarska",
            "Bolgarija",
            "Bulgarije",
            "Βουλγαρία",
        ],
    ),
    (
        *b"BR",
        &["Brazil", "BRA", "Brasil", "Brasile", "Brésil", "Brasilien"],
    ),
    (
        *b"BY",
        &[
            "Belarus",
            "BLR",
            "Беларусь",
            "Белоруссия",
            "Bielarus",
            "Byelorussia",
            "Belorussia",
            "Republic of Belarus",
            "Bielorussia",
            "Bielorrusia",
            "Biélorussie",
            "Weißrussland",
            "Białoruś",
        ],
    ),
    (*b"CA", &["Canada", "CAN", "Kanada", "Canadá"]),
    (
        *b"CH",
        &[
            "Switzerland",
            "CHE",
            "Schweiz",
            "Suisse",
            "Svizzera",
            "Svizra",
            "Suiza",
            "Suíça",
            "Helvetia",
            "Confoederatio Helvetica",
            "Swiss Confederation",
            "Schweizerische Eidgenossenschaft",
            "Confédération suisse",
            "Confederazione Svizzera",
            "Zwitserland",
            "Szwajcaria",
            "Švýcarsko",
            "Švicarska",
            "Svájc",
            "Ελβετία",
        ],
    ),
    (
        *b"CI",
        &[
            "Côte d'Ivoire",
            "CIV",
            "Ivory Coast",
            "Costa d'Avorio",
            "Costa de Marfil",
            "Elfenbeinküste",
        ],
    ),
    (*b"CL", &["Chile", "CHL", "Cile", "Chili"]),
    (
        *b"CM",
        &["Cameroon", "CMR", "Cameroun", "Kamerun", "Camerún"],
    ),
    (
        *b"CN",
        &[
            "China",
            "CHN",
            "People's Republic of China",
            "PRC",
            "中国",
            "中國",
            "Zhongguo",
            "Cina",
            "Chine",
        ],
    ),
    (*b"CO", &["Colombia", "COL", "Colombie", "Kolumbien"]),
    (
        *b"CY",
        &[
            "Cyprus",
            "CYP",
            "Κύπρος",
            "Kypros",
            "Kıbrıs",
            "Republic of Cyprus",
            "Chypre",
            "Cipro",
            "Chipre",
            "Zypern",
            "Cypern",
            "Cypr",
            "Kypr",
            "Ciprus",
        ],
    ),
    (
        *b"CZ",
        &[
            "Czechia",
            "CZE",
            "Czech Republic",
            "Czech Rep.",
            "Czech",
            "Česko",
            "Česká republika",
            "Repubblica Ceca",
            "Cechia",
            "República Checa",
            "Chequia",
            "Tschechien",
            "Tschechische Republik",
            "Tchéquie",
            "République tchèque",
            "Tsjechië",
            "Czechy",
            "Češka",
            "Csehország",
            "Τσεχία",
        ],
    ),
    (
        *b"DE",
        &[
            "Germany",
            "DEU",
            "Deutschland",
            "Bundesrepublik Deutschland",
            "Federal Republic of Germany",
            "Allemagne",
            "Alemania",
            "Germania",
            "Alemanha",
            "Duitsland",
            "Niemcy",
            "Německo",
            "Nemecko",
            "Njemačka",
            "Nemčija",
            "Németország",
            "Tyskland",
            "Saksa",
            "Saksamaa",
            "Vācija",
            "Vokietija",
            "Γερμανία",
        ],
    ),
    (
        *b"DK",
        &[
            "Denmark",
            "DNK",
            "Danmark",
            "Kingdom of Denmark",
            "Danimarca",
            "Dinamarca",
            "Dänemark",
            "Danemark",
            "Denemarken",
            "Dania",
            "Dánsko",
            "Dánia",
            "Δανία",
        ],
    ),
    (
        *b"DZ",
        &["Algeria", "DZA", "Algérie", "Algerien", "Argelia"],
    ),
    (
        *b"EE",
        &[
            "Estonia",
            "EST",
            "Eesti",
            "Republic of Estonia",
            "Estland",
            "Estonie",
            "Estonsko",
            "Észtország",
            "Εσθονία",
        ],
    ),
    (
        *b"EG",
        &[
            "Egypt", "EGY", "Misr", "مصر", "Égypte", "Egitto", "Egipto", "Ägypten",
        ],
    ),
    (
        *b"ES",
        &[
            "Spain",
            "ESP",
            "España",
            "Espanya",
            "Espainia",
            "Kingdom of Spain",
            "Reino de España",
            "Spagna",
            "Espagne",
            "Spanien",
            "Espanha",
            "Spanje",
            "Hiszpania",
            "Španělsko",
            "Španielsko",
            "Španija",
            "Španjolska",
            "Spanyolország",
            "Ισπανία",
        ],
    ),
    (
        *b"ET",
        &[
            "Ethiopia",
            "ETH",
            "Éthiopie",
            "Äthiopien",
            "Etiopia",
            "Etiopía",
        ],
    ),
    (
        *b"FI",
        &[
            "Finland",
            "FIN",
            "Suomi",
            "Republic of Finland",
            "Finlandia",
            "Finnland",
            "Finlande",
            "Finsko",
            "Finska",
            "Finnország",
            "Φινλανδία",
        ],
    ),
    (
        *b"FO",
        &[
            "Faroe Islands",
            "FRO",
            "Faroes",
            "Faeroe Islands",
            "Faeroes",
            "Føroyar",
            "Færøerne",
            "Färöer",
            "Îles Féroé",
            "Isole Fær Øer",
            "Islas Feroe",
        ],
    ),
    (
        *b"FR",
        &[
            "France",
            "FRA",
            "French Republic",
            "République française",
            "Francia",
            "Frankreich",
            "Frankrijk",
            "Francja",
            "Francie",
            "Francúzsko",
            "Francuska",
            "Francija",
            "Franciaország",
            "Franța",
            "Frankrike",
            "Ranska",
            "Prantsusmaa",
            "Γαλλία",
        ],
    ),
    (
        *b"GB",
        &[
            "United Kingdom",
            "GBR",
            "U.K.",
            "United Kingdom of Great Britain and Northern Ireland",
            "Great Britain",
            "Britain",
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
            "Cymru",
            "Royaume-Uni",
            "Regno Unito",
            "Reino Unido",
            "Vereinigtes Königreich",
            "Verenigd Koninkrijk",
            "Großbritannien",
            "Gran Bretagna",
            "Gran Bretaña",
            "Grande-Bretagne",
            "Inghilterra",
            "Inglaterra",
            "Angleterre",
            "Scozia",
            "Escocia",
            "Écosse",
            "Schottland",
            "Galles",
            "Gales",
            "Pays de Galles",
            "Irlanda del Nord",
            "Irlanda del Norte",
            "Irlande du Nord",
            "Nordirland",
            "Wielka Brytania",
            "Spojené království",
            "Egyesült Királyság",
            "Regatul Unit",
            "Ηνωμένο Βασίλειο",
        ],
    ),
    (
        *b"GE",
        &[
            "Georgia",
            "GEO",
            "საქართველო",
            "Sakartvelo",
            "Géorgie",
            "Georgien",
        ],
    ),
    (*b"GG", &["Guernsey", "GGY", "Bailiwick of Guernsey"]),
    (*b"GH", &["Ghana", "GHA", "Republic of Ghana"]),
    (*b"GI", &["Gibraltar", "GIB"]),
    (
        *b"GL",
        &[
            "Greenland",
            "GRL",
            "Kalaallit Nunaat",
            "Grønland",
            "Groenland",
            "Grönland",
        ],
    ),
    (
        *b"GR",
        &[
            "Greece",
            "GRC",
            "Ελλάδα",
            "Ελλάς",
            "Hellas",
            "Ellada",
            "Ellas",
            "Hellenic Republic",
            "Ελληνική Δημοκρατία",
            "Grecia",
            "Grèce",
            "Griechenland",
            "Griekenland",
            "Grecja",
            "Řecko",
            "Grécko",
            "Grčka",
            "Grčija",
            "Görögország",
            "Grécia",
            "Kreikka",
            "Kreeka",
        ],
    ),
    (*b"HK", &["Hong Kong", "HKG", "香港"]),
    (
        *b"HR",
        &[
            "Croatia",
            "HRV",
            "Hrvatska",
            "Republika Hrvatska",
            "Republic of Croatia",
            "Croazia",
            "Croacia",
            "Kroatien",
            "Croatie",
            "Kroatië",
            "Chorwacja",
            "Chorvatsko",
            "Hrvaška",
            "Horvátország",
            "Croația",
            "Κροατία",
        ],
    ),
    (
        *b"HU",
        &[
            "Hungary",
            "HUN",
            "Magyarország",
            "Ungheria",
            "Hungría",
            "Ungarn",
            "Hongrie",
            "Hongarije",
            "Węgry",
            "Maďarsko",
            "Madžarska",
            "Mađarska",
            "Ungaria",
            "Unkari",
            "Ουγγαρία",
        ],
    ),
    (*b"ID", &["Indonesia", "IDN", "Indonésie", "Indonesien"]),
    (
        *b"IE",
        &[
            "Ireland",
            "IRL",
            "Éire",
            "Republic of Ireland",
            "Irish Republic",
            "Poblacht na hÉireann",
            "Irlanda",
            "Irlande",
            "Irland",
            "Ierland",
            "Irlandia",
            "Irsko",
            "Irska",
            "Írország",
            "Ιρλανδία",
        ],
    ),
    (
        *b"IL",
        &[
            "Israel",
            "ISR",
            "State of Israel",
            "ישראל",
            "Israël",
            "Israele",
        ],
    ),
    (
        *b"IM",
        &[
            "Isle of Man",
            "IMN",
            "Ellan Vannin",
            "Île de Man",
            "Isola di Man",
            "Isla de Man",
            "Insel Man",
        ],
    ),
    (
        *b"IN",
        &["India", "IND", "Bharat", "भारत", "Inde", "Indien"],
    ),
    (*b"IQ", &["Iraq", "IRQ", "Irak"]),
    (
        *b"IR",
        &["Iran", "IRN", "Islamic Republic of Iran", "Persia"],
    ),
    (
        *b"IS",
        &[
            "Iceland",
            "ISL",
            "Ísland",
            "Islanda",
            "Islandia",
            "Islande",
            "IJsland",
            "Island",
            "Islanti",
            "Izland",
            "Ισλανδία",
        ],
    ),
    (
        *b"IT",
        &[
            "Italy",
            "ITA",
            "Italia",
            "Italian Republic",
            "Repubblica Italiana",
            "Italie",
            "Italien",
            "Italië",
            "Włochy",
            "Itálie",
            "Taliansko",
            "Italija",
            "Olaszország",
            "Ιταλία",
        ],
    ),
    (*b"JE", &["Jersey", "JEY", "Bailiwick of Jersey"]),
    (
        *b"JO",
        &[
            "Jordan",
            "JOR",
            "Jordanie",
            "Jordanien",
            "Giordania",
            "Jordania",
        ],
    ),
    (
        *b"JP",
        &[
            "Japan", "JPN", "Nippon", "Nihon", "日本", "Japon", "Japón", "Giappone", "Japão",
        ],
    ),
    (*b"KE", &["Kenya", "KEN", "Kenia", "Republic of Kenya"]),
    (
        *b"KR",
        &[
            "South Korea",
            "KOR",
            "Korea",
            "Republic of Korea",
            "Korea, Republic of",
            "대한민국",
            "한국",
            "Corea del Sud",
            "Corea del Sur",
            "Corée du Sud",
            "Südkorea",
        ],
    ),
    (
        *b"KZ",
        &[
            "Kazakhstan",
            "KAZ",
            "Қазақстан",
            "Казахстан",
            "Qazaqstan",
            "Kazakstan",
            "Kasachstan",
        ],
    ),
    (*b"LB", &["Lebanon", "LBN", "Liban", "Libanon", "Líbano"]),
    (
        *b"LI",
        &[
            "Liechtenstein",
            "LIE",
            "Principality of Liechtenstein",
            "Fürstentum Liechtenstein",
        ],
    ),
    (*b"LK", &["Sri Lanka", "LKA", "Ceylon"]),
    (
        *b"LT",
        &[
            "Lithuania",
            "LTU",
            "Lietuva",
            "Republic of Lithuania",
            "Lietuvos Respublika",
            "Lituania",
            "Litauen",
            "Lituanie",
            "Litouwen",
            "Litwa",
            "Litva",
            "Litvánia",
            "Λιθουανία",
        ],
    ),
    (
        *b"LU",
        &[
            "Luxembourg",
            "LUX",
            "Lëtzebuerg",
            "Luxemburg",
            "Grand Duchy of Luxembourg",
            "Grand-Duché de Luxembourg",
            "Großherzogtum Luxemburg",
            "Lussemburgo",
            "Luxemburgo",
            "Lucembursko",
            "Luksemburg",
            "Λουξεμβούργο",
        ],
    ),
    (
        *b"LV",
        &[
            "Latvia",
            "LVA",
            "Latvija",
            "Republic of Latvia",
            "Latvijas Republika",
            "Lettonia",
            "Letonia",
            "Lettland",
            "Lettonie",
            "Letland",
            "Łotwa",
            "Lotyšsko",
            "Lettország",
            "Λετονία",
        ],
    ),
    (*b"LY", &["Libya", "LBY", "Libia", "Libye", "Libyen"]),
    (
        *b"MA",
        &[
            "Morocco",
            "MAR",
            "Kingdom of Morocco",
            "Al-Maghrib",
            "المغرب",
            "Maroc",
            "Marocco",
            "Marruecos",
            "Marokko",
        ],
    ),
    (
        *b"MC",
        &[
            "Monaco",
            "MCO",
            "Principality of Monaco",
            "Principauté de Monaco",
            "Mónaco",
            "Monako",
        ],
    ),
    (
        *b"MD",
        &[
            "Moldova",
            "MDA",
            "Republic of Moldova",
            "Moldova, Republic of",
            "Republica Moldova",
            "Молдова",
            "Moldavia",
            "Moldavie",
            "Moldawien",
            "Mołdawia",
        ],
    ),
    (
        *b"ME",
        &[
            "Montenegro",
            "MNE",
            "Crna Gora",
            "Црна Гора",
            "Monténégro",
            "Czarnogóra",
            "Černá Hora",
        ],
    ),
    (
        *b"MK",
        &[
            "North Macedonia",
            "MKD",
            "Северна Македонија",
            "Severna Makedonija",
            "Republic of North Macedonia",
            "Macedonia",
            "Makedonija",
            "Македонија",
            "FYROM",
            "Former Yugoslav Republic of Macedonia",
            "Macédoine du Nord",
            "Nordmazedonien",
            "Macedonia del Nord",
            "Macedonia del Norte",
            "Noord-Macedonië",
            "Macedonia Północna",
            "Severní Makedonie",
        ],
    ),
    (
        *b"MT",
        &[
            "Malta",
            "MLT",
            "Republic of Malta",
            "Repubblika ta' Malta",
            "Malte",
            "Μάλτα",
        ],
    ),
    (
        *b"MX",
        &[
            "Mexico",
            "MEX",
            "United Mexican States",
            "Estados Unidos Mexicanos",
            "México",
            "Méjico",
            "Messico",
            "Mexique",
            "Mexiko",
        ],
    ),
    (*b"MY", &["Malaysia", "MYS", "Malaisie", "Malesia"]),
    (
        *b"NG",
        &["Nigeria", "NGA", "Federal Republic of Nigeria", "Nigéria"],
    ),
    (
        *b"NL",
        &[
            "Netherlands",
            "NLD",
            "The Netherlands",
            "Nederland",
            "Holland",
            "Nederlân",
            "Kingdom of the Netherlands",
            "Koninkrijk der Nederlanden",
            "Paesi Bassi",
            "Países Bajos",
            "Pays-Bas",
            "Niederlande",
            "Olanda",
            "Holanda",
            "Hollande",
            "Holandia",
            "Nizozemsko",
            "Nizozemska",
            "Hollandia",
            "Țările de Jos",
            "Alankomaat",
            "Ολλανδία",
        ],
    ),
    (
        *b"NO",
        &[
            "Norway",
            "NOR",
            "Norge",
            "Noreg",
            "Kingdom of Norway",
            "Norvegia",
            "Noruega",
            "Norwegen",
            "Norvège",
            "Noorwegen",
            "Norwegia",
            "Norsko",
            "Norveška",
            "Norvégia",
            "Νορβηγία",
        ],
    ),
    (
        *b"NZ",
        &[
            "New Zealand",
            "NZL",
            "Aotearoa",
            "Nuova Zelanda",
            "Nueva Zelanda",
            "Nouvelle-Zélande",
            "Neuseeland",
        ],
    ),
    (*b"OM", &["Oman", "OMN", "Sultanate of Oman", "عمان"]),
    (*b"PE", &["Peru", "PER", "Perú", "Pérou"]),
    (
        *b"PH",
        &[
            "Philippines",
            "PHL",
            "Filipinas",
            "Filippine",
            "Philippinen",
        ],
    ),
    (*b"PK", &["Pakistan", "PAK"]),
    (
        *b"PL",
        &[
            "Poland",
            "POL",
            "Polska",
            "Republic of Poland",
            "Rzeczpospolita Polska",
            "Polonia",
            "Polen",
            "Pologne",
            "Polsko",
            "Poljska",
            "Lengyelország",
            "Πολωνία",
        ],
    ),
    (
        *b"PS",
        &[
            "Palestine",
            "PSE",
            "State of Palestine",
            "Palestina",
            "Palästina",
        ],
    ),
    (
        *b"PT",
        &[
            "Portugal",
            "PRT",
            "Portuguese Republic",
            "República Portuguesa",
            "Portogallo",
            "Portugalsko",
            "Portugalia",
            "Portugalska",
            "Portugália",
            "Πορτογαλία",
        ],
    ),
    (*b"QA", &["Qatar", "QAT", "Katar"]),
    (
        *b"RO",
        &[
            "Romania",
            "ROU",
            "România",
            "Roumanie",
            "Rumänien",
            "Rumania",
            "Rumanía",
            "Roemenië",
            "Rumunia",
            "Rumunsko",
            "Rumunjska",
            "Romunija",
            "Románia",
            "Ρουμανία",
        ],
    ),
    (
        *b"RS",
        &[
            "Serbia",
            "SRB",
            "Србија",
            "Srbija",
            "Republic of Serbia",
            "Serbie",
            "Serbien",
            "Servië",
            "Srbsko",
            "Szerbia",
            "Σερβία",
        ],
    ),
    (
        *b"RU",
        &[
            "Russia",
            "RUS",
            "Russian Federation",
            "Россия",
            "Российская Федерация",
            "Rossiya",
            "Rossija",
            "Russie",
            "Russland",
            "Rusia",
            "Rusland",
            "Rosja",
            "Rusko",
            "Rusija",
            "Oroszország",
            "Ρωσία",
        ],
    ),
    (*b"RW", &["Rwanda", "RWA", "Ruanda"]),
    (
        *b"SA",
        &[
            "Saudi Arabia",
            "SAU",
            "KSA",
            "Kingdom of Saudi Arabia",
            "Arabia Saudita",
            "Arabia Saudí",
            "Arabie saoudite",
            "Saudi-Arabien",
        ],
    ),
    (
        *b"SE",
        &[
            "Sweden",
            "SWE",
            "Sverige",
            "Kingdom of Sweden",
            "Svezia",
            "Suecia",
            "Schweden",
            "Suède",
            "Zweden",
            "Szwecja",
            "Švédsko",
            "Švedska",
            "Svédország",
            "Suedia",
            "Ruotsi",
            "Rootsi",
            "Σουηδία",
        ],
    ),
    (*b"SG", &["Singapore", "SGP", "Singapur", "Singapour"]),
    (
        *b"SI",
        &[
            "Slovenia",
            "SVN",
            "Slovenija",
            "Republika Slovenija",
            "Republic of Slovenia",
            "Eslovenia",
            "Slowenien",
            "Slovénie",
            "Słowenia",
            "Szlovénia",
            "Σλοβενία",
        ],
    ),
    (
        *b"SJ",
        &["Svalbard and Jan Mayen", "SJM", "Svalbard", "Jan Mayen"],
    ),
    (
        *b"SK",
        &[
            "Slovakia",
            "SVK",
            "Slovensko",
            "Slovak Republic",
            "Slovenská republika",
            "Slovacchia",
            "Eslovaquia",
            "Slowakei",
            "Slovaquie",
            "Slowakije",
            "Słowacja",
            "Slovačka",
            "Slovaška",
            "Szlovákia",
            "Slovacia",
            "Σλοβακία",
        ],
    ),
    (
        *b"SM",
        &[
            "San Marino",
            "SMR",
            "Republic of San Marino",
            "Repubblica di San Marino",
            "Saint-Marin",
        ],
    ),
    (*b"SN", &["Senegal", "SEN", "Sénégal"]),
    (
        *b"TH",
        &["Thailand", "THA", "Thaïlande", "Tailandia", "Thailandia"],
    ),
    (*b"TN", &["Tunisia", "TUN", "Tunisie", "Tunesien", "Túnez"]),
    (
        *b"TR",
        &[
            "Turkey",
            "TUR",
            "Türkiye",
            "Republic of Türkiye",
            "Republic of Turkey",
            "Turchia",
            "Turquía",
            "Türkei",
            "Turquie",
            "Turkije",
            "Turcja",
            "Turecko",
            "Turska",
            "Törökország",
            "Turcia",
            "Τουρκία",
        ],
    ),
    (
        *b"TW",
        &[
            "Taiwan",
            "TWN",
            "Republic of China",
            "臺灣",
            "台灣",
            "Taïwan",
        ],
    ),
    (
        *b"TZ",
        &[
            "Tanzania",
            "TZA",
            "United Republic of Tanzania",
            "Tanzanie",
            "Tansania",
        ],
    ),
    (
        *b"UA",
        &[
            "Ukraine",
            "UKR",
            "Україна",
            "Ukraina",
            "Ukrayina",
            "Ucraina",
            "Ucrania",
            "Oekraïne",
            "Ukrajina",
            "Ukrajna",
            "Ουκρανία",
        ],
    ),
    (*b"UG", &["Uganda", "UGA", "Republic of Uganda", "Ouganda"]),
    (
        *b"US",
        &[
            "United States",
            "USA",
            "United States of America",
            "U.S.A.",
            "U.S.",
            "America",
            "Estados Unidos",
            "Stati Uniti",
            "États-Unis",
            "Vereinigte Staaten",
            "Verenigde Staten",
            "Stany Zjednoczone",
        ],
    ),
    (
        *b"VA",
        &[
            "Vatican City",
            "VAT",
            "Vatican",
            "Vatican City State",
            "Holy See",
            "Città del Vaticano",
            "Stato della Città del Vaticano",
            "Vaticano",
            "Ciudad del Vaticano",
            "Cité du Vatican",
            "Vatikan",
            "Vatikanstadt",
            "Status Civitatis Vaticanae",
        ],
    ),
    (*b"VN", &["Vietnam", "VNM", "Viet Nam"]),
    (
        *b"XK",
        &[
            "Kosovo",
            "XKX",
            "Kosova",
            "Kosovë",
            "Косово",
            "Republic of Kosovo",
            "Republika e Kosovës",
            "Kosowo",
        ],
    ),
    (
        *b"ZA",
        &[
            "South Africa",
            "ZAF",
            "RSA",
            "Republic of South Africa",
            "Sudáfrica",
            "Sudafrica",
            "Afrique du Sud",
            "Südafrika",
            "Zuid-Afrika",
            "Suid-Afrika",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> CountryCode {
        parse_code(s).unwrap_or_else(|| panic!("{s} is not an assigned code"))
    }

    fn assert_normalises(cases: &[(&str, &str)]) {
        let mut failures = Vec::new();
        for &(input, expected) in cases {
            match normalise(input) {
                Some(n) if n.code.as_str() == expected => {}
                other => failures.push(format!("{input:?}: expected {expected}, got {other:?}")),
            }
        }
        assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    }

    #[test]
    fn assigned_codes_are_sorted_unique_uppercase() {
        assert_eq!(ASSIGNED_CODES.len(), 250);
        for pair in ASSIGNED_CODES.windows(2) {
            assert!(pair[0] < pair[1], "{} !< {}", pair[0], pair[1]);
        }
        for c in ASSIGNED_CODES {
            assert_eq!(c.len(), 2);
            assert!(c.bytes().all(|b| b.is_ascii_uppercase()), "{c}");
        }
        assert!(ASSIGNED_CODES.contains(&"XK"));
        for not_assigned in ["UK", "EL", "EU", "XX", "AA", "QZ", "AN", "YU", "CS"] {
            assert!(!ASSIGNED_CODES.contains(&not_assigned), "{not_assigned}");
        }
    }

    #[test]
    fn parse_code_is_strict() {
        for c in ASSIGNED_CODES {
            let parsed = parse_code(c).unwrap_or_else(|| panic!("{c}"));
            assert_eq!(parsed.as_str(), c);
            assert_eq!(parse_code(&c.to_ascii_lowercase()), Some(parsed));
        }
        assert_eq!(parse_code("de"), Some(code("DE")));
        assert_eq!(parse_code("De"), Some(code("DE")));
        assert_eq!(parse_code("sR").map(|c| c.to_string()), Some("SR".into()));
        for bad in [
            "", "D", "DEU", " DE", "DE ", "UK", "EL", "xx", "XX", "1A", "D-", "ÄT", "Germany",
        ] {
            assert_eq!(parse_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn display_and_as_str() {
        let de = code("de");
        assert_eq!(de.as_str(), "DE");
        assert_eq!(de.to_string(), "DE");
        assert_eq!(format!("[{de:>4}]"), "[  DE]");
    }

    #[test]
    fn serde_round_trip() {
        let de = code("DE");
        let json = serde_json::to_string(&de).expect("serialise");
        assert_eq!(json, "\"DE\"");
        let back: CountryCode = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, de);

        let list = vec![code("GB"), code("XK"), code("SK")];
        let json = serde_json::to_string(&list).expect("serialise list");
        assert_eq!(json, r#"["GB","XK","SK"]"#);
        let back: Vec<CountryCode> = serde_json::from_str(&json).expect("deserialise list");
        assert_eq!(back, list);

        // Any case is accepted (via parse_code), but nothing lenient.
        let lower: CountryCode = serde_json::from_str("\"at\"").expect("lowercase");
        assert_eq!(lower, code("AT"));
        for bad in [
            r#""UK""#,
            r#""xx""#,
            r#""Germany""#,
            r#"" DE""#,
            r#""""#,
            "42",
            "null",
        ] {
            assert!(serde_json::from_str::<CountryCode>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<CountryCode>(r#""UK""#)
            .expect_err("UK is not strict ISO")
            .to_string();
        assert!(err.contains("\"UK\""), "{err}");
        assert!(err.contains("ISO 3166-1 alpha-2"), "{err}");
    }

    #[test]
    fn real_data_spellings() {
        assert_normalises(&[
            ("Österreich", "AT"),
            ("England", "GB"),
            ("UK", "GB"),
            ("Italy", "IT"),
            ("Portugal", "PT"),
            ("DE", "DE"),
            ("GR", "GR"),
            ("Deutschland", "DE"),
            ("uk", "GB"),
            ("GB", "GB"),
            ("ES", "ES"),
            ("Belgique", "BE"),
            ("Germany", "DE"),
            ("Estonia", "EE"),
            ("Austria", "AT"),
            ("HU", "HU"),
            ("FR", "FR"),
            ("AT", "AT"),
            ("Malta", "MT"),
            ("United Kingdom", "GB"),
            ("Slovenia", "SI"),
            ("France", "FR"),
            ("RO", "RO"),
            ("IT", "IT"),
            ("SR", "SK"),
            ("Croatia", "HR"),
            ("CZ", "CZ"),
            ("Poland", "PL"),
            ("Hungary", "HU"),
            ("FI", "FI"),
            ("Cyprus", "CY"),
            ("Romania", "RO"),
            ("HR", "HR"),
            ("IE", "IE"),
            ("BG", "BG"),
            ("FRANCE", "FR"),
            ("Ελλάδα", "GR"),
            ("Slovakia", "SK"),
            ("SCOTLAND", "GB"),
            ("Latvija", "LV"),
            ("PL", "PL"),
            ("BE", "BE"),
            ("Frace", "FR"),
            ("Ireland", "IE"),
            ("Bulgaria", "BG"),
            ("Cypres", "CY"),
            ("Italu", "IT"),
            ("Finland", "FI"),
            ("Czech Republic", "CZ"),
            ("Greece", "GR"),
            ("Latvia", "LV"),
            ("Portogallo", "PT"),
            ("MT", "MT"),
            ("Slovenija", "SI"),
            ("Belgium", "BE"),
            ("ÖSterreich", "AT"),
            ("România", "RO"),
            ("england", "GB"),
            ("Isle of Man", "IM"),
            ("Ghana", "GH"),
            ("Uganda", "UG"),
            ("Kenya", "KE"),
        ]);
    }

    #[test]
    fn codes_any_case_and_aliases() {
        assert_normalises(&[
            ("de", "DE"),
            ("De", "DE"),
            ("dE", "DE"),
            (" de ", "DE"),
            ("DE.", "DE"),
            ("(DE)", "DE"),
            ("UK", "GB"),
            ("U.K.", "GB"),
            ("EL", "GR"),
            ("el", "GR"),
            ("SR", "SK"),
            ("sr", "SK"),
            ("XK", "XK"),
            ("xk", "XK"),
            ("us", "US"),
            ("U.S.A.", "US"),
        ]);
        // Every assigned code normalises to itself, except SR (see aliases).
        for c in ASSIGNED_CODES {
            let n = normalise(c).unwrap_or_else(|| panic!("{c}"));
            if c == "SR" {
                assert_eq!(n.code.as_str(), "SK");
                assert!(!n.exact);
            } else {
                assert_eq!(n.code.as_str(), c);
                assert!(n.exact, "{c}");
            }
            let lower = normalise(&c.to_ascii_lowercase()).unwrap_or_else(|| panic!("{c}"));
            assert!(!lower.exact, "{c}");
        }
    }

    #[test]
    fn alpha3_codes() {
        assert_normalises(&[
            ("AUT", "AT"),
            ("DEU", "DE"),
            ("GBR", "GB"),
            ("gbr", "GB"),
            ("FRA", "FR"),
            ("ITA", "IT"),
            ("ESP", "ES"),
            ("PRT", "PT"),
            ("BEL", "BE"),
            ("NLD", "NL"),
            ("LUX", "LU"),
            ("IRL", "IE"),
            ("POL", "PL"),
            ("CZE", "CZ"),
            ("SVK", "SK"),
            ("SVN", "SI"),
            ("HRV", "HR"),
            ("HUN", "HU"),
            ("ROU", "RO"),
            ("BGR", "BG"),
            ("GRC", "GR"),
            ("CYP", "CY"),
            ("MLT", "MT"),
            ("EST", "EE"),
            ("LVA", "LV"),
            ("LTU", "LT"),
            ("FIN", "FI"),
            ("SWE", "SE"),
            ("DNK", "DK"),
            ("NOR", "NO"),
            ("ISL", "IS"),
            ("CHE", "CH"),
            ("LIE", "LI"),
            ("AND", "AD"),
            ("MCO", "MC"),
            ("SMR", "SM"),
            ("VAT", "VA"),
            ("ALB", "AL"),
            ("MNE", "ME"),
            ("SRB", "RS"),
            ("BIH", "BA"),
            ("MKD", "MK"),
            ("XKX", "XK"),
            ("TUR", "TR"),
            ("UKR", "UA"),
            ("BLR", "BY"),
            ("MDA", "MD"),
            ("RUS", "RU"),
            ("GEO", "GE"),
            ("ARM", "AM"),
            ("AZE", "AZ"),
            ("FRO", "FO"),
            ("IMN", "IM"),
            ("JEY", "JE"),
            ("GGY", "GG"),
            ("GIB", "GI"),
            ("ALA", "AX"),
            ("USA", "US"),
        ]);
    }

    #[test]
    fn english_names_of_european_countries() {
        assert_normalises(&[
            ("Albania", "AL"),
            ("Andorra", "AD"),
            ("Armenia", "AM"),
            ("Azerbaijan", "AZ"),
            ("Belarus", "BY"),
            ("Bosnia and Herzegovina", "BA"),
            ("Bosnia & Herzegovina", "BA"),
            ("Bosnia-Herzegovina", "BA"),
            ("Czechia", "CZ"),
            ("Denmark", "DK"),
            ("Georgia", "GE"),
            ("Iceland", "IS"),
            ("Kazakhstan", "KZ"),
            ("Kosovo", "XK"),
            ("Liechtenstein", "LI"),
            ("Lithuania", "LT"),
            ("Luxembourg", "LU"),
            ("Moldova", "MD"),
            ("Republic of Moldova", "MD"),
            ("Monaco", "MC"),
            ("Montenegro", "ME"),
            ("Netherlands", "NL"),
            ("The Netherlands", "NL"),
            ("Holland", "NL"),
            ("North Macedonia", "MK"),
            ("Macedonia", "MK"),
            ("Norway", "NO"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("San Marino", "SM"),
            ("Serbia", "RS"),
            ("Spain", "ES"),
            ("Sweden", "SE"),
            ("Switzerland", "CH"),
            ("Turkey", "TR"),
            ("Ukraine", "UA"),
            ("Vatican City", "VA"),
            ("Vatican", "VA"),
            ("Holy See", "VA"),
            ("Faroe Islands", "FO"),
            ("Isle of Man", "IM"),
            ("isle-of-man", "IM"),
            ("Jersey", "JE"),
            ("Guernsey", "GG"),
            ("Gibraltar", "GI"),
            ("Åland", "AX"),
            ("Aland Islands", "AX"),
            ("Greenland", "GL"),
            ("Svalbard", "SJ"),
        ]);
    }

    #[test]
    fn united_kingdom_and_constituent_countries() {
        assert_normalises(&[
            ("England", "GB"),
            ("Scotland", "GB"),
            ("Wales", "GB"),
            ("Northern Ireland", "GB"),
            ("Great Britain", "GB"),
            ("Britain", "GB"),
            ("United Kingdom", "GB"),
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("Untied Kingdom", "GB"), // fuzzy: transposition
        ]);
    }

    #[test]
    fn world_countries() {
        assert_normalises(&[
            ("United States", "US"),
            ("United States of America", "US"),
            ("USA", "US"),
            ("Canada", "CA"),
            ("Mexico", "MX"),
            ("México", "MX"),
            ("Brazil", "BR"),
            ("Brasil", "BR"),
            ("Argentina", "AR"),
            ("China", "CN"),
            ("Japan", "JP"),
            ("India", "IN"),
            ("Australia", "AU"),
            ("New Zealand", "NZ"),
            ("South Africa", "ZA"),
            ("Ghana", "GH"),
            ("Uganda", "UG"),
            ("Kenya", "KE"),
            ("Nigeria", "NG"),
            ("Senegal", "SN"),
            ("Sénégal", "SN"),
            ("Morocco", "MA"),
            ("Maroc", "MA"),
            ("Tunisia", "TN"),
            ("Egypt", "EG"),
            ("Israel", "IL"),
            ("Oman", "OM"),
        ]);
    }

    #[test]
    fn native_names_and_transliterations() {
        assert_normalises(&[
            ("Österreich", "AT"),
            ("Oesterreich", "AT"),
            ("Deutschland", "DE"),
            ("België", "BE"),
            ("Belgique", "BE"),
            ("Belgien", "BE"),
            ("Nederland", "NL"),
            ("España", "ES"),
            ("Espana", "ES"),
            ("Italia", "IT"),
            ("Polska", "PL"),
            ("Česko", "CZ"),
            ("Česká republika", "CZ"),
            ("Ceska Republika", "CZ"),
            ("Slovensko", "SK"),
            ("Slovenija", "SI"),
            ("Hrvatska", "HR"),
            ("Magyarország", "HU"),
            ("Magyarorszag", "HU"),
            ("România", "RO"),
            ("Romania", "RO"),
            ("България", "BG"),
            ("Bulgaria", "BG"),
            ("Ελλάδα", "GR"),
            ("ΕΛΛΆΔΑ", "GR"),
            ("Ελλάς", "GR"),
            ("ΕΛΛΑΣ", "GR"),
            ("Hellas", "GR"),
            ("Ellada", "GR"),
            ("Κύπρος", "CY"),
            ("Kıbrıs", "CY"),
            ("Kibris", "CY"),
            ("Latvija", "LV"),
            ("Lietuva", "LT"),
            ("Eesti", "EE"),
            ("Suomi", "FI"),
            ("Sverige", "SE"),
            ("Norge", "NO"),
            ("Danmark", "DK"),
            ("Ísland", "IS"),
            ("Éire", "IE"),
            ("Eire", "IE"),
            ("Portugal", "PT"),
            ("Schweiz", "CH"),
            ("Suisse", "CH"),
            ("Svizzera", "CH"),
            ("Svizra", "CH"),
            ("Lëtzebuerg", "LU"),
            ("Luxembourg", "LU"),
            ("Shqipëria", "AL"),
            ("Shqiperia", "AL"),
            ("Србија", "RS"),
            ("Srbija", "RS"),
            ("Црна Гора", "ME"),
            ("Crna Gora", "ME"),
            ("Северна Македонија", "MK"),
            ("Босна", "BA"),
            ("Bosna i Hercegovina", "BA"),
            ("Україна", "UA"),
            ("Россия", "RU"),
            ("РОССИЯ", "RU"),
            ("Беларусь", "BY"),
            ("Türkiye", "TR"),
            ("Turkiye", "TR"),
            ("TÜRKİYE", "TR"),
            ("Malta", "MT"),
            ("Monaco", "MC"),
            ("Kosova", "XK"),
            ("Föroyar", "FO"),
            ("Føroyar", "FO"),
            ("Ellan Vannin", "IM"),
            ("Sakartvelo", "GE"),
            ("Hayastan", "AM"),
            ("Azərbaycan", "AZ"),
        ]);
    }

    #[test]
    fn foreign_language_names() {
        assert_normalises(&[
            ("Portogallo", "PT"),
            ("Allemagne", "DE"),
            ("Alemania", "DE"),
            ("Germania", "DE"),
            ("Autriche", "AT"),
            ("Austria", "AT"),
            ("Royaume-Uni", "GB"),
            ("Regno Unito", "GB"),
            ("Reino Unido", "GB"),
            ("Inglaterra", "GB"),
            ("Grecia", "GR"),
            ("Grèce", "GR"),
            ("Griechenland", "GR"),
            ("Francia", "FR"),
            ("Frankreich", "FR"),
            ("Italien", "IT"),
            ("Italie", "IT"),
            ("Spanien", "ES"),
            ("Espagne", "ES"),
            ("Spagna", "ES"),
            ("Paesi Bassi", "NL"),
            ("Pays-Bas", "NL"),
            ("Niederlande", "NL"),
            ("Países Bajos", "NL"),
            ("Svezia", "SE"),
            ("Suède", "SE"),
            ("Schweden", "SE"),
            ("Suecia", "SE"),
            ("Suiza", "CH"),
            ("Irlanda", "IE"),
            ("Irlande", "IE"),
            ("Irland", "IE"),
            ("Islanda", "IS"),
            ("Danimarca", "DK"),
            ("Dänemark", "DK"),
            ("Polonia", "PL"),
            ("Polen", "PL"),
            ("Pologne", "PL"),
            ("Ungheria", "HU"),
            ("Ungarn", "HU"),
            ("Hongrie", "HU"),
            ("Repubblica Ceca", "CZ"),
            ("Tschechien", "CZ"),
            ("République tchèque", "CZ"),
            ("Slowakei", "SK"),
            ("Slovaquie", "SK"),
            ("Slowenien", "SI"),
            ("Kroatien", "HR"),
            ("Croazia", "HR"),
            ("Rumänien", "RO"),
            ("Roumanie", "RO"),
            ("Bulgarien", "BG"),
            ("Zypern", "CY"),
            ("Chypre", "CY"),
            ("Cipro", "CY"),
            ("Lettland", "LV"),
            ("Litauen", "LT"),
            ("Estland", "EE"),
            ("Finnland", "FI"),
            ("Norwegen", "NO"),
            ("Lussemburgo", "LU"),
            ("Luxemburg", "LU"),
            ("Belgio", "BE"),
            ("Türkei", "TR"),
            ("Turquie", "TR"),
            ("Russland", "RU"),
            ("Ucraina", "UA"),
            ("Weißrussland", "BY"),
            ("Weissrussland", "BY"),
            ("Großbritannien", "GB"),
            ("Grossbritannien", "GB"),
            ("Vereinigtes Königreich", "GB"),
            ("Écosse", "GB"),
            ("Pays de Galles", "GB"),
            ("Estados Unidos", "US"),
            ("États-Unis", "US"),
        ]);
    }

    #[test]
    fn folding_ignores_case_accents_and_punctuation() {
        assert_normalises(&[
            ("  germany  ", "DE"),
            ("GERMANY!", "DE"),
            ("\"Germany\"", "DE"),
            ("germany.", "DE"),
            ("Czech  Republic", "CZ"),
            ("Czech-Republic", "CZ"),
            ("czech_republic", "CZ"),
            ("Czech Rep.", "CZ"),
            ("O\u{308}sterreich", "AT"), // decomposed umlaut
            ("OSTERREICH", "AT"),
            ("Cote d'Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Korea, Republic of", "KR"),
            ("Moldova, Republic of", "MD"),
        ]);
        assert_eq!(fold("  Česká   republika -- "), "ceska republika");
        assert_eq!(fold("Ελλάς"), "ελλασ");
        assert_eq!(fold("ΐΰϊϋάέήίόύώ"), "ιυιυαεηιουω");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Færøerne"), "faeroerne");
        assert_eq!(fold("Œuvre Þing Ðað"), "oeuvre thing dad");
        assert_eq!(
            fold("àáâãäåāăą çćč ďđ èéêëēėęě ğ ìíîïīįı łľĺ ñńň"),
            "aaaaaaaaa ccc dd eeeeeeee g iiiiiii lll nnn"
        );
        assert_eq!(
            fold("òóôõöøōő ŕř śšşș ťţț ùúûüūůűų ýÿ źżž"),
            "oooooooo rr ssss ttt uuuuuuuu yy zzz"
        );
        assert_eq!(fold("Bosnia & Herzegovina"), "bosnia and herzegovina");
        assert_eq!(fold(" ,.- "), "");
    }

    #[test]
    fn fuzzy_misspellings() {
        assert_normalises(&[
            ("Frace", "FR"),
            ("Italu", "IT"),
            ("Cypres", "CY"),
            ("Germnay", "DE"),  // transposition
            ("Austira", "AT"),  // transposition
            ("Portgual", "PT"), // transposition
            ("Netherland", "NL"),
            ("Luxemborg", "LU"),
            ("Lithuenia", "LT"),
            ("Deutchland", "DE"),
            ("Switzerlnd", "CH"),
            ("Nothern Ireland", "GB"),
            ("Czech Repubic", "CZ"),
            ("Untied Kingdom", "GB"),
            ("Slovakija", "SK"),
        ]);
        // Exact matches report the fix too.
        let n = normalise("Frace").expect("Frace");
        assert!(!n.exact);
    }

    #[test]
    fn fuzzy_requires_unique_country() {
        // "ieland": Ireland and Iceland are both one edit away.
        assert_eq!(normalise("Ieland"), None);
        // "slovania": Slovakia and Slovenia are both one edit away.
        assert_eq!(normalise("Slovania"), None);
    }

    #[test]
    fn fuzzy_respects_length_thresholds() {
        // Under 5 chars: no fuzzy matching at all.
        assert_eq!(normalise("Itly"), None);
        assert_eq!(normalise("Pru"), None);
        // 5..=8 chars: distance 1 only.
        assert_eq!(normalise("Frnce").map(|n| n.code), Some(code("FR")));
        assert_eq!(normalise("Grmany").map(|n| n.code), Some(code("DE")));
        assert_eq!(normalise("Frnxe"), None); // distance 2
        assert_eq!(normalise("Germnyy"), None); // distance 2
                                                // >= 9 chars: distance 2 allowed.
        assert_eq!(
            normalise("Deuchland"),
            Some(Normalised {
                code: code("DE"),
                exact: false
            })
        );
        assert_eq!(normalise("Swizerlnd").map(|n| n.code), Some(code("CH")));
    }

    #[test]
    fn rejections() {
        let too_long = "x".repeat(81);
        let very_long = "Germany ".repeat(10_000);
        let padded_germany = format!("{}Germany", " ".repeat(80));
        for bad in [
            "Atlantis",
            "",
            "   ",
            "-",
            "ABERDEEN",
            "Aberdeen",
            "xx",
            "XX",
            "EU",
            "Europe",
            "update6",
            "N/A",
            "unknown",
            "DEUX",
            too_long.as_str(),
            very_long.as_str(),
            padded_germany.as_str(),
        ] {
            assert_eq!(normalise(bad), None, "{:?}", &bad[..bad.len().min(40)]);
        }
    }

    #[test]
    fn exact_flag() {
        for (input, expected_exact) in [
            ("DE", true),
            ("GB", true),
            ("XK", true),
            ("de", false),
            ("De", false),
            (" DE", false),
            ("DE ", false),
            ("UK", false),
            ("EL", false),
            ("SR", false),
            ("DEU", false),
            ("Germany", false),
            ("Deutschland", false),
            ("Frace", false),
        ] {
            let n = normalise(input).unwrap_or_else(|| panic!("{input:?}"));
            assert_eq!(n.exact, expected_exact, "{input:?}");
        }
    }

    #[test]
    fn english_name_lookup() {
        assert_eq!(english_name(code("DE")), Some("Germany"));
        assert_eq!(english_name(code("GB")), Some("United Kingdom"));
        assert_eq!(english_name(code("XK")), Some("Kosovo"));
        assert_eq!(english_name(code("IM")), Some("Isle of Man"));
        assert_eq!(english_name(code("SR")), None); // Suriname: not in the table
        for europe in [
            "AD", "AL", "AM", "AT", "AX", "AZ", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE",
            "DK", "EE", "ES", "FI", "FO", "FR", "GB", "GE", "GG", "GI", "GR", "HR", "HU", "IE",
            "IM", "IS", "IT", "JE", "KZ", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT",
            "NL", "NO", "PL", "PT", "RO", "RS", "RU", "SE", "SI", "SK", "SM", "TR", "UA", "VA",
            "XK",
        ] {
            let name = english_name(code(europe)).unwrap_or_else(|| panic!("{europe}"));
            // The English name normalises back to the same code.
            assert_eq!(
                normalise(name).map(|n| n.code),
                Some(code(europe)),
                "{name}"
            );
        }
    }

    #[test]
    fn name_table_is_consistent() {
        let mut seen: HashMap<String, ([u8; 2], &str)> = HashMap::new();
        for pair in COUNTRY_NAMES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "COUNTRY_NAMES not sorted by code");
        }
        for (c, names) in COUNTRY_NAMES {
            let c_str = std::str::from_utf8(c).expect("ascii");
            assert!(parse_code(c_str).is_some(), "{c_str} not assigned");
            assert!(!names.is_empty(), "{c_str} has no names");
            for name in *names {
                let key = fold(name);
                assert!(!key.is_empty(), "{name:?} folds to nothing");
                // Two ASCII letters are handled as codes and would be shadowed.
                assert!(
                    !(key.len() == 2 && key.bytes().all(|b| b.is_ascii_lowercase())),
                    "{name:?} would be shadowed by the code lookup"
                );
                if let Some((other, other_name)) = seen.insert(key.clone(), (*c, name)) {
                    assert_eq!(
                        &other, c,
                        "{name:?} ({c_str}) and {other_name:?} both fold to {key:?}"
                    );
                }
            }
        }
        assert_eq!(name_table().len(), seen.len());
        // Every name in the table resolves to its own country through normalise.
        for (key, c) in name_table() {
            assert_eq!(normalise(key).map(|n| n.code), Some(*c), "{key}");
        }
    }

    #[test]
    fn osa_distance_basics() {
        let d = |a: &str, b: &str| {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            osa_distance(&a, &b)
        };
        assert_eq!(d("", ""), 0);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("france", "france"), 0);
        assert_eq!(d("frace", "france"), 1);
        assert_eq!(d("italu", "italy"), 1);
        assert_eq!(d("germnay", "germany"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("ca", "abc"), 3); // OSA (true DL would be 2)
    }
}
