//! A partner proposing their own listing: the actor, who to write to, and their consent to
//! publish under the Atlas's licence. Also the data-quality flags moderators see.

use serde::{Deserialize, Serialize};

use crate::actor::{
    parse_email, plain_text, ActorDraft, Source, SourceKind, Strictness, ValidActor,
};
use crate::category::Taxonomy;
use crate::country::CountryCode;
use crate::validation::ValidationErrors;

/// What a partner sent: every field optional and unchecked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmissionDraft {
    pub actor: ActorDraft,
    pub consent_publish: Option<bool>,
    pub consent_licence: Option<String>,
}

/// The partner's agreement that the listing be published under the Atlas's data licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub publish: bool,
    pub licence: String,
}

/// A submission that passed validation. The contact email is required: it is where the
/// confirmation link goes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSubmission {
    pub actor: ValidActor,
    pub contact_email: String,
    pub consent: Consent,
}

impl SubmissionDraft {
    /// Checks every field (the actor's, the contact email and the consent) and returns all
    /// errors at once.
    pub fn parse(
        self,
        taxonomy: &Taxonomy,
        licence: &str,
    ) -> Result<ValidSubmission, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email_missing = self
            .actor
            .contact_email
            .as_deref()
            .is_none_or(|e| e.trim().is_empty());
        if email_missing {
            errors.push(
                "contact_email",
                "required",
                "a contact email is required: the confirmation link is sent there",
            );
        }
        match self.consent_publish {
            Some(true) => {}
            Some(false) => errors.push(
                "consent.publish",
                "consent_required",
                "the listing can only be published with your consent (consent.publish = true)",
            ),
            None => errors.push(
                "consent.publish",
                "required",
                "consent.publish = true is required",
            ),
        }
        match self.consent_licence.as_deref().map(str::trim) {
            Some(given) if given == licence => {}
            Some(given) => errors.push(
                "consent.licence",
                "licence_mismatch",
                format!(
                    "the Atlas publishes its data under {licence}; `{}` cannot be accepted",
                    given.chars().take(40).collect::<String>()
                ),
            ),
            None => errors.push(
                "consent.licence",
                "required",
                format!("consent.licence = \"{licence}\" is required"),
            ),
        }
        let source = Source {
            kind: SourceKind::Submitted,
            name: None,
        };
        let actor = match self
            .actor
            .parse(taxonomy, licence, source, Strictness::Submission)
        {
            Ok(actor) => Some(actor),
            Err(actor_errors) => {
                errors.0.extend(actor_errors.0);
                None
            }
        };
        let Some(actor) = actor else {
            return Err(errors);
        };
        let contact_email = actor.contact.email.clone().unwrap_or_default();
        errors.into_result(|| ValidSubmission {
            actor,
            contact_email,
            consent: Consent {
                publish: true,
                licence: licence.to_owned(),
            },
        })
    }
}

/// Something about a proposal a moderator should look at before approving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityFlag {
    pub code: String,
    pub message: String,
}

