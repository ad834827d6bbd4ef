//! The search safety net: a search statement that runs longer than
//! `SEARCH_STATEMENT_TIMEOUT_MS` is cancelled by PostgreSQL and answered 503 `search_timeout`
//! with Retry-After, never a 500, and the connection it ran on serves the next search.
//!
//! A search is made slow for certain by holding a lock on the actors table from another
//! session: the search waits for it, and the wait counts towards the statement timeout.

use actix_web::http::StatusCode;
use atlas_e2e::{Response, TestApp};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

const TIMEOUT_MS: u64 = 300;

/// Another session that holds every reader of `actors` waiting until it is dropped (rolled
/// back with its connection).
async fn lock_actors(app: &TestApp) -> AsyncPgConnection {
    let mut conn = AsyncPgConnection::establish(&app.db.url)
        .await
        .expect("connecting to the test database");
    conn.batch_execute("BEGIN; LOCK TABLE actors IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("locking actors");
    conn
}

fn assert_search_timeout(response: &Response, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {}",
        response.text()
    );
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{what}"
    );
    assert_eq!(
        response.header("retry-after").as_deref(),
        Some("2"),
        "{what}"
    );
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    let problem = response.json();
    assert_eq!(problem["code"], "search_timeout", "{what}: {problem}");
    assert_eq!(problem["status"], 503);
    assert_eq!(problem["type"], "/problems/search_timeout");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("300 ms"), "{what}: {detail}");
}

#[tokio::test]
async fn a_search_running_past_the_timeout_is_answered_503_search_timeout_with_retry_after() {
    let app = TestApp::seeded_with(|config| config.search_statement_timeout_ms = TIMEOUT_MS)
        .await
        .expect("app");
    let searches = [
        "/v1/actors?q=cooperative",
        "/v1/actors?q=verein&bbox=16.2,48.1,16.6,48.3&limit=5",
        "/v1/actors?q=repair+cafe&format=geojson",
        "/v1/facets?q=cooperative",
        "/v1/search/suggest?q=coop",
    ];

    let lock = lock_actors(&app).await;
    for uri in searches {
        let started = std::time::Instant::now();
        let response = app.get(uri).await;
        assert_search_timeout(&response, uri);
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(TIMEOUT_MS),
            "{uri} answered before the timeout"
        );
    }
    drop(lock);

    // The cancelled statements left no transaction or setting behind: the same connections
    // answer the same searches, within the timeout, once the database is free.
    for uri in searches {
        let response = app.get(uri).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{uri}: {}",
            response.text()
        );
    }
    let page = app.get("/v1/actors?q=cooperative").await.json();
    assert!(page["total"].as_u64().unwrap_or_default() > 0, "{page}");
}

#[tokio::test]
async fn listing_without_text_is_not_a_search_and_has_no_search_timeout() {
    // A page without `q` walks an index and stops after a page: it runs outside the search
    // transaction, so a tiny search timeout does not touch it.
    let app = TestApp::seeded_with(|config| config.search_statement_timeout_ms = 1)
        .await
        .expect("app");
    let response = app.get("/v1/actors?limit=100&country=DE").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let response = app.get("/v1/facets").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
}

#[tokio::test]
async fn the_search_timeout_is_documented_in_the_openapi_of_every_search_endpoint() {
    let app = TestApp::empty().await.expect("app");
    let spec = app.get("/openapi.json").await.json();
    for path in ["/v1/actors", "/v1/facets", "/v1/search/suggest"] {
        let response = &spec["paths"][path]["get"]["responses"]["503"];
        let description = response["description"].as_str().unwrap_or_default();
        assert!(description.contains("search_timeout"), "{path}: {response}");
        assert!(
            response["headers"]["Retry-After"].is_object(),
            "{path}: {response}"
        );
    }
}
