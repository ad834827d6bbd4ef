//! The conventions of every public GET: caching, CORS, compression, languages, health.

use actix_web::test::TestRequest;
use atlas_e2e::TestApp;

#[tokio::test]
async fn an_unchanged_response_is_a_304_for_its_etag() {
    let app = TestApp::seeded().await.expect("app");
    let first = app.get("/v1/actors?limit=3").await;
    let etag = first.header("etag").expect("ETag");
    assert!(first
        .header("cache-control")
        .expect("Cache-Control")
        .contains("max-age"));
    let again = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=3")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=4")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(other.status, 200, "a different page has another ETag");
}

#[tokio::test]
async fn any_origin_may_read_and_responses_compress() {
    let app = TestApp::seeded().await.expect("app");
    let response = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=50")
                .insert_header(("Origin", "https://map.example.org"))
                .insert_header(("Accept-Encoding", "gzip")),
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("access-control-allow-origin").as_deref(),
        Some("https://map.example.org")
    );
    assert_eq!(response.header("content-encoding").as_deref(), Some("gzip"));
    let brotli = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=50")
                .insert_header(("Accept-Encoding", "br")),
        )
        .await;
    assert_eq!(brotli.header("content-encoding").as_deref(), Some("br"));
}

#[tokio::test]
async fn text_resolves_to_the_wanted_language_then_english_then_any() {
    let app = TestApp::seeded().await.expect("app");
    // An actor described in German only.
    let everyone = app.walk("/v1/actors?limit=1000&lang=*").await;
    let german_only = everyone
        .iter()
        .find(|a| {
            a["description"]
                .as_object()
                .is_some_and(|d| d.len() == 1 && d.contains_key("de"))
        })
        .expect("an actor described in German only");
    let slug = german_only["slug"].as_str().expect("slug");
    let in_french = app.get(&format!("/v1/actors/{slug}?lang=fr")).await;
    assert_eq!(in_french.header("content-language").as_deref(), Some("fr"));
    assert!(
        in_french.json()["description"]["de"].is_string(),
        "no French, no English: German is used and named"
    );

    let both = everyone
        .iter()
        .find(|a| {
            a["description"]
                .as_object()
                .is_some_and(|d| d.contains_key("en") && d.contains_key("de"))
        })
        .expect("an actor described in English and German");
    let slug = both["slug"].as_str().expect("slug");
    let accept = app
        .send(
            TestRequest::get()
                .uri(&format!("/v1/actors/{slug}"))
                .insert_header(("Accept-Language", "de-AT,de;q=0.9,en;q=0.5")),
        )
        .await
        .json();
    assert_eq!(
        accept["description"]
            .as_object()
            .map(|d| d.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["de".to_owned()])
    );
    let italian = app.get(&format!("/v1/actors/{slug}?lang=it")).await.json();
    assert_eq!(
        italian["description"]
            .as_object()
            .map(|d| d.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["en".to_owned()])
    );
}

#[tokio::test]
async fn categories_have_labels_in_the_wanted_language() {
    let app = TestApp::seeded().await.expect("app");
    let german = app.get("/v1/categories?lang=de").await;
    assert_eq!(german.header("content-language").as_deref(), Some("de"));
    let items = german.json()["items"].as_array().cloned().expect("items");
    assert!(items.len() >= 40);
    assert!(
        items.iter().all(|c| c["label_lang"] == "de"),
        "every category has a German label"
    );
    let food = items.iter().find(|c| c["id"] == "food").expect("food");
    assert_eq!(food["labels"]["de"], food["label"]);
    assert_ne!(food["label"], food["labels"]["en"]);
    let klingon_fallback = app.get("/v1/categories?lang=ja").await.json();
    assert!(klingon_fallback["items"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| c["label_lang"] == "en"));
}

#[tokio::test]
async fn health_and_readiness_report_the_database_and_search_backend() {
    let app = TestApp::empty().await.expect("app");
    assert_eq!(app.get("/healthz").await.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    let body = ready.json();
    assert_eq!(body["database"], "ok");
    assert!(body["postgis"].as_str().is_some_and(|v| v.starts_with('3')));
    assert_eq!(body["search"]["backend"], "postgres");
}
