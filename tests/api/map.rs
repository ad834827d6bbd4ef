//! Maps at any zoom: clusters (GeoJSON) and vector tiles (MVT), checked against the list
//! endpoint and decoded with an independent MVT reader.

use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::PI;

use actix_web::test::TestRequest;
use atlas_e2e::{Response, TestApp};
use mvt_reader::feature::Value as MvtValue;
use mvt_reader::Reader;
use serde_json::Value;

const EUROPE: &str = "-25,34,45,72";

async fn total(app: &TestApp, filters: &str) -> u64 {
    let response = app.get(&format!("/v1/actors?limit=1&{filters}")).await;
    assert_eq!(response.status, 200, "{filters}: {}", response.text());
    response.json()["total"].as_u64().expect("total")
}

async fn clusters(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/v1/clusters?{query}")).await;
    assert_eq!(response.status, 200, "{query}: {}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/geo+json")
    );
    response.json()
}

fn features(collection: &Value) -> &Vec<Value> {
    collection["features"].as_array().expect("features")
}

fn count_sum(collection: &Value) -> u64 {
    features(collection)
        .iter()
        .map(|f| f["properties"]["count"].as_u64().expect("count"))
        .sum()
}

/// The lon/lat box of a cluster cell `z/x/y` (8 cells per tile side, Web Mercator).
fn cell_bounds(id: &str) -> [f64; 4] {
    let parts: Vec<f64> = id.split('/').map(|p| p.parse().expect("number")).collect();
    let cells = 8.0 * 2f64.powf(parts[0]);
    let lon = |x: f64| x / cells * 360.0 - 180.0;
    let lat = |y: f64| (PI * (1.0 - 2.0 * y / cells)).sinh().atan().to_degrees();
    [
        lon(parts[1]),
        lat(parts[2] + 1.0),
        lon(parts[1] + 1.0),
        lat(parts[2]),
    ]
}

fn problem_fields(response: &Response) -> Vec<String> {
    assert_eq!(response.status, 400, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    response.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect()
}

#[tokio::test]
async fn cluster_counts_add_up_to_the_actors_in_the_view_at_every_zoom() {
    let app = TestApp::seeded().await.expect("app");
    let everyone = total(&app, "").await;
    let in_europe = total(&app, &format!("bbox={EUROPE}")).await;
    let in_vienna = total(&app, "bbox=16.18,48.10,16.58,48.33").await;
    assert!(in_vienna > 10, "the seed has actors in Vienna");
    for zoom in [0, 2, 4, 6, 8, 10, 12, 14, 16, 18] {
        let europe = clusters(&app, &format!("bbox={EUROPE}&zoom={zoom}")).await;
        assert_eq!(count_sum(&europe), in_europe, "Europe at zoom {zoom}");
        assert_eq!(europe["numberMatched"], in_europe);
        let vienna = clusters(&app, &format!("bbox=16.18,48.10,16.58,48.33&zoom={zoom}")).await;
        assert_eq!(count_sum(&vienna), in_vienna, "Vienna at zoom {zoom}");
    }
    let world = clusters(&app, "zoom=3").await;
    assert_eq!(count_sum(&world), everyone, "no bbox means the whole world");

    // Low zooms group; deep zooms show actors one by one.
    let low = clusters(&app, &format!("bbox={EUROPE}&zoom=3")).await;
    assert!(features(&low).len() < 100, "zoom 3 draws few symbols");
    let cluster = features(&low)
        .iter()
        .find(|f| f["properties"]["cluster"] == true)
        .expect("a cluster at zoom 3");
    assert!(cluster["properties"]["count"].as_u64().expect("count") > 1);
    assert_eq!(cluster["bbox"].as_array().expect("extent").len(), 4);
    let top = cluster["properties"]["top_categories"]
        .as_array()
        .expect("top categories");
    assert!(!top.is_empty() && top.len() <= 5);
    assert!(top
        .windows(2)
        .all(|w| w[0]["count"].as_u64() >= w[1]["count"].as_u64()));
    let deep = clusters(&app, "bbox=16.18,48.10,16.58,48.33&zoom=16").await;
    assert!(features(&deep)
        .iter()
        .all(|f| f["properties"]["cluster"] == false && f["properties"]["name"].is_string()));
}

#[tokio::test]
async fn clusters_keep_their_ids_and_members_while_the_map_pans() {
    let app = TestApp::seeded().await.expect("app");
    // Two views overlapping over central Europe.
    let west = clusters(&app, "bbox=-5,40,20,56&zoom=6").await;
    let east = clusters(&app, "bbox=5,42,30,58&zoom=6").await;
    let overlap = [5.0, 42.0, 20.0, 56.0];
    let inside = |b: [f64; 4]| {
        b[0] >= overlap[0] && b[1] >= overlap[1] && b[2] <= overlap[2] && b[3] <= overlap[3]
    };
    let whole_cells = |collection: &Value| -> BTreeMap<String, Value> {
        features(collection)
            .iter()
            .filter(|f| f["properties"]["cluster"] == true)
            .filter(|f| inside(cell_bounds(f["id"].as_str().expect("id"))))
            .map(|f| (f["id"].as_str().expect("id").to_owned(), f.clone()))
            .collect()
    };
    let (west_cells, east_cells) = (whole_cells(&west), whole_cells(&east));
    assert!(
        west_cells.len() >= 5,
        "expected several clusters in the overlap, got {}",
        west_cells.len()
    );
    assert_eq!(
        west_cells.keys().collect::<BTreeSet<_>>(),
        east_cells.keys().collect::<BTreeSet<_>>(),
        "the same cells in both views"
    );
    for (id, feature) in &west_cells {
        assert_eq!(
            feature, &east_cells[id],
            "cluster {id} is the same in both views"
        );
        let extent: Vec<f64> = feature["bbox"]
            .as_array()
            .expect("bbox")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect();
        let cell = cell_bounds(id);
        assert!(
            extent[0] >= cell[0] - 1e-9 && extent[2] <= cell[2] + 1e-9,
            "{id}: the members lie in the cell"
        );
    }
}

#[tokio::test]
async fn clusters_take_every_list_filter() {
    let app = TestApp::seeded().await.expect("app");
    let categories = app.get("/v1/categories").await.json();
    let first_category = categories["items"][0]["id"]
        .as_str()
        .or_else(|| categories[0]["id"].as_str())
        .expect("a category id")
        .to_owned();
    for filters in [
        format!("category={first_category}"),
        "kind=cooperative".to_owned(),
        "country=AT&country=DE".to_owned(),
        "near=48.2,16.37&radius_km=50".to_owned(),
        "updated_since=2000-01-01".to_owned(),
    ] {
        let expected = total(&app, &filters).await;
        let collection = clusters(&app, &format!("zoom=5&{filters}")).await;
        assert_eq!(count_sum(&collection), expected, "{filters}");
    }
}

#[tokio::test]
async fn bad_cluster_requests_are_named_in_a_400_problem() {
    let app = TestApp::seeded().await.expect("app");
    for (uri, field) in [
        ("/v1/clusters", "zoom"),
        ("/v1/clusters?zoom=23", "zoom"),
        ("/v1/clusters?zoom=four", "zoom"),
        ("/v1/clusters?zoom=4&bbox=1,2,3", "bbox"),
        ("/v1/clusters?zoom=4&kind=bank", "kind"),
        ("/v1/clusters?zoom=4&zoom_level=3", "zoom_level"),
    ] {
        let fields = problem_fields(&app.get(uri).await);
        assert!(fields.iter().any(|f| f == field), "{uri}: {fields:?}");
    }
}

/// Where a point falls in a tile, in tile units (extent 4096).
fn tile_position(lon: f64, lat: f64, z: u32, x: u32, y: u32) -> (f64, f64) {
    let n = 2f64.powi(z as i32);
    let world_x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let world_y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * n;
    (
        (world_x - f64::from(x)) * 4096.0,
        (world_y - f64::from(y)) * 4096.0,
    )
}

fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let (px, py) = tile_position(lon, lat, z, 0, 0);
    ((px / 4096.0).floor() as u32, (py / 4096.0).floor() as u32)
}

