//! The cluster cells kept in `map_cells` (so an unfiltered map of Europe does not group every
//! actor on each request) give exactly the clusters that grouping the actors live gives, at
//! every stored zoom and view, and keep doing so through creates, moves, unpublishing, merges,
//! category changes and bulk deletes. The same holds for the cells kept per kind, per country
//! and per category (a single-filter view), and for what a stored cell shows (its top
//! categories, and the actor of a one-actor cell).

use actix_web::test::TestRequest;
use atlas_domain::map::{MapItem, Zoom, STORED_FACET_CELLS_MAX_ZOOM};
use atlas_domain::{ActorKind, ActorQuery, BoundingBox, CategoryId, Lang};
use atlas_e2e::TestApp;
use serde_json::json;

/// Views a map shows: the world, Europe, two overlapping regions, a city, a box on cell edges.
const VIEWS: [Option<[f64; 4]>; 6] = [
    None,
    Some([-25.0, 34.0, 45.0, 72.0]),
    Some([-5.0, 40.0, 20.0, 56.0]),
    Some([5.0, 42.0, 30.0, 58.0]),
    Some([16.18, 48.10, 16.58, 48.33]),
    Some([0.0, 0.0, 45.0, 66.51326044311186]),
];

fn view_query(view: Option<[f64; 4]>) -> ActorQuery {
    ActorQuery {
        bbox: view.map(|[min_lon, min_lat, max_lon, max_lat]| BoundingBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }),
        ..ActorQuery::default()
    }
}

/// Clusters from the stored cells against clusters grouped live, for every view at `zooms`.
async fn assert_stored_equals_live(app: &TestApp, zooms: &[u8], when: &str) {
    for &level in zooms {
        let zoom = Zoom::new(level).expect("zoom");
        for view in VIEWS {
            let query = view_query(view);
            let stored = app.store.map_items(&query, zoom).await.expect("stored");
            let live = app
                .store
                .map_items_grouped_live(&query, zoom)
                .await
                .expect("live");
            assert_eq!(
                stored.len(),
                live.len(),
                "{when}: zoom {level}, view {view:?}: number of features"
            );
            assert_eq!(stored, live, "{when}: zoom {level}, view {view:?}");
        }
    }
}

/// Rows of the stored cells that differ from cells computed afresh from the actors, at every
/// stored zoom (cells, then category counts; both directions).
async fn stored_cells_out_of_step(app: &TestApp) -> i64 {
    let fresh_cells = "SELECT z::smallint, map_cell_x(ST_X(geom), z), map_cell_y(ST_Y(geom), z), \
            count(*), sum(ST_X(geom)::numeric), sum(ST_Y(geom)::numeric), \
            min(ST_X(geom)), min(ST_Y(geom)), max(ST_X(geom)), max(ST_Y(geom)) \
        FROM actors, generate_series(0, map_cells_max_zoom()) z \
        WHERE status = 'published' GROUP BY 1, 2, 3";
    let stored_cells = "SELECT zoom, cx, cy, actors, lon_sum, lat_sum, west, south, east, north \
        FROM map_cells WHERE facet = ''";
    let fresh_categories = "SELECT z::smallint, map_cell_x(ST_X(geom), z), \
            map_cell_y(ST_Y(geom), z), category, count(*) \
        FROM actors, unnest(categories) category, generate_series(0, map_cells_max_zoom()) z \
        WHERE status = 'published' GROUP BY 1, 2, 3, 4";
    let stored_categories =
        "SELECT zoom, cx, cy, category, actors FROM map_cell_categories WHERE facet = ''";
    let differ = format!(
        "SELECT ((SELECT count(*) FROM ({fresh_cells} EXCEPT {stored_cells}) a) \
               + (SELECT count(*) FROM ({stored_cells} EXCEPT {fresh_cells}) b) \
               + (SELECT count(*) FROM ({fresh_categories} EXCEPT {stored_categories}) c) \
               + (SELECT count(*) FROM ({stored_categories} EXCEPT {fresh_categories}) d))::text"
    );
    let all_differ: i64 = app
        .sql_text(&differ)
        .await
        .expect("a count")
        .parse()
        .expect("a number");
    all_differ + stored_cells_differ_from_a_rebuild(app).await
}

