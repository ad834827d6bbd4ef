//! End-to-end tests: the whole app (routes, middleware, errors) on a real PostGIS database,
//! a fresh one per test. One test binary, so the seeded template is built once per run.

mod bad_input;
mod broad_search;
mod changes;
mod demo_map;
mod export_rows;
mod exports;
mod geo_queries;
mod http_conventions;
mod imports;
mod map;
mod map_cells;
mod moderation;
mod ogc;
mod openapi;
mod owners;
mod paging_totals;
mod partners;
mod privacy;
mod reminders;
mod response_cache;
mod review;
mod search;
mod search_expansions;
mod search_storage;
mod search_timeout;
mod seed;
mod submissions;
mod webhooks;
mod write_limits;
