//! The whole loop through the API alone: a stranger's submission, confirmed by email, decided by
//! a moderator from the queue, published, searchable, in the history, the feed and the audit log.

use actix_web::test::TestRequest;
use atlas_e2e::TestApp;
use serde_json::{json, Value};

fn submission(name: &str, email: &str) -> Value {
    json!({
        "name": name,
        "summary": {"de": "Reparieren statt wegwerfen", "en": "Repair instead of throwing away"},
        "kind": "association",
        "categories": ["food-rescue"],
        "country": "AT",
        "city": "Wien",
        "location": {"lat": 48.2100, "lon": 16.3600},
        "website": "https://review-story.example.org",
        "contact_email": email,
        "consent": {"publish": true, "licence": "ODbL-1.0"}
    })
}

/// Submits, delivers the email, confirms with the token it carries; returns the item id.
async fn submit_and_confirm(app: &TestApp, name: &str, email: &str) -> String {
    let response = app
        .post_json("/v1/submissions", &submission(name, email))
        .await;
    assert_eq!(response.status, 202, "{}", response.text());
    let id = response.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(app.deliver_mail().await, 1);
    let token = app
        .mail
        .messages_to(email)
        .last()
        .and_then(|m| m.line_value("Token"))
        .expect("token");
    let confirmed = app
        .post_json(
            &format!("/v1/submissions/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(confirmed.json()["status"], "pending_review");
    id
}

#[tokio::test]
async fn a_submission_goes_from_the_queue_to_the_map() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let id = submit_and_confirm(
        &app,
        "Reparaturcafé Ottakring",
        "team@review-story.example.org",
    )
    .await;

    let queue = app
        .send_as(
            &moderator,
            TestRequest::get().uri("/v1/moderation/queue?kind=submission"),
        )
        .await
        .json();
    let item = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id.as_str())
        .cloned()
        .expect("in the queue");
    assert_eq!(item["actor_name"], "Reparaturcafé Ottakring");
    assert!(queue["counts"]["submission"].as_i64() >= Some(1));

    let detail = app
        .send_as(
            &moderator,
            TestRequest::get().uri(&format!("/v1/moderation/items/{id}")),
        )
        .await
        .json();
    assert_eq!(detail["kind"], "submission");
    assert!(detail["current"].is_null(), "nothing is published yet");
    let changed: Vec<&str> = detail["diff"]
        .as_array()
        .expect("diff")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert!(
        changed.contains(&"name") && changed.contains(&"summary.de"),
        "{changed:?}"
    );
    let actor_id = detail["actor_id"].as_str().expect("actor").to_owned();
    assert_eq!(app.get(&format!("/v1/actors/{actor_id}")).await.status, 404);

    let approved = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/moderation/items/{id}/approve"))
                .set_json(json!({"note": "welcome"})),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    assert_eq!(approved.json()["status"], "approved");
    // The submitter is told, through the same SMTP outbox.
    assert_eq!(app.deliver_mail().await, 1);
    let told = app.mail.messages_to("team@review-story.example.org");
    let decision = told.last().expect("a decision email");
    assert_eq!(decision.line_value("Decision").as_deref(), Some("approved"));
    assert_eq!(
        decision.line_value("Message from the moderator").as_deref(),
        Some("welcome")
    );

    // Public, searchable, and recorded everywhere.
    let public = app.get(&format!("/v1/actors/{actor_id}")).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.json()["version"], 2);
    let found = app
        .get("/v1/actors?q=Reparaturcafe%20Ottakring")
        .await
        .json();
    assert!(
        found["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["id"] == actor_id.as_str()),
        "searchable: {found}"
    );
    let history = app
        .send_as(
            &moderator,
            TestRequest::get().uri(&format!("/v1/actors/{actor_id}/history")),
        )
        .await
        .json();
    let statuses: Vec<&str> = history["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses.last(), Some(&"published"));
    let audit = app
        .send_as(&moderator, TestRequest::get().uri("/v1/audit?limit=5"))
        .await
        .json();
    assert!(audit["items"]
        .as_array()
        .expect("audit")
        .iter()
        .any(|e| e["action"] == "approved" && e["target_id"] == id.as_str()));
    let status = app.get(&format!("/v1/submissions/{id}?token=x")).await;
    assert_ne!(status.status, 500);

    // Deciding again is a conflict, and changes nothing.
    let again = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/moderation/items/{id}/reject"))
                .set_json(json!({"note": "no"})),
        )
        .await;
    assert_eq!(
        (again.status.as_u16(), again.json()["code"].clone()),
        (409, json!("illegal_transition"))
    );
    assert_eq!(app.get(&format!("/v1/actors/{actor_id}")).await.status, 200);
}