/// Rows of every stored set (all actors, per kind, country and category; cells with their top
/// categories and single member, and category counts) that differ from what
/// `map_cells_rebuild()` computes from the actors in one pass. The rebuild runs on a copy of
/// the test database's tables, so the stored rows under test stay as the triggers left them.
async fn stored_cells_differ_from_a_rebuild(app: &TestApp) -> i64 {
    for statement in [
        "DROP TABLE IF EXISTS kept_cells, kept_categories",
        "CREATE TABLE kept_cells AS SELECT * FROM map_cells",
        "CREATE TABLE kept_categories AS SELECT * FROM map_cell_categories",
        "SELECT map_cells_rebuild()",
    ] {
        app.sql(statement).await.expect(statement);
    }
    let differ = app
        .sql_text(
            "(SELECT count(*) FROM (SELECT * FROM kept_cells EXCEPT SELECT * FROM map_cells) a) \
           + (SELECT count(*) FROM (SELECT * FROM map_cells EXCEPT SELECT * FROM kept_cells) b) \
           + (SELECT count(*) FROM (SELECT * FROM kept_categories \
                                    EXCEPT SELECT * FROM map_cell_categories) c) \
           + (SELECT count(*) FROM (SELECT * FROM map_cell_categories \
                                    EXCEPT SELECT * FROM kept_categories) d)",
        )
        .await
        .expect("a count")
        .parse()
        .expect("a number");
    app.sql("DROP TABLE kept_cells, kept_categories")
        .await
        .expect("drop the copies");
    differ
}

/// The single-filter views that have stored cells: one kind, one country, one category with
/// its descendants (as `?category=energy-environment` gives), and a leaf category.
async fn filtered_queries(app: &TestApp, view: Option<[f64; 4]>) -> Vec<(String, ActorQuery)> {
    let taxonomy = app.store.taxonomy().await.expect("taxonomy");
    let category = |id: &str| {
        taxonomy.with_descendants(&[CategoryId::parse("category", id).expect("category id")])
    };
    let base = view_query(view);
    vec![
        (
            "kind=cooperative".into(),
            ActorQuery {
                kinds: vec![ActorKind::Cooperative],
                ..base.clone()
            },
        ),
        (
            "country=DE".into(),
            ActorQuery {
                countries: vec![atlas_domain::country::parse_code("DE").expect("DE")],
                ..base.clone()
            },
        ),
        (
            "category=energy-environment".into(),
            ActorQuery {
                categories: category("energy-environment"),
                ..base.clone()
            },
        ),
        (
            "category=food-aid".into(),
            ActorQuery {
                categories: category("food-aid"),
                ..base.clone()
            },
        ),
        (
            "language=de".into(),
            ActorQuery {
                languages: vec![Lang::parse("de").expect("de")],
                ..base
            },
        ),
    ]
}

/// Views whose facets are summed from stored cells: `VIEWS`, and boxes of many sizes and
/// places (whole cells at one zoom or several, edges anywhere, small ones counted live).
fn facet_views() -> Vec<Option<[f64; 4]>> {
    let mut views = VIEWS.to_vec();
    let mut seed = 11_u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..24 {
        let (west, south) = (-12.0 + 40.0 * next(), 35.0 + 25.0 * next());
        let (width, height) = (0.5 + 30.0 * next(), 0.3 + 20.0 * next());
        views.push(Some([west, south, west + width, south + height]));
    }
    views
}

/// Facets of views from the stored cells against the same views counted live.
async fn assert_facets_stored_equal_live(app: &TestApp, when: &str) {
    for view in facet_views() {
        let query = view_query(view);
        let stored = app.store.facets(&query).await.expect("stored");
        let live = app.store.facets_counted_live(&query).await.expect("live");
        assert_eq!(stored, live, "{when}: facets of {view:?}");
    }
}

