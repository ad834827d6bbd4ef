//! OGC API - Features: the documents a GIS client reads, and GDAL's own OAPIF driver reading
//! the Atlas over real HTTP, as QGIS does.

use std::collections::BTreeSet;
use std::process::Command;

use atlas_e2e::TestApp;
use serde_json::Value;

fn link<'a>(document: &'a Value, rel: &str) -> Option<&'a str> {
    document["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

/// The path and query of an absolute link (the in-process app is called by path).
fn path_of(href: &str) -> String {
    let after_scheme = href.split_once("://").map_or(href, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("/".to_owned(), |i| after_scheme[i..].to_owned())
}

#[tokio::test]
async fn the_landing_page_leads_to_conformance_api_and_collections() {
    let app = TestApp::seeded().await.expect("app");
    let landing = app.get("/ogc").await;
    assert_eq!(landing.status, 200, "{}", landing.text());
    let landing = landing.json();
    for rel in ["self", "service-desc", "conformance", "data"] {
        let href = link(&landing, rel).unwrap_or_else(|| panic!("no {rel} link"));
        let response = app.get(&path_of(href)).await;
        assert_eq!(response.status, 200, "{rel}: {href}");
    }
    let conformance = app.get("/ogc/conformance").await.json();
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .expect("conformsTo")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));
    let api = app.get("/ogc/api").await.json();
    assert!(api["paths"]["/ogc/collections/{collectionId}/items"].is_object());
}

#[tokio::test]
async fn the_actors_collection_has_its_extent_computed_from_the_data() {
    let app = TestApp::seeded().await.expect("app");
    let collections = app.get("/ogc/collections").await.json();
    let ids: Vec<&str> = collections["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["actors"]);
    let collection = app.get("/ogc/collections/actors").await.json();
    let bbox: Vec<f64> = collection["extent"]["spatial"]["bbox"][0]
        .as_array()
        .expect("bbox")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    let everyone = app.walk("/v1/actors?limit=1000").await;
    let lons: Vec<f64> = everyone
        .iter()
        .map(|a| a["location"]["lon"].as_f64().expect("lon"))
        .collect();
    let lats: Vec<f64> = everyone
        .iter()
        .map(|a| a["location"]["lat"].as_f64().expect("lat"))
        .collect();
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(bbox, [min(&lons), min(&lats), max(&lons), max(&lats)]);
    assert!(collection["extent"]["temporal"]["interval"][0][1].is_string());
    assert!(link(&collection, "items").is_some());

    let queryables = app.get("/ogc/collections/actors/queryables").await;
    assert_eq!(
        queryables.header("content-type").as_deref(),
        Some("application/schema+json")
    );
    let queryables = queryables.json();
    for name in ["geometry", "category", "kind", "country", "datetime"] {
        assert!(queryables["properties"][name].is_object(), "{name}");
    }
}

#[tokio::test]
async fn items_page_through_every_actor_with_next_links() {
    let app = TestApp::seeded().await.expect("app");
    let total = app.get("/v1/actors?limit=1").await.json()["total"]
        .as_u64()
        .expect("total");
    let mut next = Some("/ogc/collections/actors/items?limit=700".to_owned());
    let mut ids = BTreeSet::new();
    let mut pages = 0;
    while let Some(uri) = next {
        let response = app.get(&uri).await;
        assert_eq!(response.status, 200, "{uri}: {}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/geo+json")
        );
        let page = response.json();
        assert_eq!(page["type"], "FeatureCollection");
        assert_eq!(page["numberMatched"], total);
        let features = page["features"].as_array().expect("features");
        assert_eq!(page["numberReturned"], features.len());
        for feature in features {
            assert_eq!(feature["geometry"]["type"], "Point");
            ids.insert(feature["id"].as_str().expect("id").to_owned());
        }
        next = link(&page, "next").map(path_of);
        pages += 1;
    }
    assert_eq!(pages, total.div_ceil(700));
    assert_eq!(ids.len() as u64, total, "every actor exactly once");

    let all = app
        .get("/ogc/collections/actors/items?limit=10000")
        .await
        .json();
    assert_eq!(all["numberReturned"], total);
    assert!(link(&all, "next").is_none());

    // One feature, by its id, links back to the collection.
    let id = ids.iter().next().expect("an id");
    let feature = app
        .get(&format!("/ogc/collections/actors/items/{id}"))
        .await;
    assert_eq!(feature.status, 200);
    let feature = feature.json();
    assert_eq!(feature["id"], id.as_str());
    assert!(link(&feature, "collection").is_some());
}

