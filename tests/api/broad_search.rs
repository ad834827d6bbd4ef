//! Broad text queries: a relevance-ordered query PostgreSQL expects to match more than
//! `SEARCH_BROAD_MATCHES` actors takes its best candidates from the search postings
//! (migration 000170) and answers with an estimated total. The threshold is lowered here so
//! that the seed's common words take that path: every match must still be listed exactly
//! once across the pages, in the same set as the exact path gives, with the exact count on
//! the last page; and the postings must follow every write to actors.

use std::collections::HashSet;

use atlas_domain::PageCursor;
use atlas_e2e::TestApp;
use serde_json::Value;

/// Queries that match more than a page on the seed, alone and with filters.
const QUERIES: [&str; 5] = [
    "q=verein",
    "q=cooperative",
    "q=repair%20cafe",
    "q=cooperativa&country=ES",
    "q=verein&country=AT",
];

async fn broad_app() -> TestApp {
    TestApp::seeded_with(|config| config.search_broad_matches = 10)
        .await
        .expect("app")
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_broad_query_lists_every_match_once_and_counts_exactly_on_its_last_page() {
    let app = broad_app().await;
    let mut estimated = 0;
    for query in QUERIES {
        // The same matches in name order: that order never ranks, so it counts exactly.
        let exact = app
            .walk(&format!("/v1/actors?{query}&sort=name&limit=50"))
            .await;
        let exact: HashSet<String> = ids(&exact).into_iter().collect();
        assert!(exact.len() > 7, "{query}: must match more than a page");

        let ranked = ids(&app.walk(&format!("/v1/actors?{query}&limit=7")).await);
        let distinct: HashSet<String> = ranked.iter().cloned().collect();
        assert_eq!(
            distinct.len(),
            ranked.len(),
            "{query}: an actor listed twice"
        );
        assert_eq!(
            distinct, exact,
            "{query}: not the same matches as the exact path"
        );

        let first = app.get(&format!("/v1/actors?{query}&limit=7")).await.json();
        if first["total_estimated"] == true {
            estimated += 1;
            assert!(
                first["total"].as_u64().is_some_and(|t| t > 7),
                "{query}: {first}"
            );
            let geojson = app
                .get(&format!("/v1/actors?{query}&limit=7&format=geojson"))
                .await
                .json();
            assert!(geojson.get("numberMatched").is_none(), "{query}: {geojson}");
            assert_eq!(geojson["total_estimated"], true, "{query}");
        }
        // A page past the end has nothing to count: it keeps the first page's total.
        let past_end = atlas_api::routes::actors::encode_cursor(&PageCursor::Rank {
            offset: exact.len() as u32 + 7,
        });
        let past = app
            .get(&format!("/v1/actors?{query}&limit=7&cursor={past_end}"))
            .await
            .json();
        assert_eq!(past["items"].as_array().map(Vec::len), Some(0), "{query}");
        assert_eq!(past["total_estimated"], first["total_estimated"], "{query}");
        if first["total_estimated"] == true {
            assert_eq!(past["total"], first["total"], "{query}");
        } else {
            assert_eq!(past["total"].as_u64(), Some(exact.len() as u64), "{query}");
        }
        // The last page knows how many there are.
        let last_offset = (exact.len() - 1) / 7 * 7;
        let mut uri = format!("/v1/actors?{query}&limit=7");
        let mut page = app.get(&uri).await.json();
        for _ in 0..last_offset / 7 {
            let cursor = page["next_cursor"]
                .as_str()
                .expect("a next page")
                .to_owned();
            uri = format!("/v1/actors?{query}&limit=7&cursor={cursor}");
            page = app.get(&uri).await.json();
        }
        assert!(page["next_cursor"].is_null(), "{query}: the last page");
        assert_eq!(page["total"].as_u64(), Some(exact.len() as u64), "{query}");
        assert_eq!(page["total_estimated"], false, "{query}");
    }
    assert!(
        estimated >= 3,
        "most of these queries must take the broad path ({estimated})"
    );
}

#[tokio::test]
async fn a_broad_query_ranks_its_first_page_like_the_exact_path() {
    // On the seed the postings hold the best matches of these queries, so the first pages
    // must be the same as when every match is scored. ("food cooperative": "food" names the
    // food category and its child food co-ops, which "cooperative" names too, so the whole
    // text asks for the parent's own actors only, c:=food; the postings read every actor
    // under the parent, c:food, and the check keeps those matching.)
    let (broad, exact) = (broad_app().await, TestApp::seeded().await.expect("app"));
    for query in [
        "q=food%20cooperative",
        "q=cooperative",
        "q=verein",
        "q=Genossenschaft",
    ] {
        let uri = format!("/v1/actors?{query}&limit=10");
        let (broad_page, exact_page) = (broad.get(&uri).await.json(), exact.get(&uri).await.json());
        assert_eq!(broad_page["total_estimated"], true, "{query}: {broad_page}");
        assert_eq!(exact_page["total_estimated"], false, "{query}");
        let items = |page: &Value| ids(page["items"].as_array().expect("items"));
        assert_eq!(items(&broad_page), items(&exact_page), "{query}");
        assert_eq!(
            broad_page["items"][0]["_matches"], exact_page["items"][0]["_matches"],
            "{query}: the same highlights"
        );
    }
    // Below the threshold nothing changes: exact totals.
    let narrow = broad.get("/v1/actors?q=tafeln%20berlin").await.json();
    assert_eq!(narrow["total_estimated"], false, "{narrow}");
}

/// Adds, to the seed, 320 actors named with each word of `zebragarten quokkahof` (the other
/// word in their description) and one named with both, whose longer name gives it a lower
/// posting impact than all of them.
async fn many_names_with_one_word(app: &TestApp) {
    app.sql(
        "INSERT INTO actors SELECT (jsonb_populate_record(NULL::actors, to_jsonb(a) || \
             jsonb_build_object('id', gen_random_uuid(), 'slug', 'zq-' || w.word || '-' || n, \
                 'external_id', NULL, 'name', initcap(w.word) || ' ' || n, \
                 'summary', '{}'::jsonb, \
                 'description', jsonb_build_object('de', 'Ein Ort mit ' || w.other || ' für alle.')))).* \
         FROM (SELECT * FROM actors WHERE status = 'published' ORDER BY id LIMIT 1) a, \
              (VALUES ('zebragarten', 'Quokkahof'), ('quokkahof', 'Zebragarten')) w (word, other), \
              generate_series(1, 320) n",
    )
    .await
    .expect("names with one word");
    app.sql(
        "INSERT INTO actors SELECT (jsonb_populate_record(NULL::actors, to_jsonb(a) || \
             jsonb_build_object('id', gen_random_uuid(), 'slug', 'zq-both', \
                 'external_id', NULL, 'name', 'Zebragarten Quokkahof Altstadt'))).* \
         FROM actors a WHERE status = 'published' ORDER BY id LIMIT 1",
    )
    .await
    .expect("the name with both words");
    // The planner's estimate, which decides the broad path, reads the statistics.
    app.sql("ANALYZE actors").await.expect("analyze");
}

#[tokio::test]
async fn a_name_with_every_word_is_found_among_many_names_with_one() {
    // Each word's postings are full of shorter names with that word alone (which match the
    // query through their descriptions): the actor named with both words is read from the
    // trigram index of the names, and ranks first as when every match is scored.
    let (broad, exact) = (broad_app().await, TestApp::seeded().await.expect("app"));
    many_names_with_one_word(&broad).await;
    many_names_with_one_word(&exact).await;
    let uri = "/v1/actors?q=zebragarten%20quokkahof&limit=10";
    let (broad_page, exact_page) = (broad.get(uri).await.json(), exact.get(uri).await.json());
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["name"].to_string())
            .collect()
    };
    assert_eq!(
        broad_page["total_estimated"], true,
        "{}",
        broad_page["total"]
    );
    assert_eq!(
        exact_page["items"][0]["name"],
        "Zebragarten Quokkahof Altstadt"
    );
    assert_eq!(
        broad_page["items"][0]["name"],
        "Zebragarten Quokkahof Altstadt",
        "{:?}",
        names(&broad_page)
    );
}