/// Single-filter clusters from the stored cells against the same filter grouped live.
async fn assert_filtered_stored_equals_live(app: &TestApp, zooms: &[u8], when: &str) {
    for &level in zooms {
        let zoom = Zoom::new(level).expect("zoom");
        for view in VIEWS {
            for (filter, query) in filtered_queries(app, view).await {
                let stored = app.store.map_items(&query, zoom).await.expect("stored");
                let live = app
                    .store
                    .map_items_grouped_live(&query, zoom)
                    .await
                    .expect("live");
                assert_eq!(
                    stored, live,
                    "{when}: zoom {level}, view {view:?}, {filter}"
                );
            }
        }
    }
}

const ZOOMS: [u8; 6] = [0, 3, 4, 6, 9, 12];
/// Zooms with stored cells per kind, country and category (and one without, grouped live).
const FACET_ZOOMS: [u8; 4] = [
    0,
    4,
    STORED_FACET_CELLS_MAX_ZOOM,
    STORED_FACET_CELLS_MAX_ZOOM + 1,
];

#[tokio::test]
async fn stored_cells_give_the_clusters_that_grouping_the_actors_gives() {
    let app = TestApp::seeded().await.expect("app");
    assert_eq!(stored_cells_out_of_step(&app).await, 0);
    assert_stored_equals_live(&app, &ZOOMS, "seeded").await;
    assert_filtered_stored_equals_live(&app, &FACET_ZOOMS, "seeded").await;

    // The unfiltered Europe view really reads stored cells (and still counts everyone).
    let europe = view_query(VIEWS[1]);
    let zoom = Zoom::new(4).expect("z4");
    let items = app.store.map_items(&europe, zoom).await.expect("items");
    let in_europe = app.get("/v1/actors?limit=1&bbox=-25,34,45,72").await.json()["total"]
        .as_u64()
        .expect("total");
    assert_eq!(items.iter().map(MapItem::count).sum::<u64>(), in_europe);
    assert!(
        items.iter().any(|i| matches!(i, MapItem::Actor(_))),
        "single actors are looked up"
    );

    // Proof that the unfiltered view reads the stored cells and a filtered one does not: a
    // stored count put wrong by hand shows in the first only.
    app.sql("UPDATE map_cells SET actors = actors + 1000 WHERE zoom = 4")
        .await
        .expect("tamper");
    let number_matched = |filters: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v1/clusters?bbox=-25,34,45,72&zoom=4{filters}"))
                .await
                .json()["numberMatched"]
                .as_u64()
                .expect("numberMatched")
        }
    };
    assert!(number_matched("").await > in_europe);
    assert_eq!(number_matched("&updated_since=1970-01-01").await, in_europe);

    // The same for a single filter: its own stored cells, tampered, show; with a second
    // filter the view is grouped live and does not.
    // (Counted with a filter more: a large view's list total comes from the cells too.)
    let cooperatives = app
        .get("/v1/actors?limit=1&bbox=-25,34,45,72&kind=cooperative&updated_since=1970-01-01")
        .await
        .json()["total"]
        .as_u64()
        .expect("total");
    app.sql("UPDATE map_cells SET actors = actors + 1000 WHERE zoom = 4 AND facet = 'kind'")
        .await
        .expect("tamper");
    assert!(number_matched("&kind=cooperative").await > cooperatives);
    assert_eq!(
        number_matched("&kind=cooperative&updated_since=1970-01-01").await,
        cooperatives
    );
}

