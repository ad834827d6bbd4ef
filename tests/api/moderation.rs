//! Moderator accounts, guards, and decisions on published actors: archive, restore, merge,
//! with their history, change-feed events and audit entries.

use actix_web::test::TestRequest;
use atlas_e2e::TestApp;
use serde_json::{json, Value};

async fn first_actors(app: &TestApp, n: usize) -> Vec<Value> {
    app.get(&format!("/v1/actors?limit={n}")).await.json()["items"]
        .as_array()
        .cloned()
        .expect("items")
}

#[tokio::test]
async fn a_moderator_logs_in_and_out_and_the_token_dies_with_the_session() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    assert_eq!(
        app.send_as(&token, TestRequest::get().uri("/v1/audit"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.send_as(&token, TestRequest::post().uri("/v1/auth/logout"))
            .await
            .status,
        204
    );
    let after = app
        .send_as(&token, TestRequest::get().uri("/v1/audit"))
        .await;
    assert_eq!(after.status, 401);
    assert_eq!(after.json()["code"], "unauthorized");
    assert_eq!(after.header("www-authenticate").as_deref(), Some("Bearer"));
    let stored: usize = app
        .sql(&format!(
            "SELECT 1 FROM sessions WHERE token_hash = '{token}'"
        ))
        .await
        .expect("sql");
    assert_eq!(stored, 0, "the token itself is never stored, only its hash");
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account() {
    let app = TestApp::empty().await.expect("app");
    atlas_api::routes::admin::create_account(
        &app.state,
        None,
        "mod@example.org",
        "Mod",
        "moderator",
        "the right password",
    )
    .await
    .expect("user");
    let login = |password: &str| {
        TestRequest::post()
            .uri("/v1/auth/login")
            .set_json(json!({"email": "mod@example.org", "password": password}))
    };
    let unknown = app
        .send_from_anywhere(
            TestRequest::post()
                .uri("/v1/auth/login")
                .set_json(json!({"email": "nobody@example.org", "password": "whatever it is"})),
        )
        .await;
    assert_eq!(unknown.status, 401, "unknown and wrong look the same");
    for _ in 0..5 {
        let wrong = app.send_from_anywhere(login("the wrong password")).await;
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.json()["code"], "unauthorized");
    }
    let locked = app.send_from_anywhere(login("the right password")).await;
    assert_eq!(
        locked.status,
        429,
        "locked even with the right password: {}",
        locked.text()
    );
    assert_eq!(locked.json()["code"], "login_locked");
    assert!(locked
        .header("retry-after")
        .is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s > 0)));
}

#[tokio::test]
async fn admins_create_moderators_and_moderators_cannot() {
    let app = TestApp::empty().await.expect("app");
    let admin = app.login_as("admin").await;
    let moderator = app.login_as("moderator").await;
    let body = json!({"email": "new@example.org", "display_name": "New", "role": "moderator", "password": "twelve chars!"});
    let created = app
        .send_as(
            &admin,
            TestRequest::post().uri("/v1/admin/users").set_json(&body),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["role"], "moderator");
    let again = app
        .send_as(
            &admin,
            TestRequest::post().uri("/v1/admin/users").set_json(&body),
        )
        .await;
    assert_eq!(
        (again.status.as_u16(), again.json()["code"].clone()),
        (409, json!("email_taken"))
    );
    let forbidden = app
        .send_as(
            &moderator,
            TestRequest::post().uri("/v1/admin/users").set_json(&body),
        )
        .await;
    assert_eq!(
        (forbidden.status.as_u16(), forbidden.json()["code"].clone()),
        (403, json!("forbidden"))
    );

    let count_users = || app.sql("SELECT 1 FROM users");
    let before = count_users().await.expect("count");
    let bad_bodies: Vec<(TestRequest, u16, &str)> = vec![
        (TestRequest::post().set_json(json!({"email": "x@", "display_name": "", "role": "root", "password": "short"})), 400, "validation_failed"),
        (TestRequest::post().set_json(json!({"email": "a@example.org", "display_name": "A", "role": "moderator", "password": "long enough pw", "admin": true})), 400, "invalid_field"),
        (TestRequest::post().set_json(json!({"email": 5})), 400, "invalid_field"),
        (TestRequest::post().insert_header(("Content-Type", "application/json")).set_payload("{not json"), 400, "invalid_json"),
        (TestRequest::post().insert_header(("Content-Type", "text/plain")).set_payload("hello"), 415, "unsupported_media_type"),
        (TestRequest::post().insert_header(("Content-Type", "application/json")).set_payload(vec![b' '; 300_000]), 413, "payload_too_large"),
    ];
    for (request, status, code) in bad_bodies {
        let response = app.send_as(&admin, request.uri("/v1/admin/users")).await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{code}: {}",
            response.text()
        );
        assert_eq!(response.json()["code"], code, "{}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    assert_eq!(
        count_users().await.expect("count"),
        before,
        "nothing was written"
    );
}

