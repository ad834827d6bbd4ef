//! Webhooks: a receiver an admin registers to be told of change-feed events, and the rules on
//! where the Atlas may send them (no requests into its own network unless the operator says so).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use url::Url;
use uuid::Uuid;

use crate::change::ChangeKind;
use crate::validation::{FieldError, ValidationErrors};

/// Shorter secrets are guessable enough to forge signatures offline.
pub const MIN_SECRET_CHARS: usize = 16;
pub const MAX_SECRET_CHARS: usize = 256;
pub const MAX_URL_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WebhookId(pub Uuid);

impl std::fmt::Display for WebhookId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A registration request that passed every check that needs no network.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWebhook {
    pub url: Url,
    /// Distinct kinds, in feed order (created, updated, deleted).
    pub events: Vec<ChangeKind>,
    pub secret: String,
}

impl NewWebhook {
    /// Checks every field and reports all problems at once.
    pub fn parse(
        url: Option<&str>,
        events: Option<&[String]>,
        secret: Option<&str>,
    ) -> Result<NewWebhook, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let url = match url {
            None => {
                errors.push("url", "required", "the URL to POST events to");
                None
            }
            Some(url) => errors.take(parse_webhook_url(url)),
        };
        let events = match events {
            None | Some([]) => {
                errors.push(
                    "events",
                    "required",
                    "at least one of created, updated, deleted",
                );
                None
            }
            Some(names) => {
                let mut kinds = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    match name.parse::<ChangeKind>() {
                        Ok(kind) => kinds.push(kind),
                        Err(_) => errors.push(
                            format!("events[{i}]"),
                            "unknown_event",
                            format!("`{name}` is not one of created, updated, deleted"),
                        ),
                    }
                }
                Some(
                    [
                        ChangeKind::Created,
                        ChangeKind::Updated,
                        ChangeKind::Deleted,
                    ]
                    .into_iter()
                    .filter(|k| kinds.contains(k))
                    .collect::<Vec<_>>(),
                )
            }
        };
        let secret = match secret {
            None => {
                errors.push(
                    "secret",
                    "required",
                    "a shared secret the deliveries are signed with",
                );
                None
            }
            Some(secret) => {
                let length = secret.chars().count();
                if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&length) {
                    errors.push(
                        "secret",
                        "invalid_secret",
                        format!("a secret of {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters"),
                    );
                    None
                } else {
                    Some(secret.to_owned())
                }
            }
        };
        match (url, events, secret) {
            (Some(url), Some(events), Some(secret)) if errors.is_empty() => Ok(NewWebhook {
                url,
                events,
                secret,
            }),
            _ => Err(errors),
        }
    }
}

/// An absolute http(s) URL with a host; anything else (ftp:, file:, relative) is refused.
pub fn parse_webhook_url(text: &str) -> Result<Url, FieldError> {
    let invalid = |message: &str| FieldError::new("url", "invalid_url", message);
    if text.chars().count() > MAX_URL_CHARS {
        return Err(invalid("a URL of at most 2000 characters"));
    }
    let url = Url::parse(text.trim()).map_err(|e| invalid(&format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("only http and https URLs can receive webhooks"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL needs a host"));
    }
    Ok(url)
}

/// Whether an address is on the public internet: not loopback, private, link-local
/// (cloud metadata lives there), unique-local, multicast, unspecified, documentation, shared
/// (carrier-grade NAT) or reserved; IPv4-mapped and IPv4-compatible IPv6 are judged as IPv4.
pub fn is_public_address(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let segments = v6.segments();
            // ::a.b.c.d (deprecated IPv4-compatible) and 64:ff9b::/96 (NAT64) reach IPv4 hosts.
            if segments[..6] == [0, 0, 0, 0, 0, 0] || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = segments[6].to_be_bytes();
                let [c, d] = segments[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            is_public_v6(v6)
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_unspecified()
        || v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_broadcast()
        || v4.is_documentation()
        || a == 0
        // 100.64.0.0/10 shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24 protocol assignments, 198.18.0.0/15 benchmarking, 240.0.0.0/4 reserved.
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let first = v6.segments()[0];
    !(v6.is_unspecified()
        || v6.is_loopback()
        || v6.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local (deprecated).
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // 2001:db8::/32 documentation.
        || (first == 0x2001 && v6.segments()[1] == 0x0db8))
}

/// A registered webhook as admins see it (never its secret).
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: String,
    pub events: Vec<ChangeKind>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Parked,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Parked => "parked",
        }
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(DeliveryStatus::Pending),
            "delivered" => Ok(DeliveryStatus::Delivered),
            "parked" => Ok(DeliveryStatus::Parked),
            other => Err(format!("unknown delivery status `{other}`")),
        }
    }
}

/// One event on its way to one webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    pub id: i64,
    pub seq: i64,
    pub kind: ChangeKind,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_response_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public_address(text.parse().expect("an address"))
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc12::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
        ] {
            assert!(!public(address), "{address} must not count as public");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for address in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(address), "{address} is public");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let events = vec!["created".to_owned(), "exploded".to_owned()];
        let errors = NewWebhook::parse(Some("ftp://example.org/"), Some(&events), Some("short"))
            .expect_err("three bad fields");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["url", "events[1]", "secret"]);
    }

    #[test]
    fn events_are_deduplicated_in_feed_order() {
        let events = vec![
            "deleted".to_owned(),
            "created".to_owned(),
            "deleted".to_owned(),
        ];
        let webhook = NewWebhook::parse(
            Some("https://example.org/hook"),
            Some(&events),
            Some("a-long-enough-secret"),
        )
        .expect("valid");
        assert_eq!(webhook.events, [ChangeKind::Created, ChangeKind::Deleted]);
    }
}