#[tokio::test]
async fn facets_of_a_view_are_summed_from_the_stored_cells() {
    let app = TestApp::seeded().await.expect("app");
    assert_facets_stored_equal_live(&app, "seeded").await;

    // Proof that a view nothing else narrows is summed from the cells (everything, or a box
    // holding whole cells), and that a view narrowed more is not: a stored count of German
    // speakers put wrong by hand shows in the first only.
    let europe = view_query(VIEWS[1]);
    let before = app.store.facets(&europe).await.expect("facets");
    let german = before.languages["de"];
    assert!(german > 0, "the seed has German speakers in Europe");
    app.sql(
        "UPDATE map_cells SET actors = actors + 1000 WHERE facet = 'language' AND value = 'de'",
    )
    .await
    .expect("tamper");
    let after = app.store.facets(&europe).await.expect("facets");
    assert!(after.languages["de"] >= german + 1000, "{after:?}");
    assert_eq!(after.total, before.total, "only the tampered set");
    let everywhere = app.store.facets(&view_query(None)).await.expect("facets");
    let counted = app.store.facets_counted_live(&view_query(None)).await;
    assert!(everywhere.languages["de"] >= counted.expect("live").languages["de"] + 1000);
    // The API answers from the same place; narrowed by one more filter it counts live.
    let facets = |filters: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v1/facets?bbox=-25,34,45,72{filters}"))
                .await
                .json()["languages"]["de"]
                .as_u64()
                .expect("a count of German speakers")
        }
    };
    assert_eq!(facets("").await, after.languages["de"]);
    assert_eq!(facets("&updated_since=1970-01-01").await, german);
    // A map filtered on the language reads its stored cells too.
    let clusters = app
        .get("/v1/clusters?bbox=-25,34,45,72&zoom=4&language=de")
        .await
        .json();
    assert!(clusters["numberMatched"].as_u64().expect("numberMatched") >= german + 1000);
}

/// The total of a page of a large view (nothing narrowing it but its box and at most one
/// stored set) against counting the actors.
async fn assert_totals_stored_equal_live(app: &TestApp, when: &str) {
    for view in facet_views() {
        let mut queries = vec![("view only".to_owned(), view_query(view))];
        queries.extend(filtered_queries(app, view).await);
        for (filter, query) in queries {
            let page = app
                .store
                .list_actors(&ActorQuery {
                    limit: 1,
                    ..query.clone()
                })
                .await
                .expect("a page");
            let live = app.store.facets_counted_live(&query).await.expect("live");
            assert_eq!(page.total, live.total, "{when}: {view:?}, {filter}");
        }
    }
}

#[tokio::test]
async fn the_total_of_a_large_view_is_summed_from_the_stored_cells() {
    let app = TestApp::seeded().await.expect("app");
    assert_totals_stored_equal_live(&app, "seeded").await;
    // Every page of a walk comes from the same count, and the walk lists that many.
    for filters in ["", "&kind=cooperative", "&language=de"] {
        let uri = format!("/v1/actors?bbox=-25,34,45,72{filters}&limit=200");
        let total = app.get(&uri).await.json()["total"].as_u64().expect("total");
        assert_eq!(app.walk(&uri).await.len() as u64, total, "{filters}");
    }

    // Proof that the total comes from the cells: a stored count put wrong by hand shows in a
    // large view's total, not in a small view's nor with a filter more.
    let total = |filters: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v1/actors?limit=1{filters}"))
                .await
                .json()["total"]
                .as_u64()
                .expect("total")
        }
    };
    let europe = total("&bbox=-25,34,45,72").await;
    let vienna = total("&bbox=16.18,48.10,16.58,48.33").await;
    app.sql("UPDATE map_cells SET actors = actors + 1000 WHERE facet = ''")
        .await
        .expect("tamper");
    assert!(total("&bbox=-25,34,45,72&sort=updated").await >= europe + 1000);
    assert_eq!(
        total("&bbox=-25,34,45,72&updated_since=1970-01-01").await,
        europe
    );
    assert_eq!(
        total("&bbox=16.18,48.10,16.58,48.33&sort=updated").await,
        vienna
    );
}

