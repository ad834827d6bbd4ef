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
