//! `total` is the number of all matching actors on every page of a walk, whichever way it is
//! counted (with the page on a first page with a text or place filter, by a count of its own
//! otherwise), and statements kept prepared on a connection give each request its own answer.

use atlas_e2e::TestApp;
use serde_json::Value;

/// Every page of the walk from `uri`, as returned.
async fn pages(app: &TestApp, uri: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = uri.to_owned();
    loop {
        let page = app.get(&next).await.json();
        let cursor = page["next_cursor"].as_str().map(str::to_owned);
        pages.push(page);
        match cursor {
            Some(cursor) => next = format!("{uri}&cursor={cursor}"),
            None => return pages,
        }
    }
}

#[tokio::test]
async fn every_page_of_a_walk_reports_the_same_total_as_there_are_matches() {
    let app = TestApp::seeded().await.expect("app");
    for uri in [
        "/v1/actors?limit=40",
        "/v1/actors?limit=40&sort=updated",
        "/v1/actors?bbox=16.18,48.10,16.58,48.33&limit=20",
        "/v1/actors?near=48.2082,16.3738&radius_km=15&sort=distance&limit=20",
        "/v1/actors?q=verein&limit=15",
        "/v1/actors?q=verein&sort=name&limit=15",
        "/v1/actors?q=repair&bbox=-25,34,45,72&limit=10",
        "/v1/actors?country=AT&limit=30",
    ] {
        let pages = pages(&app, uri).await;
        let items: usize = pages
            .iter()
            .map(|p| p["items"].as_array().map_or(0, Vec::len))
            .sum();
        assert!(pages.len() > 1, "{uri}: the walk must span several pages");
        for (n, page) in pages.iter().enumerate() {
            assert_eq!(
                page["total"].as_u64(),
                Some(items as u64),
                "{uri}: total on page {}",
                n + 1
            );
        }
    }
}

#[tokio::test]
async fn a_page_past_the_last_match_is_empty_and_still_counts_all_matches() {
    let app = TestApp::seeded().await.expect("app");
    let first = app.get("/v1/actors?q=verein&limit=5").await.json();
    let total = first["total"].as_u64().expect("total");
    assert!(total > 5, "verein must match more than one page");
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(&format!("/v1/actors?q=verein&limit=5&cursor={cursor}"))
        .await
        .json();
    assert_eq!(second["total"].as_u64(), Some(total));
    assert!(app
        .get("/v1/actors?q=zzzzqqqq&bbox=16.18,48.10,16.58,48.33")
        .await
        .json()["total"]
        .as_u64()
        .is_some_and(|t| t == 0));
}

/// The same statement shapes with other values, many times over the pool's connections: a
/// statement kept prepared must never answer with another request's values.
#[tokio::test]
async fn reused_statements_answer_each_request_with_its_own_values() {
    let app = TestApp::seeded().await.expect("app");
    let boxes = [
        "16.18,48.10,16.58,48.33",
        "2.22,48.81,2.47,48.91",
        "13.08,52.33,13.76,52.68",
        "-3.83,40.31,-3.52,40.56",
    ];
    let mut expected = Vec::new();
    for bbox in boxes {
        let page = app
            .get(&format!("/v1/actors?bbox={bbox}&limit=5"))
            .await
            .json();
        expected.push((bbox, page["total"].clone(), page["items"][0]["id"].clone()));
    }
    for round in 0..5 {
        for (bbox, total, first_id) in &expected {
            let page = app
                .get(&format!("/v1/actors?bbox={bbox}&limit=5"))
                .await
                .json();
            assert_eq!(&page["total"], total, "round {round}, {bbox}");
            assert_eq!(&page["items"][0]["id"], first_id, "round {round}, {bbox}");
        }
    }
}

/// A broad query matches more actors than get the full relevance score (the best few hundred
/// by a cheap score; the rest follow in that cheap order): walking it by relevance still
/// returns every match exactly once, and in the same order whatever the page size, across
/// that boundary.
#[tokio::test]
async fn a_relevance_walk_past_the_fully_ranked_matches_is_one_consistent_order() {
    let app = TestApp::seeded().await.expect("app");
    let ids = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|item| item["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let total = app.get("/v1/actors?q=social&limit=1").await.json()["total"]
        .as_u64()
        .expect("total");
    assert!(
        total > 600,
        "social must match well over the fully ranked few hundred, matched {total}"
    );
    let by_hundred = ids(app.walk("/v1/actors?q=social&limit=100").await);
    let by_seventy = ids(app.walk("/v1/actors?q=social&limit=70").await);
    assert_eq!(by_hundred.len() as u64, total);
    let unique: std::collections::HashSet<&String> = by_hundred.iter().collect();
    assert_eq!(unique.len(), by_hundred.len(), "an actor came twice");
    assert_eq!(by_hundred, by_seventy, "the order depends on the page size");
}