#[tokio::test]
async fn a_stored_one_actor_cell_carries_its_actor() {
    let app = TestApp::seeded().await.expect("app");
    let zoom = Zoom::new(6).expect("z6");
    let europe = view_query(VIEWS[1]);
    let singles: Vec<_> = app
        .store
        .map_items(&europe, zoom)
        .await
        .expect("items")
        .into_iter()
        .filter_map(|item| match item {
            MapItem::Actor(actor) => Some(actor),
            MapItem::Cluster(_) => None,
        })
        .collect();
    assert!(!singles.is_empty(), "Europe at zoom 6 has one-actor cells");
    for actor in &singles {
        let (id, lon, lat) = (actor.id.0, actor.lon, actor.lat);
        let found = app
            .sql_text(&format!(
                "SELECT count(*) FROM actors WHERE id = '{id}' AND status = 'published' \
                 AND slug = '{}' AND abs(ST_X(geom) - {lon}) < 1e-7 AND abs(ST_Y(geom) - {lat}) < 1e-7",
                actor.slug.replace('\'', "''")
            ))
            .await;
        assert_eq!(found.as_deref(), Some("1"), "{actor:?} is that actor");
    }

    // Shown from the cell itself, not looked up: names changed in the stored one-actor cells
    // only show in the clusters (for the cells inside the view; edge cells are grouped live).
    app.sql(
        "UPDATE map_cells SET single_name = 'Stored: ' || single_name \
         WHERE facet = '' AND zoom = 6 AND actors = 1",
    )
    .await
    .expect("tamper");
    let clusters = app
        .get("/v1/clusters?bbox=-25,34,45,72&zoom=6")
        .await
        .json();
    let from_stored_cells: Vec<_> = clusters["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| {
            f["properties"]["name"]
                .as_str()
                .is_some_and(|name| name.starts_with("Stored: "))
        })
        .collect();
    assert!(!from_stored_cells.is_empty(), "one-actor cells read stored");
    for feature in from_stored_cells {
        assert!(
            singles
                .iter()
                .any(|actor| feature["properties"]["id"] == json!(actor.id.0.to_string())),
            "{feature} is one of the single actors"
        );
    }
}

#[tokio::test]
async fn a_write_updates_the_stored_cells_in_its_own_transaction() {
    let app = TestApp::seeded().await.expect("app");
    // Inside one transaction: a new published actor far from everyone else is in its cells
    // (all actors, its kind, its country, its category and the category's parent) before
    // the commit, as the actor of its one-actor cell at zoom 12; rolled back, nothing stays.
    let outcome = app
        .sql(
            "DO $$
             DECLARE
                 new_id uuid := gen_random_uuid();
                 found bigint;
             BEGIN
                 INSERT INTO actors SELECT (jsonb_populate_record(NULL::actors, to_jsonb(a) \
                     || jsonb_build_object('id', new_id, 'slug', 'far-away', 'external_id', NULL, \
                        'kind', 'foundation', 'country', 'IS', 'categories', ARRAY['food-aid'], \
                        'geom', ST_SetSRID(ST_MakePoint(-20.5, 65.5), 4326)::text))).* \
                 FROM actors a WHERE status = 'published' ORDER BY id LIMIT 1;
                 SELECT count(*) INTO found FROM map_cells
                 WHERE (facet, value) IN (('', ''), ('kind', 'foundation'), ('country', 'IS'),
                                          ('category', 'food-aid'), ('category', 'food'))
                   AND zoom = 6 AND west <= -20.5 AND east >= -20.5
                   AND south <= 65.5 AND north >= 65.5;
                 IF found <> 5 THEN
                     RAISE EXCEPTION 'the new actor is in % of its 5 cells at zoom 6', found;
                 END IF;
                 IF NOT EXISTS (SELECT 1 FROM map_cells WHERE facet = '' AND zoom = 12
                                AND single_id = new_id AND single_slug = 'far-away') THEN
                     RAISE EXCEPTION 'the new actor is not its cell''s single member';
                 END IF;
                 RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'roll back';
             END $$",
        )
        .await;
    let error = outcome.expect_err("rolled back on purpose").to_string();
    assert!(error.contains("roll back"), "{error}");
    assert_eq!(
        app.sql_text("SELECT count(*) FROM map_cells WHERE single_slug = 'far-away'")
            .await
            .as_deref(),
        Some("0")
    );
    assert_eq!(stored_cells_out_of_step(&app).await, 0);
}

