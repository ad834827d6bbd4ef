//! The Atlas's domain: what an actor (an organisation on the map) is, what makes one valid,
//! how a listing moves through review, and how a reader asks for actors.
//!
//! This crate must not know about SQL, HTTP or an async runtime: storage and transport
//! convert to and from these types at their own borders.

pub mod actor;
pub mod category;
pub mod country;
pub mod map;
pub mod query;
pub mod review;
pub mod text;
pub mod validation;
pub mod website;

pub use actor::{
    Actor, ActorDraft, ActorId, ActorKind, ActorProfile, ActorRef, Address, ContactDetails, Fix,
    Link, Location, LocationPrecision, Slug, Source, SourceKind, Strictness, ValidActor,
};
pub use category::{Category, CategoryId, Taxonomy};
pub use country::CountryCode;
pub use query::{ActorPage, ActorQuery, BoundingBox, ListedActor, Near, PageCursor, SortOrder};
pub use review::{ReviewAction, ReviewStatus};
pub use text::{Lang, LangText};
pub use validation::{FieldError, ValidationErrors};
pub use website::Website;
