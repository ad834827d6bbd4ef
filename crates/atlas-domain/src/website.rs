//! Websites as people type them (`example.org`, `HTTP://Example.org/`) made into usable links.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// An absolute `http` or `https` URL with a real-looking host name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Website(String);

/// What parsing had to change, so an importer can report it as a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebsiteFix {
    None,
    SchemeAdded,
}

const MAX_LEN: usize = 2048;

impl Website {
    /// Parses a website, adding `https://` when the scheme is missing. Placeholders that some
    /// sources put in the field (`update6`, `n/a`, `www`) are rejected, not stored.
    pub fn parse(field: &str, input: &str) -> Result<(Website, WebsiteFix), FieldError> {
        let trimmed = input.trim();
        let invalid = |code: &'static str, message: &str| {
            Err(FieldError::new(
                field,
                code,
                format!("{message}: `{}`", shorten(trimmed)),
            ))
        };
        if trimmed.is_empty() {
            return invalid("required", "website is empty");
        }
        if trimmed.len() > MAX_LEN {
            return invalid("too_long", "website is longer than 2048 characters");
        }
        if trimmed.chars().any(char::is_whitespace) {
            return invalid("invalid_url", "a website cannot contain spaces");
        }
        let has_scheme = trimmed.contains("://");
        let lower = trimmed.to_ascii_lowercase();
        if !has_scheme
            && lower.contains(':')
            && !lower.starts_with("www.")
            && looks_like_scheme(&lower)
        {
            return invalid(
                "unsupported_scheme",
                "only http and https websites are accepted",
            );
        }
        let candidate = if has_scheme {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let Ok(url) = url::Url::parse(&candidate) else {
            return invalid("invalid_url", "not a valid web address");
        };
        if !matches!(url.scheme(), "http" | "https") {
            return invalid(
                "unsupported_scheme",
                "only http and https websites are accepted",
            );
        }
        let Some(url::Host::Domain(host)) = url.host() else {
            return invalid("invalid_url", "a website needs a domain name");
        };
        let labels: Vec<&str> = host.split('.').collect();
        let top_level = labels.last().copied().unwrap_or_default();
        if labels.len() < 2
            || labels.iter().any(|label| label.is_empty())
            || top_level.len() < 2
            || top_level.chars().all(|c| c.is_ascii_digit())
            || host == "www"
        {
            return invalid("placeholder_url", "not a real web address");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return invalid("invalid_url", "a website must not carry credentials");
        }
        let fix = if has_scheme {
            WebsiteFix::None
        } else {
            WebsiteFix::SchemeAdded
        };
        Ok((Website(url.into()), fix))
    }

    /// Wraps an already-normalised value read back from storage.
    pub fn from_trusted(value: String) -> Website {
        Website(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host without a leading `www.`, for "same website" duplicate checks.
    pub fn domain(&self) -> Option<String> {
        let url = url::Url::parse(&self.0).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        Some(host.strip_prefix("www.").map(str::to_owned).unwrap_or(host))
    }
}

fn looks_like_scheme(lower: &str) -> bool {
    lower
        .split(':')
        .next()
        .is_some_and(|scheme| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()))
        && !lower
            .split(':')
            .nth(1)
            .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

impl fmt::Display for Website {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> (String, WebsiteFix) {
        let (site, fix) = Website::parse("website", input).expect("valid website");
        (site.as_str().to_owned(), fix)
    }

    fn code(input: &str) -> &'static str {
        Website::parse("website", input)
            .expect_err("invalid website")
            .code
    }

    #[test]
    fn scheme_is_added_when_missing() {
        assert_eq!(
            ok("example.org"),
            ("https://example.org/".into(), WebsiteFix::SchemeAdded)
        );
        assert_eq!(
            ok("www.example.org/about"),
            (
                "https://www.example.org/about".into(),
                WebsiteFix::SchemeAdded
            )
        );
        assert_eq!(
            ok("example.org:8080/x"),
            ("https://example.org:8080/x".into(), WebsiteFix::SchemeAdded)
        );
    }

    #[test]
    fn existing_http_urls_are_kept() {
        assert_eq!(
            ok("HTTP://Example.org"),
            ("http://example.org/".into(), WebsiteFix::None)
        );
        assert_eq!(
            ok(" https://bgfoodbank.org/en?a=1 ").0,
            "https://bgfoodbank.org/en?a=1"
        );
    }

    #[test]
    fn placeholders_and_dangerous_urls_are_rejected() {
        assert_eq!(code("update6"), "placeholder_url");
        assert_eq!(code("www"), "placeholder_url");
        assert_eq!(code("n/a"), "placeholder_url");
        assert_eq!(code("http://localhost"), "placeholder_url");
        assert_eq!(code("javascript:alert(1)"), "unsupported_scheme");
        assert_eq!(code("ftp://example.org"), "unsupported_scheme");
        assert_eq!(code("mailto:info@example.org"), "unsupported_scheme");
        assert_eq!(code("http://10.0.0.1"), "invalid_url");
        assert_eq!(code("exa mple.org"), "invalid_url");
        assert_eq!(code(""), "required");
        assert_eq!(code("https://user:pw@example.org"), "invalid_url");
    }

    #[test]
    fn domain_drops_www() {
        let (site, _) = Website::parse("website", "https://www.Example.org/x").expect("valid");
        assert_eq!(site.domain().as_deref(), Some("example.org"));
    }
}