#[tokio::test]
async fn stored_cells_follow_every_kind_of_write() {
    let app = TestApp::seeded().await.expect("app");
    let write = |statement: &'static str| {
        let app = &app;
        async move { app.sql(statement).await.expect(statement) }
    };
    let check = |when: &'static str| {
        let app = &app;
        async move {
            assert_eq!(stored_cells_out_of_step(app).await, 0, "{when}");
            assert_stored_equals_live(app, &[0, 4, 9, 12], when).await;
            assert_filtered_stored_equals_live(app, &[0, 4, 6], when).await;
            assert_facets_stored_equal_live(app, when).await;
            assert_totals_stored_equal_live(app, when).await;
        }
    };

    // Create: a copy of an actor, 300 m east of it.
    write(
        "INSERT INTO actors SELECT (jsonb_populate_record(NULL::actors, to_jsonb(a) || \
             jsonb_build_object('id', gen_random_uuid(), 'slug', 'map-cells-copy', \
                 'external_id', NULL, 'geom', ST_Translate(a.geom, 0.004, 0)::text))).* \
         FROM actors a WHERE status = 'published' ORDER BY id LIMIT 1",
    )
    .await;
    check("after a create").await;

    // Move the westernmost actor (it sets the extent of its cell at every zoom) far east.
    write(
        "UPDATE actors SET geom = ST_SetSRID(ST_MakePoint(24.94, 60.17), 4326) WHERE id = \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY ST_X(geom), id LIMIT 1)",
    )
    .await;
    check("after a move").await;

    // Unpublish the northernmost actor.
    write(
        "UPDATE actors SET status = 'archived' WHERE id = \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY ST_Y(geom) DESC, id LIMIT 1)",
    )
    .await;
    check("after unpublishing").await;

    // New categories and a new name (the name changes no cell, the categories do).
    write(
        "UPDATE actors SET categories = ARRAY['finance'], name = name || ' (renamed)' WHERE id IN \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY id LIMIT 20)",
    )
    .await;
    check("after category changes").await;

    // New languages: one more, another instead, none.
    write(
        "UPDATE actors SET languages = languages || ARRAY['fi'] WHERE id IN \
         (SELECT id FROM actors WHERE status = 'published' AND NOT 'fi' = ANY (languages) \
          ORDER BY id LIMIT 15)",
    )
    .await;
    write(
        "UPDATE actors SET languages = ARRAY['sv'] WHERE id IN \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY id DESC LIMIT 10)",
    )
    .await;
    write(
        "UPDATE actors SET languages = '{}' WHERE id IN \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY name LIMIT 5)",
    )
    .await;
    check("after language changes").await;

    // Bulk: every Austrian actor unpublished in one statement; the copy deleted.
    write("UPDATE actors SET status = 'archived' WHERE country = 'AT'").await;
    check("after a bulk unpublish").await;
    write("DELETE FROM actors WHERE slug = 'map-cells-copy'").await;
    check("after a delete").await;

    // Merge through the API, as a moderator does.
    let token = app.login_as("moderator").await;
    let two = app.get("/v1/actors?limit=2&bbox=-25,34,45,72").await.json()["items"].clone();
    let (survivor, duplicate) = (
        two[0]["id"].as_str().expect("id").to_owned(),
        two[1]["id"].as_str().expect("id").to_owned(),
    );
    let merged = app
        .send_as(
            &token,
            TestRequest::post()
                .uri(&format!("/v1/actors/{duplicate}/merge"))
                .set_json(json!({"into": survivor})),
        )
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text());
    check("after a merge").await;

    // Archive and restore through the API.
    for action in ["archive", "restore"] {
        let response = app
            .send_as(
                &token,
                TestRequest::post()
                    .uri(&format!("/v1/actors/{survivor}/{action}"))
                    .set_json(json!({"note": "map cells test"})),
            )
            .await;
        assert_eq!(response.status, 200, "{action}: {}", response.text());
        check(action).await;
    }

    // And the clusters endpoint still counts everyone in view.
    let in_europe = app.get("/v1/actors?limit=1&bbox=-25,34,45,72").await.json()["total"].clone();
    let clusters = app
        .get("/v1/clusters?bbox=-25,34,45,72&zoom=4")
        .await
        .json();
    assert_eq!(clusters["numberMatched"], in_europe);
}

