//! Public reads answered from memory: the same question twice costs PostgreSQL once, and any
//! write to actors (through the API or straight in SQL, from any process) makes the next
//! answer fresh again.

use actix_web::test::TestRequest;
use atlas_e2e::TestApp;
use serde_json::json;

const VIENNA_SEARCH: &str = "/v1/actors?bbox=16.18,48.10,16.58,48.33&q=verein&limit=5";

fn cache_status(response: &atlas_e2e::Response) -> Option<String> {
    response.header("x-atlas-cache")
}

#[tokio::test]
async fn the_same_read_twice_is_answered_from_memory_with_the_same_body_and_headers() {
    let app = TestApp::seeded().await.expect("app");
    for uri in [
        VIENNA_SEARCH,
        "/v1/facets?bbox=16.18,48.10,16.58,48.33",
        "/v1/search/suggest?q=wien",
        "/v1/clusters?bbox=-25,34,45,72&zoom=4",
        "/v1/categories",
        "/ogc/collections/actors/items?limit=3",
    ] {
        let first = app.get(uri).await;
        assert_eq!(first.status, 200, "{uri}: {}", first.text());
        assert_eq!(cache_status(&first).as_deref(), Some("miss"), "{uri}");
        let second = app.get(uri).await;
        assert_eq!(cache_status(&second).as_deref(), Some("hit"), "{uri}");
        assert_eq!(second.body, first.body, "{uri}");
        for header in [
            "content-type",
            "etag",
            "cache-control",
            "vary",
            "content-language",
            "link",
            "x-search-backend",
        ] {
            assert_eq!(
                second.header(header),
                first.header(header),
                "{uri}: {header}"
            );
        }
    }
}