#[tokio::test]
async fn items_take_bbox_datetime_and_the_list_filters() {
    let app = TestApp::seeded().await.expect("app");
    let count = |uri: String| {
        let app = &app;
        async move {
            let response = app.get(&uri).await;
            assert_eq!(response.status, 200, "{uri}: {}", response.text());
            response.json()["numberMatched"]
                .as_u64()
                .expect("numberMatched")
        }
    };
    let list_total = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v1/actors?limit=1&{query}")).await.json()["total"]
                .as_u64()
                .expect("total")
        }
    };
    for (ogc, list) in [
        (
            "bbox=16.18,48.10,16.58,48.33",
            "bbox=16.18,48.10,16.58,48.33",
        ),
        ("kind=cooperative&country=DE", "kind=cooperative&country=DE"),
        (
            "datetime=2000-01-01T00:00:00Z/..",
            "updated_since=2000-01-01T00:00:00Z",
        ),
    ] {
        assert_eq!(
            count(format!("/ogc/collections/actors/items?{ogc}")).await,
            list_total(list).await,
            "{ogc}"
        );
    }
    let everyone = list_total("").await;
    assert_eq!(
        count("/ogc/collections/actors/items?datetime=../2000-01-01T00:00:00Z".into()).await,
        0
    );
    assert_eq!(
        count("/ogc/collections/actors/items?datetime=2000-01-01/2999-01-01".into()).await,
        everyone
    );
}

#[tokio::test]
async fn bad_ogc_requests_are_400_or_404_problems() {
    let app = TestApp::seeded().await.expect("app");
    for (uri, status, field) in [
        ("/ogc?service=WFS", 400, Some("service")),
        (
            "/ogc/collections/actors/items?limit=10001",
            400,
            Some("limit"),
        ),
        ("/ogc/collections/actors/items?limit=0", 400, Some("limit")),
        (
            "/ogc/collections/actors/items?bbox=1,2,3",
            400,
            Some("bbox"),
        ),
        (
            "/ogc/collections/actors/items?datetime=yesterday",
            400,
            Some("datetime"),
        ),
        (
            "/ogc/collections/actors/items?datetime=2020-01-01/2019-01-01",
            400,
            Some("datetime"),
        ),
        ("/ogc/collections/actors/items?f=xml", 400, Some("f")),
        (
            "/ogc/collections/actors/items?propertyName=name",
            400,
            Some("propertyName"),
        ),
        ("/ogc/collections/parks", 404, None),
        ("/ogc/collections/parks/items", 404, None),
        (
            "/ogc/collections/actors/items/00000000-0000-0000-0000-000000000000",
            404,
            None,
        ),
    ] {
        let response = app.get(uri).await;
        assert_eq!(response.status, status, "{uri}: {}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{uri}"
        );
        if let Some(field) = field {
            let problem = response.json();
            assert!(
                problem["errors"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["field"] == field)),
                "{uri}: {problem}"
            );
        }
    }
}

/// Runs `ogrinfo` (GDAL) with the arguments and returns its standard output.
async fn ogrinfo(args: Vec<String>) -> String {
    let output = tokio::task::spawn_blocking(move || Command::new("ogrinfo").args(&args).output())
        .await
        .expect("ogrinfo thread")
        .unwrap_or_else(|e| {
            panic!(
                "ogrinfo (GDAL's command-line tool, Debian package gdal-bin) could not be run: {e}. \
                 Install it with `bash scripts/test-tools.sh` (make test does)."
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "ogrinfo failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn feature_count(ogrinfo_output: &str) -> usize {
    ogrinfo_output.matches("OGRFeature(actors):").count()
}

#[tokio::test]
async fn gdal_reads_the_atlas_as_an_ogc_api_features_layer() {
    let app = TestApp::seeded().await.expect("app");
    let total = app.get("/v1/actors?limit=1").await.json()["total"]
        .as_u64()
        .expect("total") as usize;
    let in_vienna = app
        .get("/v1/actors?limit=1&bbox=16.18,48.10,16.58,48.33")
        .await
        .json()["total"]
        .as_u64()
        .expect("total") as usize;
    let server = app.serve().await.expect("server");
    let source = format!("OAPIF:{}/ogc", server.base_url);

    // The layer is listed.
    let listing = ogrinfo(vec!["-ro".into(), "-q".into(), source.clone()]).await;
    assert!(listing.contains("actors"), "{listing}");

    // Every feature is read (GDAL follows the next links).
    let everything = ogrinfo(vec![
        "-ro".into(),
        "-al".into(),
        "-q".into(),
        source.clone(),
        "actors".into(),
    ])
    .await;
    assert_eq!(feature_count(&everything), total);
    assert!(everything.contains("POINT ("), "geometries are read");

    // A spatial filter gives the bbox subset.
    let vienna = ogrinfo(vec![
        "-ro".into(),
        "-al".into(),
        "-q".into(),
        "-spat".into(),
        "16.18".into(),
        "48.10".into(),
        "16.58".into(),
        "48.33".into(),
        source,
        "actors".into(),
    ])
    .await;
    assert_eq!(feature_count(&vienna), in_vienna);
    assert!(in_vienna > 10 && in_vienna < total);
    server.stop().await;
}