#[tokio::test]
async fn a_new_parent_in_the_taxonomy_moves_actors_between_category_cells() {
    let app = TestApp::seeded().await.expect("app");
    let stored_food_actors = || {
        let app = &app;
        async move {
            app.sql_text(
                "SELECT sum(actors) FROM map_cells \
                 WHERE facet = 'category' AND value = 'food' AND zoom = 0",
            )
            .await
        }
    };

    // Statements that change no parent leave the stored cells alone (a stored count put
    // wrong by hand stays wrong): the seed upserting the same taxonomy again, new labels, a
    // new category nobody carries yet.
    app.sql("UPDATE map_cells SET actors = actors + 1000 WHERE facet = 'category' AND value = 'food' AND zoom = 0")
        .await
        .expect("tamper");
    let tampered = stored_food_actors().await;
    for statement in [
        "UPDATE categories SET parent_id = parent_id, position = position",
        "UPDATE categories SET labels = labels || '{\"fr\": \"Aide alimentaire\"}' WHERE id = 'food-aid'",
        "INSERT INTO categories (id, parent_id, labels, position) \
         VALUES ('seed-swaps', 'food', '{\"en\": \"Seed swaps\"}', 999)",
    ] {
        app.sql(statement).await.expect(statement);
        assert_eq!(stored_food_actors().await, tampered, "{statement}");
    }

    // food-aid moves from food to energy-environment: its actors leave food's cells (unless
    // they carry another food category) and join energy-environment's, at once.
    let food_aid_actors: u64 = app
        .sql_text(
            "SELECT count(*) FROM actors \
             WHERE status = 'published' AND 'food-aid' = ANY (categories)",
        )
        .await
        .expect("a count")
        .parse()
        .expect("a number");
    assert!(food_aid_actors > 0, "the seed has food-aid actors");
    app.sql("UPDATE categories SET parent_id = 'energy-environment' WHERE id = 'food-aid'")
        .await
        .expect("new parent");
    assert_eq!(stored_cells_out_of_step(&app).await, 0);
    assert_filtered_stored_equals_live(&app, &[0, 4, 6], "after a new parent").await;
    let energy_environment = app
        .store
        .taxonomy()
        .await
        .expect("taxonomy")
        .with_descendants(&[CategoryId::parse("category", "energy-environment").expect("id")]);
    assert!(
        energy_environment.iter().any(|c| c.as_str() == "food-aid"),
        "the taxonomy read back has the new parent"
    );
    let stored_energy: u64 = app
        .sql_text(
            "SELECT sum(actors) FROM map_cells \
             WHERE facet = 'category' AND value = 'energy-environment' AND zoom = 0",
        )
        .await
        .expect("a sum")
        .parse()
        .expect("a number");
    let carrying_energy: u64 = app
        .sql_text(
            "SELECT count(*) FROM actors WHERE status = 'published' \
             AND categories && (SELECT array_agg(id) FROM categories \
                                WHERE id = 'energy-environment' OR parent_id = 'energy-environment')",
        )
        .await
        .expect("a count")
        .parse()
        .expect("a number");
    assert_eq!(stored_energy, carrying_energy);

    // A category deleted (a leaf nobody else points to) takes its actors out of its former
    // parent's cells too.
    app.sql("DELETE FROM categories WHERE id = 'seed-swaps'")
        .await
        .expect("delete an unused category");
    app.sql(
        "UPDATE actors SET categories = categories || ARRAY['gone-category'] WHERE id = \
             (SELECT id FROM actors WHERE status = 'published' ORDER BY id LIMIT 1)",
    )
    .await
    .expect("an actor carries an unknown id");
    app.sql(
        "INSERT INTO categories (id, parent_id, labels, position) \
             VALUES ('gone-category', 'food', '{\"en\": \"Gone\"}', 998)",
    )
    .await
    .expect("the id becomes a food category");
    assert_eq!(stored_cells_out_of_step(&app).await, 0, "after the insert");
    app.sql("DELETE FROM categories WHERE id = 'gone-category'")
        .await
        .expect("and goes again");
    assert_eq!(stored_cells_out_of_step(&app).await, 0, "after the delete");
    assert_filtered_stored_equals_live(&app, &[0, 6], "after a delete").await;
}
