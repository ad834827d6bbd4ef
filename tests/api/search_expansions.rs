//! Expanded texts kept between searches: a text asked again (another viewport, page, its
//! facets) is not expanded again while no actor changed, and a write to actors, through the
//! API or straight in SQL, makes the next search expand it anew.

use atlas_e2e::TestApp;

/// The ids of the first page of `uri`, in order.
async fn listed(app: &TestApp, uri: &str) -> Vec<String> {
    let page = app.get(uri).await;
    assert_eq!(page.status, 200, "{uri}: {}", page.text());
    page.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The seeded app without its response cache, so that every answer is computed again.
async fn app_computing_every_answer() -> TestApp {
    TestApp::seeded_with(|config| config.response_cache_mb = 0)
        .await
        .expect("app")
}

/// Writes one actor without changing it, straight in SQL (as another process would): the
/// actors change counter moves.
async fn write_to_one_actor(app: &TestApp) {
    app.sql(
        "UPDATE actors SET updated_at = updated_at WHERE id = \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY id LIMIT 1)",
    )
    .await
    .expect("update");
}

/// Empties the words typo corrections come from (not a write to actors).
async fn forget_every_word(app: &TestApp) {
    for table in ["search_vocabulary", "search_text_vocabulary"] {
        app.sql(&format!("DELETE FROM {table}"))
            .await
            .expect("delete");
    }
}

/// "coperativa" is found through typo corrections from the search vocabulary. Emptying the
/// vocabulary (not a write to actors) leaves the kept expansion, corrections included, in
/// use; the next write to an actor makes it expand again, now without them.
#[tokio::test]
async fn a_text_asked_again_is_expanded_again_only_after_a_write_to_actors() {
    let app = app_computing_every_answer().await;
    let uri = "/v1/actors?q=coperativa&limit=20";
    let first = listed(&app, uri).await;
    assert!(!first.is_empty(), "coperativa finds the cooperatives");

    forget_every_word(&app).await;
    assert_eq!(
        listed(&app, uri).await,
        first,
        "no actor changed: the text's expansion is the kept one"
    );
    let facets = app.get("/v1/facets?q=coperativa").await.json();
    assert_eq!(
        facets["total"].as_u64(),
        Some(app.get(uri).await.json()["total"].as_u64().expect("total")),
        "the facets of the same text use the same expansion: {facets}"
    );
    // A viewport the text was not asked in before.
    assert!(!listed(&app, "/v1/actors?q=coperativa&bbox=-10,35,5,44")
        .await
        .is_empty());

    write_to_one_actor(&app).await;
    assert!(
        listed(&app, uri).await.is_empty(),
        "after a write the text is expanded again, without the corrections deleted"
    );
}

/// A misspelling of a word no actor had: after an actor gets it (straight in SQL, as
/// another process would), the text searched before finds that actor.
#[tokio::test]
async fn a_text_searched_before_a_write_finds_what_the_write_added() {
    let app = app_computing_every_answer().await;
    let uri = "/v1/actors?q=Quokkaverien&limit=5";
    assert!(
        listed(&app, uri).await.is_empty(),
        "no actor has the word yet"
    );
    assert!(listed(&app, uri).await.is_empty(), "asked again");

    app.sql(
        "UPDATE actors SET name = name || ' Quokkaverein' WHERE id = \
         (SELECT id FROM actors WHERE status = 'published' ORDER BY id LIMIT 1)",
    )
    .await
    .expect("update");
    let found = app.get(uri).await.json();
    let first_name = found["items"][0]["name"].as_str().unwrap_or_default();
    assert!(
        first_name.ends_with("Quokkaverein"),
        "the misspelling finds the new word: {found}"
    );
}

/// With no memory for them, every search expands its text: emptying the vocabulary shows
/// at once.
#[tokio::test]
async fn kept_expansions_can_be_turned_off() {
    let app = TestApp::seeded_with(|config| {
        config.response_cache_mb = 0;
        config.search_expansion_cache_mb = 0;
    })
    .await
    .expect("app");
    let uri = "/v1/actors?q=coperativa&limit=20";
    assert!(!listed(&app, uri).await.is_empty());
    forget_every_word(&app).await;
    assert!(listed(&app, uri).await.is_empty());
}

/// Which words of a relaxed text name a place is asked once and kept with its expansion:
/// with the towns' names gone (not a write to actors), "housing cooperative vienna" still
/// keeps Vienna when it drops a word; after an actor write it is asked anew.
#[tokio::test]
async fn a_relaxed_text_asked_again_keeps_which_of_its_words_name_a_place() {
    let app = app_computing_every_answer().await;
    let uri = "/v1/actors?q=housing%20cooperative%20vienna&limit=50";
    // The countries of a page's actors, in order.
    let countries = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["country"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let first = app.get(uri).await.json();
    assert_eq!(first["relaxed"], true, "no actor has every word");
    let kept = countries(&first);
    assert!(
        !kept.is_empty() && kept.iter().all(|c| c == "AT"),
        "Vienna is kept: {kept:?}"
    );

    // The towns' names (their aliases are a view of them).
    app.sql("DELETE FROM gazetteer_names")
        .await
        .expect("delete");
    let again = app.get(uri).await.json();
    assert_eq!(
        again["items"],
        first["items"],
        "the kept place words are used: {:?}",
        countries(&again)
    );

    write_to_one_actor(&app).await;
    let asked_anew = countries(&app.get(uri).await.json());
    assert!(
        asked_anew.iter().any(|c| c != "AT"),
        "asked anew, no word names a place, so Vienna may be dropped: {asked_anew:?}"
    );
}
