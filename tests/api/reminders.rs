//! Stale-listing reminders (`atlas remind`): one email per stale listing through SMTP, a
//! "still correct" link that a mail scanner's GET cannot trigger, single-use tokens, and no
//! second reminder within the period.

use actix_web::test::TestRequest;
use atlas_api::remind::remind;
use atlas_e2e::{Response, TestApp};
use serde_json::json;

fn assert_problem(response: &Response, status: u16, code: &str) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(response.json()["code"], code, "{}", response.text());
}

/// Published actors with a contact email: (id, email).
async fn owned(app: &TestApp, skip: usize) -> (String, String) {
    let row = app
        .sql_text(&format!(
            "SELECT a.id || '|' || c.email FROM actors a JOIN actor_contacts c ON c.actor_id = a.id \
             WHERE a.status = 'published' AND c.email IS NOT NULL AND c.email <> '' \
             ORDER BY a.id OFFSET {skip} LIMIT 1"
        ))
        .await
        .expect("a published actor with an email");
    let (id, email) = row.split_once('|').expect("id|email");
    (id.to_owned(), email.to_owned())
}

/// Every listing fresh, then these ones untouched for 400 days.
async fn make_stale(app: &TestApp, ids: &[&str]) {
    app.sql("UPDATE actors SET last_verified_at = now()")
        .await
        .expect("fresh");
    let list = ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    app.sql(&format!(
        "UPDATE actors SET updated_at = now() - interval '400 days', \
         last_verified_at = now() - interval '400 days' WHERE id IN ({list})"
    ))
    .await
    .expect("stale");
}

async fn last_verified(app: &TestApp, id: &str) -> String {
    app.get(&format!("/v1/actors/{id}")).await.json()["last_verified_at"]
        .as_str()
        .expect("last_verified_at in the public view")
        .to_owned()
}