#[tokio::test]
async fn of_two_concurrent_decisions_on_one_item_exactly_one_applies() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let id = submit_and_confirm(&app, "Zwei Entscheidungen", "two@review-story.example.org").await;
    let (a, b) = tokio::join!(
        app.send_as(
            &moderator,
            TestRequest::post().uri(&format!("/v1/moderation/items/{id}/approve"))
        ),
        app.send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/moderation/items/{id}/reject"))
                .set_json(json!({"note": "dup"}))
        ),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_keeps_the_listing_off_the_map() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let id = submit_and_confirm(&app, "Abgelehnt", "no@review-story.example.org").await;
    let silent = app
        .send_as(
            &moderator,
            TestRequest::post().uri(&format!("/v1/moderation/items/{id}/reject")),
        )
        .await;
    assert_eq!(
        (silent.status.as_u16(), silent.json()["code"].clone()),
        (400, json!("required"))
    );
    let rejected = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/moderation/items/{id}/reject"))
                .set_json(json!({"note": "not a social economy actor"})),
        )
        .await;
    assert_eq!(rejected.json()["status"], "rejected");
    assert_eq!(app.deliver_mail().await, 1);
    let told = app.mail.messages_to("no@review-story.example.org");
    assert_eq!(
        told.last()
            .and_then(|m| m.line_value("Decision"))
            .as_deref(),
        Some("rejected")
    );
    assert!(told
        .last()
        .is_some_and(|m| m.text().contains("not a social economy actor")));
    let actor_id = rejected.json()["actor_id"]
        .as_str()
        .expect("actor")
        .to_owned();
    assert_eq!(app.get(&format!("/v1/actors/{actor_id}")).await.status, 404);
    let bad = app
        .send_as(
            &moderator,
            TestRequest::get().uri("/v1/moderation/queue?kind=spam"),
        )
        .await;
    assert_eq!(
        (bad.status.as_u16(), bad.json()["code"].clone()),
        (400, json!("invalid_kind"))
    );
    let missing = app
        .send_as(
            &moderator,
            TestRequest::get().uri("/v1/moderation/items/00000000-0000-0000-0000-000000000000"),
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn an_approved_erasure_request_leaves_no_personal_data() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let email = "erase-me@review-story.example.org";
    let id = submit_and_confirm(&app, "Bitte Löschen", email).await;
    let approved = app
        .send_as(
            &moderator,
            TestRequest::post().uri(&format!("/v1/moderation/items/{id}/approve")),
        )
        .await;
    let actor_id = approved.json()["actor_id"]
        .as_str()
        .expect("actor")
        .to_owned();
    let request = app
        .post_json(
            &format!("/v1/actors/{actor_id}/erasure-request"),
            &json!({"email": email, "message": "please remove us"}),
        )
        .await;
    assert!(request.status.is_success(), "{}", request.text());
    let queue = app
        .send_as(
            &moderator,
            TestRequest::get().uri("/v1/moderation/queue?kind=erasure_request"),
        )
        .await
        .json();
    let erasure_id = queue["items"][0]["id"]
        .as_str()
        .expect("erasure item")
        .to_owned();
    let erased = app
        .send_as(
            &moderator,
            TestRequest::post().uri(&format!("/v1/moderation/items/{erasure_id}/approve")),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.text());
    assert_eq!(app.get(&format!("/v1/actors/{actor_id}")).await.status, 404);
    // The email appears in no table any more.
    let leftovers = app
        .sql_text(&format!(
            "SELECT coalesce(string_agg(table_name || '.' || column_name, ','), '') FROM ( \
               SELECT 'actor_contacts' AS table_name, 'email' AS column_name FROM actor_contacts WHERE email = '{email}' \
               UNION ALL SELECT 'moderation_items', 'submitter_email' FROM moderation_items WHERE submitter_email = '{email}' OR contact_email = '{email}' \
               UNION ALL SELECT 'email_outbox', 'recipient' FROM email_outbox WHERE recipient = '{email}' \
               UNION ALL SELECT 'audit_log', 'details' FROM audit_log WHERE details::text LIKE '%{email}%' \
             ) leaks"
        ))
        .await
        .expect("sql");
    assert_eq!(leftovers, "", "personal data left in: {leftovers}");
    let mut since = 0;
    let mut last_for_actor = None;
    loop {
        let feed = app
            .get(&format!("/v1/changes?since={since}&limit=1000"))
            .await
            .json();
        for event in feed["items"].as_array().expect("items") {
            if event["actor_id"] == actor_id.as_str() {
                last_for_actor = Some(event["kind"].clone());
            }
        }
        since = feed["next_since"].as_i64().expect("next_since");
        if feed["has_more"] != true {
            break;
        }
    }
    assert_eq!(
        last_for_actor,
        Some(json!("deleted")),
        "a tombstone stays in the feed"
    );
}