/// Every operation the OpenAPI document marks as guarded answers 401 without a token, and
/// 403 to a moderator when it needs an admin: a new endpoint cannot forget its guard.
#[tokio::test]
async fn every_guarded_operation_refuses_missing_and_insufficient_tokens() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let some_id = first_actors(&app, 1).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let doc = app.get("/openapi.json").await.json();
    let mut guarded = 0;
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let Some(security) = operation["security"].as_array() else {
                continue;
            };
            let scopes: Vec<&str> = security
                .iter()
                .flat_map(|s| s["bearer"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            // Moderator sessions name the role they need; owner edit tokens (`edit_token`)
            // are bound to one actor instead.
            let is_session = security.iter().any(|s| s.get("bearer").is_some());
            assert!(
                !is_session || !scopes.is_empty(),
                "{method} {path} names its role"
            );
            let uri = path
                .replace("{id}", &some_id)
                .replace("{id_or_slug}", &some_id);
            let request = || {
                match method.as_str() {
                    "get" => TestRequest::get(),
                    "post" => TestRequest::post(),
                    "patch" => TestRequest::patch(),
                    "put" => TestRequest::put(),
                    "delete" => TestRequest::delete(),
                    other => panic!("unexpected method {other}"),
                }
                .uri(&uri)
                .set_json(json!({}))
            };
            // An empty requirement (`{}`) makes the credential optional (partner keys on
            // submissions): then only a bad credential must be refused.
            let optional = security
                .iter()
                .any(|s| s.as_object().is_some_and(|o| o.is_empty()));
            if !optional {
                let anonymous = app.send_from_anywhere(request()).await;
                assert_eq!(anonymous.status, 401, "{method} {path} without a token");
            }
            let wrong = app
                .send_from_anywhere(
                    request().insert_header(("Authorization", "Bearer not-a-token")),
                )
                .await;
            assert_eq!(wrong.status, 401, "{method} {path} with an unknown token");
            if scopes.contains(&"admin") {
                let as_moderator = app.send_as(&moderator, request()).await;
                assert_eq!(as_moderator.status, 403, "{method} {path} as a moderator");
            }
            guarded += 1;
        }
    }
    assert!(
        guarded >= 7,
        "the walk found the guarded operations ({guarded})"
    );
}

/// The newest event of the change feed.
async fn last_change(app: &TestApp) -> Option<Value> {
    let mut since = 0;
    let mut last = None;
    loop {
        let page = app
            .get(&format!("/v1/changes?since={since}&limit=1000"))
            .await
            .json();
        if let Some(item) = page["items"].as_array().and_then(|i| i.last().cloned()) {
            last = Some(item);
        }
        since = page["next_since"].as_i64().expect("next_since");
        if page["has_more"] != true {
            return last;
        }
    }
}

#[tokio::test]
async fn archiving_takes_an_actor_off_the_map_and_restoring_brings_it_back() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    let actor = first_actors(&app, 1).await.remove(0);
    let id = actor["id"].as_str().expect("id");
    let archived = app
        .send_as(
            &token,
            TestRequest::post()
                .uri(&format!("/v1/actors/{id}/archive"))
                .set_json(json!({"note": "closed in 2020"})),
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.text());
    assert_eq!(archived.json()["status"], "archived");
    assert_eq!(app.get(&format!("/v1/actors/{id}")).await.status, 404);
    let event = last_change(&app).await.expect("event");
    assert_eq!(
        (event["kind"].as_str(), event["actor_id"].as_str()),
        (Some("deleted"), Some(id))
    );

    let twice = app
        .send_as(
            &token,
            TestRequest::post().uri(&format!("/v1/actors/{id}/archive")),
        )
        .await;
    assert_eq!(
        (twice.status.as_u16(), twice.json()["code"].clone()),
        (409, json!("illegal_transition"))
    );

    let restored = app
        .send_as(
            &token,
            TestRequest::post().uri(&format!("/v1/actors/{id}/restore")),
        )
        .await;
    assert_eq!(restored.status, 200);
    assert_eq!(
        app.get(&format!("/v1/actors/{id}")).await.json()["version"],
        3
    );
    assert_eq!(last_change(&app).await.expect("event")["kind"], "created");

    let history = app
        .send_as(
            &token,
            TestRequest::get().uri(&format!("/v1/actors/{id}/history")),
        )
        .await
        .json();
    let revisions = history["revisions"].as_array().expect("revisions");
    let statuses: Vec<&str> = revisions
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses, ["published", "archived", "published"]);
    assert_eq!(revisions[1]["note"], "closed in 2020");
    assert!(revisions[1]["author"]
        .as_str()
        .is_some_and(|a| a.contains("moderator")));
    assert!(
        revisions[0]["changes"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["field"] == "name")),
        "the first revision shows every field as new"
    );

    let audit = app
        .send_as(&token, TestRequest::get().uri("/v1/audit?limit=10"))
        .await
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(&actions[..2], ["restore", "archive"]);
}