struct DecodedFeature {
    x: f32,
    y: f32,
    properties: BTreeMap<String, MvtValue>,
}

fn decode(response: &Response) -> (Vec<String>, Vec<DecodedFeature>) {
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/vnd.mapbox-vector-tile")
    );
    let reader = Reader::new(response.body.clone()).expect("a valid MVT");
    let names = reader.get_layer_names().expect("layer names");
    let features = reader
        .get_features(0)
        .expect("features")
        .into_iter()
        .map(|feature| {
            // The reader gives a one-point MultiPoint for an MVT point.
            let point = match &feature.geometry {
                geo_types::Geometry::Point(point) => *point,
                geo_types::Geometry::MultiPoint(points) if points.0.len() == 1 => points.0[0],
                other => panic!("expected a point, got {other:?}"),
            };
            DecodedFeature {
                x: point.x(),
                y: point.y(),
                properties: feature.properties.unwrap_or_default().into_iter().collect(),
            }
        })
        .collect();
    (names, features)
}

fn count_of(feature: &DecodedFeature) -> u64 {
    match feature.properties.get("count") {
        Some(MvtValue::Int(n) | MvtValue::SInt(n)) => *n as u64,
        Some(MvtValue::UInt(n)) => *n,
        other => panic!("count is {other:?}"),
    }
}

