//! Bad input is a 400 problem+json naming the parameter (or a 404 problem), never a 500.

use atlas_e2e::TestApp;

async fn assert_problem(app: &TestApp, uri: &str, status: u16, code: &str, field: Option<&str>) {
    let response = app.get(uri).await;
    assert_eq!(
        response.status.as_u16(),
        status,
        "{uri}: {}",
        response.text()
    );
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{uri}"
    );
    let problem = response.json();
    assert_eq!(problem["status"], status, "{uri}");
    assert_eq!(problem["code"], code, "{uri}: {problem}");
    assert!(
        problem["type"].as_str().is_some_and(|t| t.ends_with(code)),
        "{uri}"
    );
    assert!(
        problem["title"].is_string() && problem["detail"].is_string(),
        "{uri}"
    );
    if let Some(field) = field {
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(
            fields.contains(&field),
            "{uri}: expected field {field} in {problem}"
        );
    }
}

#[tokio::test]
async fn bad_list_parameters_are_named_in_a_400_problem() {
    let app = TestApp::seeded().await.expect("app");
    let cases: &[(&str, &str, &str)] = &[
        ("/v1/actors?bbox=1,2,3", "invalid_bbox", "bbox"),
        ("/v1/actors?bbox=a,b,c,d", "invalid_bbox", "bbox"),
        (
            "/v1/actors?bbox=16.5,48.3,16.2,48.1",
            "invalid_bbox",
            "bbox",
        ), // inverted latitudes
        ("/v1/actors?bbox=0,91,1,92", "invalid_bbox", "bbox"),
        ("/v1/actors?bbox=48.1,16.2,48.3,200", "invalid_bbox", "bbox"),
        ("/v1/actors?near=91,0", "invalid_near", "near"),
        ("/v1/actors?near=48.2", "invalid_near", "near"),
        (
            "/v1/actors?near=48.2,16.3&radius_km=-1",
            "invalid_radius",
            "radius_km",
        ),
        (
            "/v1/actors?near=48.2,16.3&radius_km=abc",
            "invalid_radius",
            "radius_km",
        ),
        ("/v1/actors?radius_km=5", "invalid_parameter", "radius_km"),
        ("/v1/actors?limit=0", "invalid_limit", "limit"),
        ("/v1/actors?limit=100000", "invalid_limit", "limit"),
        ("/v1/actors?limit=-5", "invalid_limit", "limit"),
        ("/v1/actors?sort=random", "invalid_sort", "sort"),
        ("/v1/actors?sort=distance", "invalid_sort", "sort"),
        ("/v1/actors?categroy=food", "unknown_parameter", "categroy"),
        ("/v1/actors?cursor=garbage", "invalid_cursor", "cursor"),
        ("/v1/actors?cursor=eyJzIjoibiJ9", "invalid_cursor", "cursor"),
        (
            "/v1/actors?category=no-such-category",
            "unknown_category",
            "category",
        ),
        (
            "/v1/actors?category=Not%20An%20Id",
            "invalid_category",
            "category",
        ),
        ("/v1/actors?kind=club", "invalid_kind", "kind"),
        ("/v1/actors?country=Atlantis", "invalid_country", "country"),
        (
            "/v1/actors?language=klingon",
            "invalid_language",
            "language",
        ),
        (
            "/v1/actors?updated_since=yesterday",
            "invalid_datetime",
            "updated_since",
        ),
        ("/v1/actors?format=xml", "invalid_format", "format"),
        ("/v1/actors?lang=xx", "invalid_language", "lang"),
        ("/v1/actors?limit=1&limit=2", "invalid_parameter", "query"),
        ("/v1/actors/some-slug?foo=bar", "unknown_parameter", "foo"),
        ("/v1/categories?lang=klingon", "invalid_language", "lang"),
    ];
    for (uri, code, field) in cases {
        assert_problem(&app, uri, 400, code, Some(field)).await;
    }
}

#[tokio::test]
async fn several_bad_parameters_are_reported_together() {
    let app = TestApp::seeded().await.expect("app");
    let response = app.get("/v1/actors?bbox=1,2,3&limit=0&kind=club").await;
    assert_eq!(response.status, 400);
    let problem = response.json();
    assert_eq!(problem["code"], "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["bbox", "kind", "limit"]);
}

#[tokio::test]
async fn a_cursor_from_another_sort_order_is_refused() {
    let app = TestApp::seeded().await.expect("app");
    let cursor = app.get("/v1/actors?limit=1&sort=name").await.json()["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    assert_problem(
        &app,
        &format!("/v1/actors?limit=1&sort=updated&cursor={cursor}"),
        400,
        "invalid_cursor",
        Some("cursor"),
    )
    .await;
}

#[tokio::test]
async fn unknown_actors_and_paths_are_404_problems() {
    let app = TestApp::seeded().await.expect("app");
    assert_problem(
        &app,
        "/v1/actors/00000000-0000-0000-0000-000000000000",
        404,
        "not_found",
        None,
    )
    .await;
    assert_problem(&app, "/v1/actors/no-such-slug", 404, "not_found", None).await;
    assert_problem(&app, "/v1/nothing-here", 404, "not_found", None).await;
}
