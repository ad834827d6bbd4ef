//! How actors are stored for search (migration 000420): a search reads each matching actor's
//! search document several times, so the document stays in the actor's row rather than in
//! the TOAST table, where every reference fetched it again.

use atlas_e2e::TestApp;

/// Rows of 2.5–4 kB, over PostgreSQL's default toast target (~2 kB), are common in the seed
/// (long texts in several languages). Written again as new actors, they store nothing in the
/// TOAST table: with the default target each stored its search document there.
#[tokio::test]
async fn an_actor_s_row_smaller_than_a_page_keeps_every_value_in_itself() {
    let app = TestApp::seeded().await.expect("app");
    let toast = app
        .sql_text("SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'actors'::regclass")
        .await
        .expect("the actors table has a TOAST table");
    let stored_apart = app.count(&toast).await;

    // Copies under new ids and slugs: inserted rows are stored under the table's rules.
    let copied = app
        .sql(
            "INSERT INTO actors SELECT (jsonb_populate_record(a, jsonb_build_object( \
               'id', gen_random_uuid(), 'slug', a.slug || '-copy', 'external_id', NULL))).* \
             FROM actors a WHERE a.status = 'published' \
               AND pg_column_size(a.*) BETWEEN 2500 AND 4000 LIMIT 20",
        )
        .await
        .expect("copy actors");
    assert_eq!(copied, 20, "the seed has rows of 2.5–4 kB");
    assert_eq!(
        app.count(&toast).await,
        stored_apart,
        "none of the copies stored a value apart"
    );
}

/// search_names is what the typo bonus measures edit distances to (sql/search_score.sql): it
/// ended with a space for every actor without other names, which made each distance one
/// more (migration 000430).
#[tokio::test]
async fn an_actor_s_names_for_search_end_with_its_last_letter() {
    let app = TestApp::seeded().await.expect("app");
    app.sql("UPDATE actors SET alt_names = '{}' WHERE slug = (SELECT min(slug) FROM actors)")
        .await
        .expect("write one actor");
    let padded = app
        .sql_text(
            "SELECT count(*)::text AS value FROM actors \
             WHERE search_names <> btrim(search_names)",
        )
        .await
        .expect("count");
    assert_eq!(padded, "0");
    let without_other_names = app
        .sql_text("SELECT count(*)::text AS value FROM actors WHERE alt_names = '{}'")
        .await
        .expect("count");
    assert_ne!(
        without_other_names, "0",
        "the seed has actors without other names"
    );
}
