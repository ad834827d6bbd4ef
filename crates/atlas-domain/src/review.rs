//! The life of a listing, from a partner's first draft to the public map and back off it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a listing stands. Only `Published` listings are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Draft,
    AwaitingConfirmation,
    PendingReview,
    Published,
    Rejected,
    Archived,
}

/// Something that moves a listing from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// A partner sends a draft; it waits for the emailed confirmation.
    Submit,
    /// A trusted partner (API key) sends a draft; it skips email confirmation, not review.
    SubmitTrusted,
    /// The submitter confirmed their email address.
    Confirm,
    Approve,
    Reject,
    /// The moderator sends it back to the submitter to change.
    RequestChanges,
    /// A curated import of vetted open data publishes directly.
    Import,
    Archive,
    Restore,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a listing that is {from}")]
pub struct IllegalTransition {
    pub from: ReviewStatus,
    pub action: ReviewAction,
}

impl ReviewStatus {
    /// The status after `action`, or why the action is not allowed now.
    pub fn apply(self, action: ReviewAction) -> Result<ReviewStatus, IllegalTransition> {
        use ReviewAction as A;
        use ReviewStatus as S;
        let next = match (self, action) {
            (S::Draft, A::Submit) => S::AwaitingConfirmation,
            (S::Draft, A::SubmitTrusted) => S::PendingReview,
            (S::Draft, A::Import) => S::Published,
            (S::AwaitingConfirmation, A::Confirm) => S::PendingReview,
            (S::PendingReview, A::Approve) => S::Published,
            (S::PendingReview, A::Reject) => S::Rejected,
            (S::PendingReview, A::RequestChanges) => S::Draft,
            (S::Published, A::Archive) => S::Archived,
            (S::Archived, A::Restore) => S::Published,
            (from, action) => return Err(IllegalTransition { from, action }),
        };
        Ok(next)
    }

    pub fn is_public(self) -> bool {
        self == ReviewStatus::Published
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Draft => "draft",
            ReviewStatus::AwaitingConfirmation => "awaiting_confirmation",
            ReviewStatus::PendingReview => "pending_review",
            ReviewStatus::Published => "published",
            ReviewStatus::Rejected => "rejected",
            ReviewStatus::Archived => "archived",
        }
    }

    pub const ALL: [ReviewStatus; 6] = [
        ReviewStatus::Draft,
        ReviewStatus::AwaitingConfirmation,
        ReviewStatus::PendingReview,
        ReviewStatus::Published,
        ReviewStatus::Rejected,
        ReviewStatus::Archived,
    ];
}

impl FromStr for ReviewStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReviewStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown review status `{s}`"))
    }
}

impl fmt::Display for ReviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ReviewAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ReviewAction::Submit => "submit",
            ReviewAction::SubmitTrusted => "submit (trusted)",
            ReviewAction::Confirm => "confirm",
            ReviewAction::Approve => "approve",
            ReviewAction::Reject => "reject",
            ReviewAction::RequestChanges => "request changes to",
            ReviewAction::Import => "import",
            ReviewAction::Archive => "archive",
            ReviewAction::Restore => "restore",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewAction as A;
    use super::ReviewStatus as S;
    use super::*;

    #[test]
    fn a_partner_submission_reaches_the_map_only_through_confirmation_and_review() {
        let status = S::Draft.apply(A::Submit).expect("submit");
        assert_eq!(status, S::AwaitingConfirmation);
        assert!(!status.is_public());
        let status = status.apply(A::Confirm).expect("confirm");
        assert_eq!(status, S::PendingReview);
        assert!(!status.is_public());
        let status = status.apply(A::Approve).expect("approve");
        assert_eq!(status, S::Published);
        assert!(status.is_public());
    }

    #[test]
    fn trusted_partners_skip_confirmation_but_not_review() {
        assert_eq!(S::Draft.apply(A::SubmitTrusted), Ok(S::PendingReview));
    }

    #[test]
    fn archived_listings_can_be_restored() {
        let archived = S::Published.apply(A::Archive).expect("archive");
        assert_eq!(archived, S::Archived);
        assert_eq!(archived.apply(A::Restore), Ok(S::Published));
    }

    #[test]
    fn requested_changes_return_the_listing_to_draft() {
        assert_eq!(S::PendingReview.apply(A::RequestChanges), Ok(S::Draft));
        assert_eq!(S::PendingReview.apply(A::Reject), Ok(S::Rejected));
    }

    #[test]
    fn illegal_transitions_are_refused_with_a_reason() {
        let err = S::Rejected
            .apply(A::Approve)
            .expect_err("approving a rejected listing");
        assert_eq!(
            err,
            IllegalTransition {
                from: S::Rejected,
                action: A::Approve
            }
        );
        assert_eq!(err.to_string(), "cannot approve a listing that is rejected");
        assert!(S::Published.apply(A::Approve).is_err(), "deciding twice");
        assert!(
            S::AwaitingConfirmation.apply(A::Approve).is_err(),
            "review before confirmation"
        );
        assert!(S::Draft.apply(A::Confirm).is_err());
    }

    #[test]
    fn exactly_the_documented_transitions_exist() {
        let actions = [
            A::Submit,
            A::SubmitTrusted,
            A::Confirm,
            A::Approve,
            A::Reject,
            A::RequestChanges,
            A::Import,
            A::Archive,
            A::Restore,
        ];
        let allowed = S::ALL
            .iter()
            .flat_map(|s| actions.iter().map(move |a| (*s, *a)))
            .filter(|(s, a)| s.apply(*a).is_ok())
            .count();
        assert_eq!(allowed, 9);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in S::ALL {
            assert_eq!(status.as_str().parse::<S>(), Ok(status));
        }
        assert!("live".parse::<S>().is_err());
    }
}