impl QualityFlag {
    pub fn new(code: &str, message: impl Into<String>) -> QualityFlag {
        QualityFlag {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Compares where a point lies with the country its submitter claims. A point outside that
/// country is flagged, and so is one that would fall inside it with latitude and longitude
/// exchanged. Both are kept as given: the submitter may be right (a border town, a simplified
/// outline), and a moderator decides.
pub fn location_flags(
    claimed: Option<CountryCode>,
    countries_at_point: &[CountryCode],
    countries_at_swapped_point: &[CountryCode],
) -> Vec<QualityFlag> {
    let Some(claimed) = claimed else {
        return Vec::new();
    };
    if countries_at_point.contains(&claimed) {
        return Vec::new();
    }
    let found = if countries_at_point.is_empty() {
        "no country (sea, or outside the borders data)".to_owned()
    } else {
        countries_at_point
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut flags = vec![QualityFlag::new(
        "point_outside_country",
        format!("the listing claims {claimed}, but its point lies in {found}"),
    )];
    if countries_at_swapped_point.contains(&claimed) {
        flags.push(QualityFlag::new(
            "coordinates_look_swapped",
            format!("with latitude and longitude exchanged, the point would lie in {claimed}"),
        ));
    }
    flags
}

/// Why someone reports a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    WrongData,
    Closed,
    Duplicate,
    Abuse,
}

impl ReportReason {
    pub const ALL: [ReportReason; 4] = [
        ReportReason::WrongData,
        ReportReason::Closed,
        ReportReason::Duplicate,
        ReportReason::Abuse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::WrongData => "wrong_data",
            ReportReason::Closed => "closed",
            ReportReason::Duplicate => "duplicate",
            ReportReason::Abuse => "abuse",
        }
    }
}

/// A report or an erasure request as checked input: a reason, an optional message, an
/// optional (or, for erasure, required) email to answer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub reason: Option<ReportReason>,
    pub message: Option<String>,
    pub email: Option<String>,
}

pub const MAX_MESSAGE_CHARS: usize = 2_000;

impl Complaint {
    /// A report: a known reason is required; message and email are optional.
    pub fn parse_report(
        reason: Option<&str>,
        message: Option<&str>,
        email: Option<&str>,
    ) -> Result<Complaint, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let reason = match reason.map(str::trim) {
            None | Some("") => {
                errors.push("reason", "required", "a reason is required");
                None
            }
            Some(raw) => {
                let found = ReportReason::ALL.into_iter().find(|r| r.as_str() == raw);
                if found.is_none() {
                    errors.push(
                        "reason",
                        "invalid_reason",
                        "the reason is one of wrong_data, closed, duplicate, abuse",
                    );
                }
                found
            }
        };
        let (message, email) = message_and_email(&mut errors, message, email, false);
        errors.into_result(|| Complaint {
            reason,
            message,
            email,
        })
    }

    /// An erasure request: the requester's email is required (a moderator checks it against
    /// the listing's contact before removing anything).
    pub fn parse_erasure(
        message: Option<&str>,
        email: Option<&str>,
    ) -> Result<Complaint, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let (message, email) = message_and_email(&mut errors, message, email, true);
        errors.into_result(|| Complaint {
            reason: None,
            message,
            email,
        })
    }
}

fn message_and_email(
    errors: &mut ValidationErrors,
    message: Option<&str>,
    email: Option<&str>,
    email_required: bool,
) -> (Option<String>, Option<String>) {
    let message = message
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .and_then(|m| errors.take(plain_text("message", m, MAX_MESSAGE_CHARS, true)));
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => {
            if email_required {
                errors.push("email", "required", "an email address is required");
            }
            None
        }
        Some(raw) => errors.take(parse_email("email", raw)),
    };
    (message, email)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::parse_code;

    fn code(c: &str) -> CountryCode {
        parse_code(c).expect("a country code")
    }

    #[test]
    fn a_point_in_its_claimed_country_raises_no_flag() {
        assert!(location_flags(Some(code("AT")), &[code("AT")], &[]).is_empty());
        assert!(location_flags(None, &[code("FR")], &[]).is_empty());
    }

    #[test]
    fn a_point_elsewhere_is_flagged_and_a_swapped_one_says_so() {
        let outside = location_flags(Some(code("AT")), &[code("FR")], &[]);
        assert_eq!(outside.len(), 1);
        assert_eq!(outside[0].code, "point_outside_country");
        let swapped = location_flags(Some(code("LV")), &[], &[code("LV")]);
        let codes: Vec<&str> = swapped.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["point_outside_country", "coordinates_look_swapped"]);
    }

    #[test]
    fn reports_need_a_known_reason_and_erasure_an_email() {
        assert!(Complaint::parse_report(Some("closed"), None, None).is_ok());
        let errors = Complaint::parse_report(Some("meh"), Some("<b>x</b>"), Some("a@"))
            .expect_err("three mistakes");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["reason", "message", "email"]);
        assert!(Complaint::parse_erasure(Some("remove us"), None).is_err());
        assert!(Complaint::parse_erasure(None, Some("owner@example.org")).is_ok());
    }
}
