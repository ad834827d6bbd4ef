//! Which language a reader wants: `lang=` first, then `Accept-Language`.

use actix_web::http::header;
use actix_web::HttpRequest;
use atlas_domain::{FieldError, Lang, LangText};
use std::collections::BTreeMap;

/// The reader's languages, best first. Empty means "all translations" (`lang=*`, or no
/// preference at all).
#[derive(Debug, Clone, Default)]
pub struct Wanted(pub Vec<Lang>);

impl Wanted {
    pub fn from_request(req: &HttpRequest, lang_param: Option<&str>) -> Result<Wanted, FieldError> {
        if let Some(raw) = lang_param {
            if raw.trim() == "*" {
                return Ok(Wanted(Vec::new()));
            }
            return Lang::parse_field("lang", raw).map(|l| Wanted(vec![l]));
        }
        let header = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        // `de-AT,de;q=0.9,en;q=0.8`: order by q, ignore what is not a language we know.
        let mut weighted: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Lang::parse(tag)
                    .filter(|_| q > 0.0)
                    .map(|lang| (q, position, lang))
            })
            .collect();
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut langs: Vec<Lang> = Vec::new();
        for (_, _, lang) in weighted {
            if !langs.contains(&lang) {
                langs.push(lang);
            }
        }
        Ok(Wanted(langs))
    }

    /// The value of `Content-Language`.
    pub fn content_language(&self) -> &str {
        self.0.first().map(Lang::as_str).unwrap_or("en")
    }

    /// Multilingual text as the reader wants it: every translation when they asked for no
    /// language, else the one translation chosen (wanted → English → any), keyed by its
    /// language so the reader sees which was used.
    pub fn text(&self, text: &LangText) -> BTreeMap<String, String> {
        if self.0.is_empty() {
            return text
                .0
                .iter()
                .map(|(l, t)| (l.to_string(), t.clone()))
                .collect();
        }
        text.resolve(&self.0)
            .map(|(lang, t)| BTreeMap::from([(lang.to_string(), t.to_owned())]))
            .unwrap_or_default()
    }

    /// One label: wanted → English → any.
    pub fn label(&self, text: &LangText) -> (String, String) {
        text.resolve(&self.0)
            .map(|(lang, t)| (t.to_owned(), lang.to_string()))
            .unwrap_or_default()
    }
}