#[tokio::test]
async fn a_kept_answer_still_honours_if_none_match() {
    let app = TestApp::seeded().await.expect("app");
    let first = app.get(VIENNA_SEARCH).await;
    let etag = first.header("etag").expect("etag");
    let again = app
        .send(
            TestRequest::get()
                .uri(VIENNA_SEARCH)
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(cache_status(&again).as_deref(), Some("hit"));
    assert_eq!(again.header("etag"), Some(etag));
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn answers_differ_per_language_and_format() {
    let app = TestApp::seeded().await.expect("app");
    let english = app
        .send(
            TestRequest::get()
                .uri("/v1/categories")
                .insert_header(("Accept-Language", "en")),
        )
        .await;
    let german = app
        .send(
            TestRequest::get()
                .uri("/v1/categories")
                .insert_header(("Accept-Language", "de")),
        )
        .await;
    assert_eq!(cache_status(&german).as_deref(), Some("miss"));
    assert_ne!(english.body, german.body);
    assert_eq!(german.header("content-language").as_deref(), Some("de"));

    let json_page = app.get(VIENNA_SEARCH).await;
    let geojson_page = app
        .send(
            TestRequest::get()
                .uri(VIENNA_SEARCH)
                .insert_header(("Accept", "application/geo+json")),
        )
        .await;
    assert_eq!(cache_status(&geojson_page).as_deref(), Some("miss"));
    assert_eq!(geojson_page.json()["type"], "FeatureCollection");
    assert!(json_page.json()["items"].is_array());
}

#[tokio::test]
async fn a_write_through_the_api_shows_on_the_next_read() {
    let app = TestApp::seeded().await.expect("app");
    let page = app.get(VIENNA_SEARCH).await;
    let id = page.json()["items"][0]["id"]
        .as_str()
        .expect("an actor")
        .to_owned();
    let detail_uri = format!("/v1/actors/{id}");
    assert_eq!(app.get(&detail_uri).await.status, 200);
    assert_eq!(
        cache_status(&app.get(&detail_uri).await).as_deref(),
        Some("hit")
    );
    assert_eq!(
        cache_status(&app.get(VIENNA_SEARCH).await).as_deref(),
        Some("hit")
    );

    let token = app.login_as("moderator").await;
    let archived = app
        .send_as(
            &token,
            TestRequest::post()
                .uri(&format!("/v1/actors/{id}/archive"))
                .set_json(json!({"note": "closed"})),
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.text());

    assert_eq!(app.get(&detail_uri).await.status, 404);
    let after = app.get(VIENNA_SEARCH).await;
    assert_eq!(cache_status(&after).as_deref(), Some("miss"));
    let listed: Vec<String> = after.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect();
    assert!(
        !listed.contains(&id),
        "archived actor still listed: {listed:?}"
    );
}

#[tokio::test]
async fn a_write_from_elsewhere_straight_in_sql_also_shows() {
    let app = TestApp::seeded().await.expect("app");
    let uri = "/v1/search/suggest?q=wien";
    let before = app.get(uri).await;
    assert_eq!(cache_status(&app.get(uri).await).as_deref(), Some("hit"));
    app.sql("UPDATE actors SET name = 'Wienerwald Zauberei Kooperative' WHERE slug = (SELECT slug FROM actors WHERE status = 'published' ORDER BY slug LIMIT 1)")
        .await
        .expect("update");
    let after = app.get(uri).await;
    assert_eq!(cache_status(&after).as_deref(), Some("miss"));
    assert_ne!(after.body, before.body);
    assert!(
        after.text().contains("Wienerwald Zauberei"),
        "{}",
        after.text()
    );
}

#[tokio::test]
async fn credentials_errors_and_streams_are_never_kept() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    for _ in 0..2 {
        let with_token = app
            .send_as(&token, TestRequest::get().uri(VIENNA_SEARCH))
            .await;
        assert_eq!(with_token.status, 200);
        assert_eq!(cache_status(&with_token), None);
    }
    for _ in 0..2 {
        let refused = app.get("/v1/actors?limit=0").await;
        assert_eq!(refused.status, 400);
        assert_eq!(cache_status(&refused), None);
    }
    for uri in [
        "/v1/exports/actors.csv",
        "/v1/changes?since=0",
        "/v1/tiles/0/0/0.mvt",
    ] {
        let response = app.get(uri).await;
        assert_eq!(response.status, 200, "{uri}");
        assert_eq!(cache_status(&response), None, "{uri}");
    }
}

#[tokio::test]
async fn the_cache_can_be_turned_off() {
    let app = TestApp::seeded_with(|config| config.response_cache_mb = 0)
        .await
        .expect("app");
    app.get(VIENNA_SEARCH).await;
    let again = app.get(VIENNA_SEARCH).await;
    assert_eq!(again.status, 200);
    assert_eq!(cache_status(&again), None);
}

fn decoded(response: &atlas_e2e::Response) -> Vec<u8> {
    use std::io::Read;
    let mut plain = Vec::new();
    match response.header("content-encoding").as_deref() {
        Some("br") => {
            brotli::Decompressor::new(&response.body[..], 4096)
                .read_to_end(&mut plain)
                .expect("brotli");
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(&response.body[..])
                .read_to_end(&mut plain)
                .expect("gzip");
        }
        None => plain.clone_from(&response.body),
        Some(other) => panic!("unexpected encoding {other}"),
    }
    plain
}

#[tokio::test]
async fn kept_answers_are_sent_compressed_as_the_client_prefers() {
    let app = TestApp::seeded().await.expect("app");
    let plain = app.get(VIENNA_SEARCH).await;
    for (accept, encoding) in [
        ("gzip, deflate, br", Some("br")),
        ("gzip", Some("gzip")),
        ("br;q=0.5, gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = app
            .send(
                TestRequest::get()
                    .uri(VIENNA_SEARCH)
                    .insert_header(("Accept-Encoding", accept)),
            )
            .await;
        assert_eq!(response.status, 200, "{accept}");
        assert_eq!(cache_status(&response).as_deref(), Some("hit"), "{accept}");
        assert_eq!(
            response.header("content-encoding").as_deref(),
            encoding,
            "{accept}"
        );
        assert_eq!(decoded(&response), plain.body, "{accept}");
        if encoding.is_some() {
            assert!(
                response.body.len() < plain.body.len(),
                "{accept}: not smaller"
            );
        }
    }
}

#[tokio::test]
async fn kept_tiles_are_sent_compressed_too() {
    let app = TestApp::seeded().await.expect("app");
    let plain = app.get("/v1/tiles/0/0/0.mvt").await;
    assert_eq!(plain.status, 200);
    for (accept, encoding) in [
        ("gzip", Some("gzip")),
        ("br, gzip", Some("br")),
        ("identity", None),
    ] {
        let tile = app
            .send(
                TestRequest::get()
                    .uri("/v1/tiles/0/0/0.mvt")
                    .insert_header(("Accept-Encoding", accept)),
            )
            .await;
        assert_eq!(tile.status, 200, "{accept}");
        assert_eq!(
            tile.header("content-encoding").as_deref(),
            encoding,
            "{accept}"
        );
        assert_eq!(decoded(&tile), plain.body, "{accept}");
    }
}