#[tokio::test]
async fn of_two_concurrent_decisions_exactly_one_applies() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    let id = first_actors(&app, 1).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let uri = format!("/v1/actors/{id}/archive");
    let (a, b) = tokio::join!(
        app.send_as(&token, TestRequest::post().uri(&uri)),
        app.send_as(&token, TestRequest::post().uri(&uri)),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let revisions = app
        .send_as(
            &token,
            TestRequest::get().uri(&format!("/v1/actors/{id}/history")),
        )
        .await
        .json();
    assert_eq!(revisions["revisions"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_merged_actor_redirects_to_the_survivor() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    let actors = first_actors(&app, 2).await;
    let (survivor, duplicate) = (&actors[0], &actors[1]);
    let (survivor_id, duplicate_id) = (
        survivor["id"].as_str().expect("id"),
        duplicate["id"].as_str().expect("id"),
    );
    let merge = |from: &str, into: &str| {
        TestRequest::post()
            .uri(&format!("/v1/actors/{from}/merge"))
            .set_json(json!({"into": into}))
    };

    let itself = app.send_as(&token, merge(survivor_id, survivor_id)).await;
    assert_eq!(
        (itself.status.as_u16(), itself.json()["code"].clone()),
        (409, json!("merge_into_itself"))
    );
    let merged = app.send_as(&token, merge(duplicate_id, survivor_id)).await;
    assert_eq!(merged.status, 200, "{}", merged.text());

    for old in [duplicate_id, duplicate["slug"].as_str().expect("slug")] {
        let response = app.get(&format!("/v1/actors/{old}")).await;
        assert_eq!(response.status, 301, "{old}");
        assert_eq!(
            response.header("location"),
            Some(format!(
                "/v1/actors/{}",
                survivor["slug"].as_str().expect("slug")
            ))
        );
    }
    let after = app.get(&format!("/v1/actors/{survivor_id}")).await.json();
    assert!(after["alt_names"]
        .as_array()
        .is_some_and(|a| a.contains(&duplicate["name"])));
    for id in [survivor_id, duplicate_id] {
        let history = app
            .send_as(
                &token,
                TestRequest::get().uri(&format!("/v1/actors/{id}/history")),
            )
            .await
            .json();
        let last = history["revisions"]
            .as_array()
            .and_then(|r| r.last().cloned())
            .expect("revision");
        assert!(
            last["note"].as_str().is_some_and(|n| n.contains("merged")),
            "{id}: {last}"
        );
    }
    let restore = app
        .send_as(
            &token,
            TestRequest::post().uri(&format!("/v1/actors/{duplicate_id}/restore")),
        )
        .await;
    assert_eq!(
        (restore.status.as_u16(), restore.json()["code"].clone()),
        (409, json!("merged"))
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_rewritten() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    let id = first_actors(&app, 1).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.send_as(
        &token,
        TestRequest::post().uri(&format!("/v1/actors/{id}/archive")),
    )
    .await;
    assert!(app
        .sql("UPDATE audit_log SET action = 'nothing'")
        .await
        .is_err());
    assert!(app.sql("DELETE FROM audit_log").await.is_err());
    assert!(app.sql("DELETE FROM actor_revisions").await.is_err());
}

#[tokio::test]
async fn moderation_ids_must_be_uuids_of_existing_actors() {
    let app = TestApp::seeded().await.expect("app");
    let token = app.login_as("moderator").await;
    let slug = app
        .send_as(
            &token,
            TestRequest::post().uri("/v1/actors/some-slug/archive"),
        )
        .await;
    assert_eq!(
        (slug.status.as_u16(), slug.json()["code"].clone()),
        (400, json!("invalid_id"))
    );
    let missing = app
        .send_as(
            &token,
            TestRequest::post().uri("/v1/actors/00000000-0000-0000-0000-000000000000/archive"),
        )
        .await;
    assert_eq!(
        (missing.status.as_u16(), missing.json()["code"].clone()),
        (404, json!("not_found"))
    );
    let history = app
        .send_as(
            &token,
            TestRequest::get().uri("/v1/actors/00000000-0000-0000-0000-000000000000/history"),
        )
        .await;
    assert_eq!(history.status, 404);
    let audit = app
        .send_as(&token, TestRequest::get().uri("/v1/audit?before=x"))
        .await;
    assert_eq!(
        (audit.status.as_u16(), audit.json()["code"].clone()),
        (400, json!("invalid_before"))
    );
}
