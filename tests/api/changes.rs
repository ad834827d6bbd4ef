//! The change feed: ordered, complete, and enough to rebuild the published dataset.

use std::collections::{BTreeMap, BTreeSet};

use atlas_api::seed::{self, Progress};
use atlas_domain::{ActorDraft, ActorId, ReviewStatus, Source, SourceKind, Strictness};
use atlas_e2e::{seed_dir, shared_data, TestApp};
use atlas_store::{ImportOutcome, ImportedActor};

/// Replays the feed from 0 like a consumer would: fetch what was created or updated, drop
/// what was deleted. Returns the ids held at the end, and the seqs seen.
async fn replay(app: &TestApp, fetch: bool) -> (BTreeMap<String, i64>, Vec<i64>) {
    let mut copy = BTreeMap::new();
    let mut seqs = Vec::new();
    let mut since = 0;
    loop {
        let page = app
            .get(&format!("/v1/changes?since={since}&limit=333"))
            .await
            .json();
        for event in page["items"].as_array().expect("items") {
            seqs.push(event["seq"].as_i64().expect("seq"));
            let id = event["actor_id"].as_str().expect("id").to_owned();
            match event["kind"].as_str() {
                Some("created" | "updated") if !fetch => {
                    copy.insert(id, 0);
                }
                Some("created" | "updated") => {
                    let actor = app.get(&format!("/v1/actors/{id}")).await.json();
                    copy.insert(id, actor["version"].as_i64().expect("version"));
                }
                Some("deleted") => {
                    copy.remove(&id);
                }
                other => panic!("unknown kind {other:?}"),
            }
        }
        since = page["next_since"].as_i64().expect("next_since");
        if page["has_more"] != true {
            return (copy, seqs);
        }
    }
}

#[tokio::test]
async fn replaying_the_feed_rebuilds_the_published_dataset() {
    let app = TestApp::empty().await.expect("app");
    seed::seed(
        &app.store,
        &seed_dir(),
        &shared_data(),
        "ODbL-1.0",
        Progress::Hidden,
    )
    .await
    .expect("seed");
    // The source changes one record: re-importing it is an update, version 2.
    let feature = &atlas_e2e::seed_features()[0];
    let external_id = feature["properties"]["_id"].as_str().expect("_id");
    let draft = ActorDraft {
        name: Some("Renamed by its source".into()),
        lat: feature["geometry"]["coordinates"][1].as_f64(),
        lon: feature["geometry"]["coordinates"][0].as_f64(),
        ..ActorDraft::default()
    };
    let taxonomy = app.store.taxonomy().await.expect("taxonomy");
    let source = Source {
        kind: SourceKind::Imported,
        name: None,
    };
    let valid = draft
        .parse(&taxonomy, "ODbL-1.0", source, Strictness::Import)
        .expect("valid");
    let outcome = app
        .store
        .import_actor(ImportedActor {
            source: "susy",
            external_id,
            actor: &valid,
            status: ReviewStatus::Published,
        })
        .await
        .expect("import");
    assert_eq!(outcome, ImportOutcome::Updated);
    let id = ActorId::for_external("susy", external_id).to_string();
    let (copy, seqs) = replay(&app, true).await;
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "strictly ordered");
    let published: BTreeSet<String> = app
        .walk("/v1/actors?limit=1000")
        .await
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(copy.keys().cloned().collect::<BTreeSet<_>>(), published);
    assert_eq!(copy[&id], 2, "the replayed copy has the updated version");
    let last = app
        .get(&format!("/v1/changes?since={}", seqs[seqs.len() - 2]))
        .await
        .json();
    assert_eq!(last["items"][0]["kind"], "updated");
    assert_eq!(last["items"][0]["actor_id"], id.as_str());
    // Importing the source again restores the renamed record (one more event); after that,
    // an import that changes nothing adds nothing.
    seed::seed(
        &app.store,
        &seed_dir(),
        &shared_data(),
        "ODbL-1.0",
        Progress::Hidden,
    )
    .await
    .expect("reseed");
    let (_, restored) = replay(&app, false).await;
    assert_eq!(restored.len(), seqs.len() + 1);
    seed::seed(
        &app.store,
        &seed_dir(),
        &shared_data(),
        "ODbL-1.0",
        Progress::Hidden,
    )
    .await
    .expect("reseed");
    let (_, again) = replay(&app, false).await;
    assert_eq!(again.len(), restored.len());
}

#[tokio::test]
async fn bad_feed_parameters_are_400_problems() {
    let app = TestApp::empty().await.expect("app");
    for (uri, code) in [
        ("/v1/changes?since=-1", "invalid_since"),
        ("/v1/changes?since=abc", "invalid_since"),
        ("/v1/changes?limit=0", "invalid_limit"),
        ("/v1/changes?after=3", "unknown_parameter"),
    ] {
        let response = app.get(uri).await;
        assert_eq!(response.status, 400, "{uri}");
        assert_eq!(response.json()["code"], code, "{uri}");
    }
    let empty = app.get("/v1/changes").await.json();
    assert_eq!(empty["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(empty["next_since"], 0);
}
