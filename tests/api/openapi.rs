//! The OpenAPI document the server serves is the one committed in `openapi/openapi.json`.

use atlas_e2e::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = TestApp::empty().await.expect("app");
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status, 200);
    let served = response.json();
    let committed: serde_json::Value =
        serde_json::from_str(COMMITTED).expect("committed openapi.json is JSON");
    assert!(
        served == committed,
        "openapi/openapi.json differs from what the server serves. Regenerate it with `make openapi` \
         (cargo run -p atlas-api --bin atlas -- openapi > openapi/openapi.json) and commit it."
    );
}

#[tokio::test]
async fn the_document_describes_the_read_api_and_its_problems() {
    let app = TestApp::empty().await.expect("app");
    let doc = app.get("/openapi.json").await.json();
    for path in [
        "/v1/actors",
        "/v1/actors/{id_or_slug}",
        "/v1/categories",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
    let params: Vec<&str> = doc["paths"]["/v1/actors"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in [
        "bbox",
        "near",
        "radius_km",
        "category",
        "kind",
        "country",
        "language",
        "tag",
        "updated_since",
        "sort",
        "limit",
        "cursor",
    ] {
        assert!(params.contains(&name), "{name} is documented");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn the_docs_ui_is_served_from_the_binary() {
    let app = TestApp::empty().await.expect("app");
    let page = app.get("/docs/").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("swagger"), "the docs page is Swagger UI");
    assert!(
        !html.contains("cdn") && !html.contains("unpkg"),
        "nothing is loaded from a CDN"
    );
}
