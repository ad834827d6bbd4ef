//! bbox, near, filters and paging checked against a brute-force answer over the seed data.

use std::collections::{BTreeMap, BTreeSet};

use atlas_domain::{ActorId, BoundingBox};
use atlas_e2e::{seed_features, TestApp};
use serde_json::Value;

fn id_of(item: &Value) -> String {
    item["id"].as_str().expect("id").to_owned()
}

fn lon_lat(item: &Value) -> (f64, f64) {
    let location = &item["location"];
    (
        location["lon"].as_f64().expect("lon"),
        location["lat"].as_f64().expect("lat"),
    )
}

/// Great-circle distance in km (spherical; PostGIS uses the spheroid, so compare with slack).
fn haversine_km((lon1, lat1): (f64, f64), (lon2, lat2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371.008_8 * a.sqrt().asin()
}

async fn all_actors(app: &TestApp) -> Vec<Value> {
    app.walk("/v1/actors?limit=1000&lang=*").await
}

#[tokio::test]
async fn a_cursor_walk_returns_every_actor_exactly_once_in_a_stable_order() {
    let app = TestApp::seeded().await.expect("app");
    let total = app.get("/v1/actors?limit=1").await.json()["total"]
        .as_u64()
        .expect("total");
    assert!(
        total >= 1_700,
        "expected the seed to publish at least 1,700 actors, got {total}"
    );

    for sort in ["name", "updated"] {
        let walked = app.walk(&format!("/v1/actors?limit=97&sort={sort}")).await;
        let ids: Vec<String> = walked.iter().map(id_of).collect();
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(ids.len() as u64, total, "sort={sort}: every actor once");
        assert_eq!(unique.len(), ids.len(), "sort={sort}: no actor twice");
        let again: Vec<String> = app
            .walk(&format!("/v1/actors?limit=500&sort={sort}"))
            .await
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(
            ids, again,
            "sort={sort}: the order does not depend on the page size"
        );
    }
}

#[tokio::test]
async fn bbox_results_match_a_brute_force_check() {
    let app = TestApp::seeded().await.expect("app");
    let everyone = all_actors(&app).await;
    let boxes = [
        "16.18,48.10,16.58,48.33", // Vienna
        "-10.5,49.8,1.8,59.0",     // Great Britain
        "5.0,45.0,15.0,55.0",      // central Europe
        "20,30,-20,60",            // across the antimeridian: all but 20°W..20°E
        "-40,-60,-30,-50",         // the South Atlantic: nobody
        "170,-50,-170,-30",        // across the antimeridian, nobody
    ];
    for raw in boxes {
        let bbox = BoundingBox::parse("bbox", raw).expect("test bbox");
        let expected: BTreeSet<String> = everyone
            .iter()
            .filter(|item| {
                let (lon, lat) = lon_lat(item);
                bbox.contains(lon, lat)
            })
            .map(id_of)
            .collect();
        let found: Vec<String> = app
            .walk(&format!("/v1/actors?bbox={raw}&limit=1000"))
            .await
            .iter()
            .map(id_of)
            .collect();
        let found_set: BTreeSet<String> = found.iter().cloned().collect();
        assert_eq!(found.len(), found_set.len(), "{raw}: duplicates");
        assert_eq!(found_set, expected, "{raw}");
        let total = app
            .get(&format!("/v1/actors?bbox={raw}&limit=1"))
            .await
            .json()["total"]
            .as_u64();
        assert_eq!(total, Some(expected.len() as u64), "{raw}: total");
    }
    let antimeridian = app.walk("/v1/actors?bbox=20,30,-20,60&limit=1000").await;
    assert!(
        !antimeridian.is_empty(),
        "the antimeridian box must hold eastern European actors"
    );
    assert!(app.walk("/v1/actors?bbox=-40,-60,-30,-50").await.is_empty());
}

#[tokio::test]
async fn near_results_match_a_brute_force_check_and_are_sorted_by_distance() {
    let app = TestApp::seeded().await.expect("app");
    let everyone = all_actors(&app).await;
    for (lat, lon, radius) in [
        (48.2082, 16.3738, 10.0),
        (51.5074, -0.1278, 50.0),
        (41.9, 12.5, 300.0),
    ] {
        let centre = (lon, lat);
        let found = app
            .walk(&format!(
                "/v1/actors?near={lat},{lon}&radius_km={radius}&limit=100"
            ))
            .await;
        let found_ids: BTreeSet<String> = found.iter().map(id_of).collect();
        assert!(!found.is_empty(), "{lat},{lon}: nobody found");
        for item in &everyone {
            let d = haversine_km(centre, lon_lat(item));
            // Spherical vs spheroidal distance differ by < 0.5 %.
            if d < radius * 0.995 {
                assert!(
                    found_ids.contains(&id_of(item)),
                    "{} at {d:.2} km is missing",
                    item["name"]
                );
            } else if d > radius * 1.005 {
                assert!(
                    !found_ids.contains(&id_of(item)),
                    "{} at {d:.2} km is too far",
                    item["name"]
                );
            }
        }
        let distances: Vec<f64> = found
            .iter()
            .map(|i| i["distance_km"].as_f64().expect("distance_km"))
            .collect();
        assert!(
            distances.windows(2).all(|w| w[0] <= w[1]),
            "distance sort is ascending"
        );
        for item in &found {
            let d = haversine_km(centre, lon_lat(item));
            let reported = item["distance_km"].as_f64().expect("distance_km");
            assert!(
                (reported - d).abs() <= d * 0.005 + 0.002,
                "reported {reported} vs {d}"
            );
        }
    }
}

#[tokio::test]
async fn country_filter_finds_every_spelling_the_seed_used() {
    let app = TestApp::seeded().await.expect("app");
    let austria: BTreeSet<String> = app
        .walk("/v1/actors?country=AT&limit=1000")
        .await
        .iter()
        .map(id_of)
        .collect();
    let mut seen_spellings = BTreeMap::new();
    for feature in seed_features() {
        let props = &feature["properties"];
        let spelling = props["addr:country"].as_str().unwrap_or_default();
        if ["Österreich", "Austria", "AT", "ÖSterreich"].contains(&spelling) {
            let id = ActorId::for_external("susy", props["_id"].as_str().expect("_id")).to_string();
            assert!(
                austria.contains(&id),
                "{} given as {spelling} is not found by country=AT",
                props["name"]
            );
            *seen_spellings.entry(spelling.to_owned()).or_insert(0) += 1;
        }
    }
    assert_eq!(
        seen_spellings.len(),
        4,
        "all four spellings occur in the seed: {seen_spellings:?}"
    );
    // A country name works as a filter value too.
    let by_name: BTreeSet<String> = app
        .walk("/v1/actors?country=%C3%96sterreich&limit=1000")
        .await
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(by_name, austria);
}

#[tokio::test]
async fn filters_combine_and_categories_include_their_children() {
    let app = TestApp::seeded().await.expect("app");
    let everyone = all_actors(&app).await;
    let taxonomy = app.get("/v1/categories").await.json();
    let categories = taxonomy["items"].as_array().expect("items");
    let parent = categories
        .iter()
        .find(|c| c["parent"].is_null() && categories.iter().any(|k| k["parent"] == c["id"]))
        .expect("a parent category");
    let family: BTreeSet<&str> = categories
        .iter()
        .filter(|c| c["id"] == parent["id"] || c["parent"] == parent["id"])
        .filter_map(|c| c["id"].as_str())
        .collect();
    let expected: BTreeSet<String> = everyone
        .iter()
        .filter(|a| {
            a["categories"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| family.contains(c.as_str().unwrap_or_default()))
        })
        .filter(|a| a["kind"] == "association")
        .map(id_of)
        .collect();
    assert!(!expected.is_empty());
    let found: BTreeSet<String> = app
        .walk(&format!(
            "/v1/actors?category={}&kind=association&limit=1000",
            parent["id"].as_str().unwrap_or_default()
        ))
        .await
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(found, expected);

    let tagged = app.walk("/v1/actors?tag=repair_cafe&limit=1000").await;
    assert!(!tagged.is_empty());
    assert!(tagged.iter().all(|a| a["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| t == "repair_cafe")));

    let future = app.get("/v1/actors?updated_since=2999-01-01").await.json();
    assert_eq!(future["total"], 0);
}

#[tokio::test]
async fn an_actor_is_found_by_id_and_by_slug_as_json_or_geojson() {
    let app = TestApp::seeded().await.expect("app");
    let first = &app.get("/v1/actors?limit=1").await.json()["items"][0];
    let (id, slug) = (
        first["id"].as_str().expect("id"),
        first["slug"].as_str().expect("slug"),
    );
    let by_id = app.get(&format!("/v1/actors/{id}")).await.json();
    let by_slug = app.get(&format!("/v1/actors/{slug}")).await.json();
    assert_eq!(by_id, by_slug);
    assert_eq!(by_id["name"], first["name"]);

    let feature = app.get(&format!("/v1/actors/{slug}?format=geojson")).await;
    assert_eq!(
        feature.header("content-type").as_deref(),
        Some("application/geo+json")
    );
    let feature = feature.json();
    assert_eq!(feature["type"], "Feature");
    assert_eq!(
        feature["geometry"]["coordinates"][0],
        first["location"]["lon"]
    );
    assert_eq!(
        feature["geometry"]["coordinates"][1],
        first["location"]["lat"]
    );
}

#[tokio::test]
async fn a_page_can_be_geojson_with_counts_and_a_next_link() {
    let app = TestApp::seeded().await.expect("app");
    let request = actix_web::test::TestRequest::get()
        .uri("/v1/actors?bbox=-10.5,49.8,1.8,59.0&limit=5")
        .insert_header(("Accept", "application/geo+json"));
    let response = app.send(request).await;
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/geo+json")
    );
    let link = response.header("link").expect("Link header");
    assert!(
        link.contains("rel=\"next\"") && link.contains("cursor="),
        "{link}"
    );
    let collection = response.json();
    assert_eq!(collection["type"], "FeatureCollection");
    assert_eq!(collection["numberReturned"], 5);
    assert!(collection["numberMatched"].as_u64().expect("numberMatched") > 5);
    assert_eq!(collection["links"][0]["rel"], "next");
    let feature = &collection["features"][0];
    assert_eq!(feature["geometry"]["type"], "Point");
    assert!(feature["properties"]["name"].is_string());
}

#[tokio::test]
async fn only_published_actors_are_visible() {
    let app = TestApp::seeded().await.expect("app");
    let first = app.get("/v1/actors?limit=1").await.json()["items"][0].clone();
    let id = first["id"].as_str().expect("id").to_owned();
    app.sql(&format!(
        "UPDATE actors SET status = 'pending_review' WHERE id = '{id}'"
    ))
    .await
    .expect("unpublish");
    assert_eq!(app.get(&format!("/v1/actors/{id}")).await.status, 404);
    let ids: BTreeSet<String> = all_actors(&app).await.iter().map(id_of).collect();
    assert!(!ids.contains(&id));
}