fn text(feature: &DecodedFeature, key: &str) -> Option<String> {
    match feature.properties.get(key) {
        Some(MvtValue::String(s)) => Some(s.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn a_tile_shows_a_known_actor_at_its_place_in_tile_space() {
    let app = TestApp::seeded().await.expect("app");
    let actor = app
        .get("/v1/actors?limit=1&bbox=16.18,48.10,16.58,48.33")
        .await
        .json()["items"][0]
        .clone();
    let (lon, lat) = (
        actor["location"]["lon"].as_f64().expect("lon"),
        actor["location"]["lat"].as_f64().expect("lat"),
    );
    let z = 17;
    let (x, y) = tile_of(lon, lat, z);
    let response = app.get(&format!("/v1/tiles/{z}/{x}/{y}.mvt")).await;
    assert!(response.header("etag").is_some());
    assert!(response
        .header("cache-control")
        .is_some_and(|c| c.contains("max-age")));
    let (layers, features) = decode(&response);
    assert_eq!(layers, ["actors"]);
    let id = actor["id"].as_str().expect("id");
    let found = features
        .iter()
        .find(|f| text(f, "id").as_deref() == Some(id))
        .expect("the actor is in its tile");
    assert_eq!(text(found, "name").as_deref(), actor["name"].as_str());
    assert_eq!(text(found, "kind").as_deref(), actor["kind"].as_str());
    let categories: Vec<&str> = actor["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c.as_str().expect("category"))
        .collect();
    assert_eq!(text(found, "categories"), Some(categories.join(",")));
    assert_eq!(
        found.properties.get("cluster"),
        Some(&MvtValue::Bool(false))
    );
    let (expected_x, expected_y) = tile_position(lon, lat, z, x, y);
    assert!(
        (f64::from(found.x) - expected_x).abs() <= 1.0
            && (f64::from(found.y) - expected_y).abs() <= 1.0,
        "at ({}, {}), expected ({expected_x:.1}, {expected_y:.1})",
        found.x,
        found.y
    );

    // The ETag validates: the same tile again is a 304.
    let etag = response.header("etag").expect("etag");
    let again = app
        .send(
            TestRequest::get()
                .uri(&format!("/v1/tiles/{z}/{x}/{y}.mvt"))
                .insert_header(("If-None-Match", etag)),
        )
        .await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn the_world_tile_holds_everyone_in_clusters() {
    let app = TestApp::seeded().await.expect("app");
    let everyone = total(&app, "").await;
    let (layers, features) = decode(&app.get("/v1/tiles/0/0/0.mvt").await);
    assert_eq!(layers, ["actors"]);
    assert_eq!(features.iter().map(count_of).sum::<u64>(), everyone);
    assert!(features.len() < 64, "at most 8×8 symbols at zoom 0");
    assert!(features
        .iter()
        .any(|f| f.properties.get("cluster") == Some(&MvtValue::Bool(true)) && count_of(f) > 1));

    // Filters apply to tiles too.
    let cooperatives = total(&app, "kind=cooperative").await;
    let (_, filtered) = decode(&app.get("/v1/tiles/0/0/0.mvt?kind=cooperative").await);
    assert_eq!(filtered.iter().map(count_of).sum::<u64>(), cooperatives);

    // The four tiles of zoom 1 split the world without losing or doubling anyone.
    let mut quarter_sum = 0;
    for (x, y) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let response = app.get(&format!("/v1/tiles/1/{x}/{y}.mvt")).await;
        if response.status == 204 {
            continue;
        }
        quarter_sum += decode(&response).1.iter().map(count_of).sum::<u64>();
    }
    assert_eq!(quarter_sum, everyone);
}

#[tokio::test]
async fn an_empty_tile_is_204_and_bad_tiles_are_400() {
    let app = TestApp::seeded().await.expect("app");
    // The South Pacific at zoom 6.
    let empty = app.get("/v1/tiles/6/2/40.mvt").await;
    assert_eq!(empty.status, 204);
    assert!(empty.body.is_empty());
    for (uri, field) in [
        ("/v1/tiles/3/8/0.mvt", "x"),
        ("/v1/tiles/3/0/8.mvt", "y"),
        ("/v1/tiles/23/0/0.mvt", "z"),
        ("/v1/tiles/a/0/0.mvt", "z"),
        ("/v1/tiles/2/-1/0.mvt", "x"),
        ("/v1/tiles/2/0/0.mvt?category=nope!", "category"),
        ("/v1/tiles/2/0/0.mvt?colour=red", "colour"),
    ] {
        let fields = problem_fields(&app.get(uri).await);
        assert!(fields.iter().any(|f| f == field), "{uri}: {fields:?}");
    }
}

#[tokio::test]
async fn cached_tiles_follow_writes_to_actors() {
    let app = TestApp::seeded().await.expect("app");
    let uri = "/v1/tiles/0/0/0.mvt?kind=cooperative";
    let cooperatives = total(&app, "kind=cooperative").await;
    let tile_total = |response: &Response| decode(response).1.iter().map(count_of).sum::<u64>();
    let first = app.get(uri).await;
    assert_eq!(tile_total(&first), cooperatives);
    // Served again (from the cache), it is the same tile with the same ETag.
    let again = app.get(uri).await;
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("etag"), first.header("etag"));

    // One cooperative becomes an association: the tile shows it at once (the tests look at
    // the change counter on every request; a server does so every TILE_CACHE_CHECK_MS).
    app.sql(
        "UPDATE actors SET kind = 'association' WHERE id = \
         (SELECT id FROM actors WHERE kind = 'cooperative' AND status = 'published' ORDER BY id LIMIT 1)",
    )
    .await
    .expect("update");
    let after = app.get(uri).await;
    assert_eq!(tile_total(&after), cooperatives - 1);
    assert_ne!(after.header("etag"), first.header("etag"));
}
