//! The Atlas's domain: what an actor (an organisation on the map) is, what makes one valid,
//! how a listing moves through review, and how a reader asks for actors.
//!
//! This crate must not know about SQL, HTTP or an async runtime: storage and transport
//! convert to and from these types at their own borders.

pub mod actor;
pub mod category;
pub mod change;
pub mod country;
pub mod diff;
pub mod import;
pub mod map;
pub mod moderation;
pub mod partner;
pub mod query;
pub mod review;
pub mod search;
pub mod submission;
pub mod text;
pub mod validation;
pub mod webhook;
pub mod website;

pub use actor::{
    Actor, ActorDraft, ActorId, ActorKind, ActorProfile, ActorRef, Address, ContactDetails, Fix,
    Link, Location, LocationPrecision, Slug, Source, SourceKind, Strictness, ValidActor,
};
pub use category::{Category, CategoryId, Taxonomy};
pub use change::{ChangeEvent, ChangeKind};
pub use country::CountryCode;
pub use moderation::{NewUser, Role, User, UserId};
pub use partner::{ApiKeyDraft, ApiKeyScopes, NewApiKey, Partner};
pub use query::{
    ActorPage, ActorQuery, BoundingBox, ListedActor, Near, PageCursor, SearchMatches, SearchText,
    SortOrder,
};
pub use review::{ReviewAction, ReviewStatus};
pub use search::{FacetCounts, LatLon, SearchError, SearchIndex, Suggestion, SuggestionKind};
pub use submission::{
    location_flags, Complaint, Consent, QualityFlag, ReportReason, SubmissionDraft, ValidSubmission,
};
pub use text::{Lang, LangText};
pub use validation::{FieldError, ValidationErrors};
pub use webhook::{
    is_public_address, DeliveryStatus, NewWebhook, Webhook, WebhookDelivery, WebhookId,
};
pub use website::Website;