/// Rows of search_postings that differ from what the published actors' documents give.
async fn postings_out_of_step(app: &TestApp) -> i64 {
    app.sql_text(
        "SELECT count(*) FROM ( \
             (SELECT p.term, p.impact, a.id FROM actors a, \
                  atlas_search_postings(a.search_doc, a.search_names) p \
              WHERE a.status = 'published' \
              EXCEPT ALL SELECT term, impact, actor_id FROM search_postings) \
             UNION ALL \
             (SELECT term, impact, actor_id FROM search_postings \
              EXCEPT ALL SELECT p.term, p.impact, a.id FROM actors a, \
                  atlas_search_postings(a.search_doc, a.search_names) p \
              WHERE a.status = 'published')) rows",
    )
    .await
    .and_then(|n| n.parse().ok())
    .expect("count")
}

async fn postings_of(app: &TestApp, term: &str) -> i64 {
    app.sql_text(&format!(
        "SELECT count(*) FROM search_postings WHERE term = '{term}'"
    ))
    .await
    .and_then(|n| n.parse().ok())
    .expect("count")
}

#[tokio::test]
async fn the_postings_follow_every_write_to_actors() {
    let app = broad_app().await;
    assert_eq!(postings_out_of_step(&app).await, 0, "after the seed");
    assert!(app.count("search_postings").await > 10_000);

    // An insert (a copy of a published actor outside Austria, under a new name), then a
    // rename.
    let slug = "postings-quux";
    app.sql(
        "INSERT INTO actors SELECT (jsonb_populate_record(NULL::actors, to_jsonb(a) || \
             jsonb_build_object('id', '00000000-0000-4000-8000-000000000170', \
                                'slug', 'postings-quux', 'external_id', NULL, \
                                'name', 'Quuxcoop Zwischenlager'))).* \
         FROM actors a WHERE status = 'published' AND country <> 'AT' ORDER BY id LIMIT 1",
    )
    .await
    .expect("insert");
    assert_eq!(postings_of(&app, "quuxcoop").await, 1);
    assert_eq!(postings_out_of_step(&app).await, 0, "after an insert");
    app.sql(&format!(
        "UPDATE actors SET name = 'Quuxgenossen Zwischenlager' WHERE slug = '{slug}'"
    ))
    .await
    .expect("rename");
    assert_eq!(postings_of(&app, "quuxcoop").await, 0);
    assert_eq!(postings_of(&app, "quuxgenossen").await, 1);
    assert_eq!(postings_out_of_step(&app).await, 0, "after a rename");

    // An update that changes nothing searchable leaves the postings alone.
    app.sql(&format!(
        "UPDATE actors SET last_verified_at = now() WHERE slug = '{slug}'"
    ))
    .await
    .expect("verify");
    assert_eq!(postings_out_of_step(&app).await, 0, "after a verification");

    // Unpublishing one actor, then many in one statement, and publishing them again.
    app.sql(&format!(
        "UPDATE actors SET status = 'archived' WHERE slug = '{slug}'"
    ))
    .await
    .expect("unpublish");
    assert_eq!(postings_of(&app, "quuxgenossen").await, 0);
    app.sql("UPDATE actors SET status = 'archived' WHERE country = 'AT'")
        .await
        .expect("bulk unpublish");
    assert_eq!(
        postings_out_of_step(&app).await,
        0,
        "after a bulk unpublish"
    );
    app.sql(&format!(
        "UPDATE actors SET status = 'published' WHERE country = 'AT' OR slug = '{slug}'"
    ))
    .await
    .expect("publish again");
    assert_eq!(postings_of(&app, "quuxgenossen").await, 1);
    assert_eq!(
        postings_out_of_step(&app).await,
        0,
        "after publishing again"
    );

    // A delete.
    app.sql(&format!("DELETE FROM actors WHERE slug = '{slug}'"))
        .await
        .expect("delete");
    assert_eq!(postings_of(&app, "quuxgenossen").await, 0);
    assert_eq!(postings_out_of_step(&app).await, 0, "after a delete");

    // The rebuild (for loads that bypass the triggers) gives the same rows.
    app.sql("SELECT search_postings_rebuild()")
        .await
        .expect("rebuild");
    assert_eq!(postings_out_of_step(&app).await, 0, "after a rebuild");
}

