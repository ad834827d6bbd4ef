//! HTTP handlers, one resource per module. Handlers parse, call the store or a search
//! backend, and map the result to a view; rules live in the domain.

pub mod actors;
pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod categories;
pub mod changes;
pub mod demo;
pub mod exports;
pub mod health;
pub mod imports;
pub mod map;
pub mod moderation;
pub mod ogc;
pub mod owners;
pub mod reminders;
pub mod review;
pub mod search;
pub mod submissions;
pub mod webhooks;