#[tokio::test]
async fn remind_emails_each_stale_listing_once_and_its_link_confirms_the_listing() {
    let app = TestApp::seeded().await.expect("app");
    let (first, first_email) = owned(&app, 0).await;
    let (second, second_email) = owned(&app, 1).await;
    let (no_email, _) = owned(&app, 2).await;
    let (archived, _) = owned(&app, 3).await;
    make_stale(&app, &[&first, &second, &no_email, &archived]).await;
    app.sql(&format!(
        "UPDATE actor_contacts SET email = NULL WHERE actor_id = '{no_email}'"
    ))
    .await
    .expect("no email");
    app.sql(&format!(
        "UPDATE actors SET status = 'archived' WHERE id = '{archived}'"
    ))
    .await
    .expect("archived");

    // A dry run lists them and writes nothing.
    let before = app.write_counts().await;
    let dry = remind(&app.state, 30, true).await.expect("dry run");
    let mut found: Vec<String> = dry.listings.iter().map(|l| l.id.to_string()).collect();
    found.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(app.write_counts().await, before);
    assert_eq!(app.count("stale_reminders").await, 0);
    assert!(app.mail.messages().is_empty());

    // The real run: exactly one email per stale listing, over SMTP.
    let run = remind(&app.state, 30, false).await.expect("remind");
    assert_eq!(run.listings.len(), 2);
    assert_eq!(run.sent, 2);
    assert_eq!(app.mail.messages().len(), 2);
    assert_eq!(app.mail.messages_to(&first_email).len(), 1);
    assert_eq!(app.mail.messages_to(&second_email).len(), 1);
    let mail = app.mail.messages_to(&first_email).remove(0);
    let link = mail
        .line_value("Still correct")
        .expect("a still-correct link");
    let token = mail.line_value("Token").expect("the token");
    assert!(
        link.ends_with(&format!("/v1/actors/{first}/verify?token={token}")),
        "{link}"
    );
    assert_eq!(
        app.sql_text(&format!(
            "SELECT count(*) FROM access_tokens WHERE purpose = 'verify_actor' AND token_hash = sha256(convert_to('{token}', 'UTF8'))"
        ))
        .await
        .as_deref(),
        Some("1"),
        "only the token's hash is stored"
    );

    // Opening the link (as a mail scanner would) changes nothing: it shows one button.
    let was = last_verified(&app, &first).await;
    let version = app.get(&format!("/v1/actors/{first}")).await.json()["version"].clone();
    let path = &link[link.find("/v1/").expect("path")..];
    let page = app.get(path).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    let html = page.text();
    assert!(
        html.contains(&format!("action=\"/v1/actors/{first}/verify\"")),
        "{html}"
    );
    assert!(html.contains("method=\"post\""));
    assert_eq!(
        app.get(path).await.status,
        200,
        "fetching twice is harmless"
    );
    assert_eq!(last_verified(&app, &first).await, was);

    // Pressing the button confirms the listing: the date moves, the content does not.
    let changes = app.count("change_events").await;
    let revisions = app.count("actor_revisions").await;
    let pressed = app
        .send(
            TestRequest::post()
                .uri(&format!("/v1/actors/{first}/verify"))
                .peer_addr("198.51.100.40:4000".parse().expect("peer"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(format!("token={token}")),
        )
        .await;
    assert_eq!(pressed.status, 200, "{}", pressed.text());
    assert!(pressed.text().contains("Thank you"));
    let now_verified = last_verified(&app, &first).await;
    assert!(now_verified > was, "{now_verified} > {was}");
    let public = app.get(&format!("/v1/actors/{first}")).await.json();
    assert_eq!(public["version"], version, "not a new version");
    assert_eq!(
        app.count("change_events").await,
        changes,
        "no change-feed event"
    );
    assert_eq!(app.count("actor_revisions").await, revisions, "no revision");
    assert_eq!(
        app.sql_text(&format!(
            "SELECT user_label FROM audit_log WHERE action = 'verify' AND target_id = '{first}'"
        ))
        .await
        .as_deref(),
        Some("owner (reminder link)")
    );

    // The token works once.
    let reused = app
        .post_json(
            &format!("/v1/actors/{first}/verify"),
            &json!({ "token": token }),
        )
        .await;
    assert_problem(&reused, 401, "token_used");
    assert_problem(&app.get(path).await, 401, "token_used");

    // The other listing is confirmed with JSON.
    let second_token = app.mail.messages_to(&second_email)[0]
        .line_value("Token")
        .expect("token");
    let confirmed = app
        .post_json(
            &format!("/v1/actors/{second}/verify"),
            &json!({ "token": second_token }),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(confirmed.json()["id"], second.as_str());

    // A second run within the period reminds no one again.
    let again = remind(&app.state, 30, false).await.expect("again");
    assert!(again.listings.is_empty(), "{:?}", again.listings);
    assert_eq!(app.mail.messages().len(), 2);
}

#[tokio::test]
async fn a_listing_reminded_but_not_confirmed_is_reminded_again_only_after_the_period() {
    let app = TestApp::seeded().await.expect("app");
    let (id, email) = owned(&app, 5).await;
    make_stale(&app, &[&id]).await;
    assert_eq!(remind(&app.state, 30, false).await.expect("run").sent, 1);
    assert!(remind(&app.state, 30, false)
        .await
        .expect("run")
        .listings
        .is_empty());
    app.sql(&format!(
        "UPDATE stale_reminders SET reminded_at = now() - interval '31 days' WHERE actor_id = '{id}'"
    ))
    .await
    .expect("a month later");
    assert_eq!(remind(&app.state, 30, false).await.expect("run").sent, 1);
    assert_eq!(app.mail.messages_to(&email).len(), 2);
}

#[tokio::test]
async fn bad_still_correct_requests_are_refused_and_change_nothing() {
    let app = TestApp::seeded().await.expect("app");
    let (id, email) = owned(&app, 0).await;
    let (other, _) = owned(&app, 1).await;
    make_stale(&app, &[&id]).await;
    remind(&app.state, 30, false).await.expect("remind");
    let token = app.mail.messages_to(&email)[0]
        .line_value("Token")
        .expect("token");
    let was = last_verified(&app, &id).await;
    let audit = app.count("audit_log").await;
    let post = |uri: String, body: serde_json::Value| {
        let app = &app;
        async move { app.post_json(&uri, &body).await }
    };

    assert_problem(
        &post(
            format!("/v1/actors/{id}/verify"),
            json!({"token": "guessed"}),
        )
        .await,
        401,
        "invalid_token",
    );
    assert_problem(
        &post(
            format!("/v1/actors/{other}/verify"),
            json!({ "token": token }),
        )
        .await,
        401,
        "invalid_token",
    );
    let missing = post(format!("/v1/actors/{id}/verify"), json!({})).await;
    assert_problem(&missing, 400, "required");
    assert_eq!(missing.json()["errors"][0]["field"], "token");
    assert_problem(
        &post(
            format!("/v1/actors/{id}/verify"),
            json!({"token": token, "extra": 1}),
        )
        .await,
        400,
        "unknown_field",
    );
    assert_problem(
        &post(
            "/v1/actors/not-an-id/verify".into(),
            json!({ "token": token }),
        )
        .await,
        404,
        "not_found",
    );
    let plain = app
        .send_json(
            TestRequest::post().uri(&format!("/v1/actors/{id}/verify")),
            "10.0.0.2:4000",
            &json!({}),
        )
        .await;
    assert_eq!(plain.status, 400);
    let text = app
        .send(
            TestRequest::post()
                .uri(&format!("/v1/actors/{id}/verify"))
                .peer_addr("10.0.0.3:4000".parse().expect("peer"))
                .insert_header(("content-type", "text/plain"))
                .set_payload(token.clone()),
        )
        .await;
    assert_problem(&text, 415, "unsupported_media_type");
    assert_problem(
        &app.get(&format!("/v1/actors/{id}/verify")).await,
        400,
        "required",
    );
    assert_problem(
        &app.get(&format!("/v1/actors/{id}/verify?token={token}&x=1"))
            .await,
        400,
        "unknown_parameter",
    );
    // Expired tokens are refused too.
    app.sql("UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'verify_actor'")
        .await
        .expect("expire");
    assert_problem(
        &post(format!("/v1/actors/{id}/verify"), json!({ "token": token })).await,
        401,
        "token_expired",
    );
    assert_eq!(last_verified(&app, &id).await, was);
    assert_eq!(app.count("audit_log").await, audit);
}
