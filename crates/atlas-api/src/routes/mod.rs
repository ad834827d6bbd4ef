//! HTTP handlers, one resource per module. Handlers parse, call the store or a search
//! backend, and map the result to a view; rules live in the domain.

pub mod actors;
pub mod categories;
pub mod demo;
pub mod health;
pub mod map;
pub mod ogc;