#[tokio::test]
async fn broad_or_narrow_is_judged_for_the_text_asked_with_its_filters() {
    // The planner's estimate of a text's matches without filters is made once and kept with
    // its expansion. A filter that leaves few matches makes the query narrow again (an exact
    // total even when a page holds one of them), and a relaxed text, which matches more
    // than the text it relaxes, is judged by its own estimate.
    let app = broad_app().await;
    let estimated = |page: &Value| page["total_estimated"] == true;
    // Asked first, so that the text's estimate is the kept one.
    let broad = app.get("/v1/actors?q=verein&limit=1").await.json();
    assert!(estimated(&broad), "{broad}");
    let vienna = app
        .get("/v1/actors?q=verein&bbox=16.18,48.10,16.58,48.33&limit=1")
        .await
        .json();
    assert!(!estimated(&vienna), "{vienna}");
    assert!(vienna["total"].as_u64().expect("total") > 1, "{vienna}");
    assert_eq!(
        vienna["total"],
        app.walk("/v1/actors?q=verein&bbox=16.18,48.10,16.58,48.33&sort=name")
            .await
            .len()
    );
    // No actor has both words: relaxed to either, which is "verein" on the seed, broad.
    for _ in 0..2 {
        let relaxed = app.get("/v1/actors?q=verein%20qqxqzq&limit=1").await.json();
        assert_eq!(relaxed["relaxed"], true, "{relaxed}");
        assert!(estimated(&relaxed), "{relaxed}");
    }
}
