//! `atlas seed`: the numbers of the report, and idempotence.

use atlas_api::seed::{self, Progress};
use atlas_e2e::{seed_dir, shared_data, TestApp};

#[tokio::test]
async fn the_seed_publishes_the_real_records_and_a_second_run_writes_nothing() {
    let app = TestApp::empty().await.expect("app");
    let first = seed::seed(
        &app.store,
        &seed_dir(),
        &shared_data(),
        "ODbL-1.0",
        Progress::Hidden,
    )
    .await
    .expect("seed");
    assert_eq!(first.records, 1_794);
    let published = first.imported + first.imported_with_fixes;
    assert!(
        published >= 1_700,
        "at least 1,700 published, got {published}"
    );
    assert_eq!(
        published + first.rejected.len(),
        first.records,
        "every record is imported or rejected"
    );
    assert!(
        first.rejected.iter().all(|r| !r.reasons.is_empty()),
        "every rejection is explained"
    );
    assert!(first.categories >= 40, "the taxonomy was loaded");
    assert!(first.border_areas > 200, "the borders were loaded");
    // The messy parts of the source were repaired, not ignored.
    for fix in [
        "country_normalised",
        "coordinates_swapped",
        "website_dropped",
        "website_scheme_added",
        "country_from_location",
    ] {
        assert!(
            first.fixes.get(fix).copied().unwrap_or_default() > 0,
            "expected some {fix} fixes: {:?}",
            first.fixes
        );
    }
    assert!(
        first.fixes["coordinates_swapped"] >= 3,
        "three Latvian records at least have swapped coordinates"
    );
    assert_eq!(
        app.store.count_published().await.expect("count"),
        published as u64
    );

    let second = seed::seed(
        &app.store,
        &seed_dir(),
        &shared_data(),
        "ODbL-1.0",
        Progress::Hidden,
    )
    .await
    .expect("second seed");
    assert_eq!(
        second.imported + second.imported_with_fixes + second.updated,
        0,
        "nothing imported twice"
    );
    assert_eq!(second.unchanged, published);
    assert_eq!(
        app.store.count_published().await.expect("count"),
        published as u64
    );
}

#[tokio::test]
async fn swapped_latvian_coordinates_land_in_latvia() {
    let app = TestApp::seeded().await.expect("app");
    let latvia = app.walk("/v1/actors?country=LV&limit=1000").await;
    let in_latvia = latvia
        .iter()
        .filter(|a| {
            let (lat, lon) = (
                a["location"]["lat"].as_f64().unwrap_or_default(),
                a["location"]["lon"].as_f64().unwrap_or_default(),
            );
            (55.5..58.2).contains(&lat) && (20.8..28.3).contains(&lon)
        })
        .count();
    // One record is too ambiguous to repair (it would land on the border) and is reported.
    assert!(
        in_latvia + 1 >= latvia.len(),
        "{in_latvia} of {} Latvian actors lie in Latvia",
        latvia.len()
    );
}

#[tokio::test]
async fn seeding_a_seeded_database_again_brings_its_taxonomy_up_to_date() {
    let app = TestApp::seeded().await.expect("app");
    // As a database seeded before the taxonomy had labels in Hungarian.
    app.sql("UPDATE categories SET labels = labels - 'hu'")
        .await
        .expect("labels removed");
    let hungarian = "(SELECT labels->>'hu' FROM categories WHERE id = 'food-aid')";
    assert_eq!(app.sql_text(hungarian).await, None);
    let categories = seed::update_taxonomy(&app.store, &seed_dir())
        .await
        .expect("taxonomy updated");
    assert!(categories >= 80, "{categories}");
    assert_eq!(
        app.sql_text(hungarian).await.as_deref(),
        Some("Élelmiszerbankok és szociális boltok")
    );
}

/// The keys of an actor's descriptions, found by its exact name.
async fn description_languages(app: &TestApp, name: &str) -> (Vec<String>, Vec<String>) {
    let actors = app
        .walk(&format!(
            "/v1/actors?q={}&limit=50",
            form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        ))
        .await;
    let actor = actors
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("{name} is in the seed"));
    let keys = actor["description"]
        .as_object()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    let languages = actor["languages"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (keys, languages)
}

#[tokio::test]
async fn the_seed_keys_each_text_by_the_language_it_is_written_in() {
    let app = TestApp::seeded().await.expect("app");
    // SUSY's main description is untagged: German here ("SLOW FOOD DEUTSCHLAND wurde 1992
    // gegründet …"), English for a British record, an English translation beside the
    // record's own German text for an Austrian one. An actor works in the languages of its
    // texts (the source does not say).
    for (name, expected) in [
        ("Slow Food - Convivium Harz", vec!["de"]),
        ("Bristol Energy Cooperative", vec!["en"]),
        ("Waldhüttl", vec!["de", "en"]),
        ("Entre Nós", vec!["pt"]),
    ] {
        let (keys, languages) = description_languages(&app, name).await;
        assert_eq!(keys, expected, "{name}: its descriptions' languages");
        assert_eq!(languages, expected, "{name}: the languages it works in");
    }

    // German texts are stemmed as German: "Flüchtlinge" is one word with the "Flüchtlings"
    // and "Flüchtlingen" of the texts that have it (as English, 2 of its 9 actors had the
    // word as typed, the other 7 only a typo correction of it).
    let (exact, all) = app
        .sql_text(
            "SELECT count(*) FILTER (WHERE a.search_doc @@ q.match_exact) || '/' || count(*) \
             AS value FROM actors a, atlas_search_query('Flüchtlinge') q \
             WHERE a.status = 'published' AND a.search_doc @@ q.match_all",
        )
        .await
        .and_then(|v| v.split_once('/').map(|(e, a)| (e.to_owned(), a.to_owned())))
        .expect("counts");
    assert_eq!(exact, all, "every match has the word as typed or stemmed");
    assert!(all.parse::<u32>().unwrap_or_default() >= 9, "{all} matches");

    // So the language facet and filter have something to count: every actor filtered by a
    // language works in it, as many as the facet says.
    let facets = app.get("/v1/facets").await.json();
    let german = facets["languages"]["de"].as_u64().unwrap_or_default();
    assert!(german > 300, "German-speaking actors: {facets}");
    let listed = app.walk("/v1/actors?language=de&limit=1000").await;
    assert_eq!(listed.len() as u64, german);
    assert!(listed.iter().all(|a| a["languages"]
        .as_array()
        .is_some_and(|l| l.contains(&"de".into()))));
}
