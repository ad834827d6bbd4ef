//! Partner organisations with admin-issued API keys: the key's lifecycle (issued, listed,
//! revoked, each in the audit log), submissions that skip the email confirmation but not
//! moderation, edits limited to the key's listings, and the hourly quota.

use actix_web::test::TestRequest;
use atlas_e2e::{Response, TestApp};
use serde_json::{json, Value};

fn listing(email: &str) -> Value {
    json!({
        "name": "Kooperative Gemüsekiste Graz",
        "summary": {"de": "Solidarische Landwirtschaft", "en": "Community-supported agriculture"},
        "kind": "cooperative",
        "categories": ["food-rescue"],
        "languages": ["de"],
        "country": "AT",
        "city": "Graz",
        "location": {"lat": 47.0707, "lon": 15.4395},
        "website": "https://gemuesekiste-graz.example.org",
        "contact_email": email,
        "consent": {"publish": true, "licence": "ODbL-1.0"}
    })
}

fn assert_problem(response: &Response, status: u16, code: &str) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(response.json()["code"], code, "{}", response.text());
}

/// Issues a key through the API as `admin`; returns the 201 body.
async fn issue(app: &TestApp, admin: &str, body: Value) -> Value {
    let created = app
        .send_as(
            admin,
            TestRequest::post().uri("/v1/admin/api-keys").set_json(body),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    created.json()
}

/// A request with the partner's key from client address `peer`.
async fn as_partner(app: &TestApp, key: &str, peer: &str, request: TestRequest) -> Response {
    app.send(
        request
            .peer_addr(peer.parse().expect("peer"))
            .insert_header(("Authorization", format!("Bearer {key}"))),
    )
    .await
}

async fn submit_as_partner(app: &TestApp, key: &str, peer: &str, email: &str) -> Response {
    as_partner(
        app,
        key,
        peer,
        TestRequest::post()
            .uri("/v1/submissions")
            .set_json(listing(email)),
    )
    .await
}

async fn audit_actions(app: &TestApp, token: &str) -> Vec<(String, String)> {
    app.send_as(token, TestRequest::get().uri("/v1/audit?limit=50"))
        .await
        .json()["items"]
        .as_array()
        .expect("audit items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["target_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A published seed actor with a contact email: (id, version).
async fn published_actor(app: &TestApp, skip: usize) -> (String, i64) {
    let row = app
        .sql_text(&format!(
            "SELECT a.id || '|' || a.version FROM actors a JOIN actor_contacts c ON c.actor_id = a.id \
             WHERE a.status = 'published' AND c.email IS NOT NULL ORDER BY a.id OFFSET {skip} LIMIT 1"
        ))
        .await
        .expect("a published actor");
    let (id, version) = row.split_once('|').expect("id|version");
    (id.to_owned(), version.parse().expect("version"))
}

async fn key_and_audit_rows(app: &TestApp) -> (i64, i64) {
    (app.count("api_keys").await, app.count("audit_log").await)
}

#[tokio::test]
async fn an_admin_issues_lists_and_revokes_a_partner_key_and_each_step_is_audited() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let created = issue(
        &app,
        &admin,
        json!({"name": "Netzwerk Soziale Ökonomie", "scopes": ["submit"], "quota_per_hour": 50,
               "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let secret = created["secret"].as_str().expect("the secret, once");
    let prefix = created["prefix"].as_str().expect("prefix");
    assert!(
        secret.starts_with("atlas_pk_") && secret.len() > 40,
        "{secret}"
    );
    assert!(secret.starts_with(prefix) && prefix.len() == "atlas_pk_".len() + 8);
    assert_eq!(created["scopes"], json!(["submit"]));
    assert_eq!(created["quota_per_hour"], 50);
    assert_eq!(created["status"], "active");

    // Stored as its SHA-256 only.
    assert_eq!(
        app.sql_text(&format!(
            "SELECT count(*) FROM api_keys WHERE id = '{id}' \
             AND key_hash = sha256(convert_to('{secret}', 'UTF8'))"
        ))
        .await
        .as_deref(),
        Some("1")
    );
    assert_eq!(
        app.sql_text(&format!(
            "SELECT count(*) FROM api_keys k WHERE k::text LIKE '%{}%'",
            &secret["atlas_pk_".len()..]
        ))
        .await
        .as_deref(),
        Some("0"),
        "the secret is nowhere in the row"
    );

    // Listed without the secret.
    let listed = app
        .send_as(&admin, TestRequest::get().uri("/v1/admin/api-keys"))
        .await;
    assert_eq!(listed.status, 200);
    assert!(!listed.text().contains(&secret["atlas_pk_".len()..]));
    let items = listed.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["prefix"], prefix);
    assert!(items[0].get("secret").is_none());

    // The key works until it is revoked.
    let accepted =
        submit_as_partner(&app, secret, "198.51.100.20:4000", "a@gemuese.example.org").await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let revoked = app
        .send_as(
            &admin,
            TestRequest::delete().uri(&format!("/v1/admin/api-keys/{id}")),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(revoked.json()["status"], "revoked");
    let again = app
        .send_as(
            &admin,
            TestRequest::delete().uri(&format!("/v1/admin/api-keys/{id}")),
        )
        .await;
    assert_eq!(again.status, 200, "revoking twice changes nothing");

    let before = app.write_counts().await;
    let refused =
        submit_as_partner(&app, secret, "198.51.100.20:4001", "b@gemuese.example.org").await;
    assert_problem(&refused, 401, "api_key_revoked");
    assert_eq!(
        refused.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    assert_eq!(app.write_counts().await, before, "nothing written");

    let listed = app
        .send_as(&admin, TestRequest::get().uri("/v1/admin/api-keys"))
        .await
        .json();
    assert_eq!(listed["items"][0]["status"], "revoked");
    let audit = audit_actions(&app, &admin).await;
    let for_key: Vec<&str> = audit
        .iter()
        .filter(|(_, target)| target == &id)
        .map(|(action, _)| action.as_str())
        .collect();
    assert_eq!(
        for_key,
        ["revoke_api_key", "create_api_key"],
        "newest first, revoked once"
    );

    let missing = app
        .send_as(
            &admin,
            TestRequest::delete().uri("/v1/admin/api-keys/00000000-0000-4000-8000-000000000000"),
        )
        .await;
    assert_problem(&missing, 404, "not_found");
}

#[tokio::test]
async fn a_partner_submission_skips_the_confirmation_email_but_still_waits_for_a_moderator() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let moderator = app.login_as("moderator").await;
    let key = issue(
        &app,
        &admin,
        json!({"name": "Netzwerk Soziale Ökonomie", "scopes": ["submit"], "quota_per_hour": 10}),
    )
    .await;
    let secret = key["secret"].as_str().expect("secret");
    let prefix = key["prefix"].as_str().expect("prefix");

    let response = submit_as_partner(
        &app,
        secret,
        "198.51.100.21:4000",
        "kiste@gemuese.example.org",
    )
    .await;
    assert_eq!(response.status, 202, "{}", response.text());
    let body = response.json();
    assert_eq!(body["status"], "pending_review");
    let item = body["id"].as_str().expect("id").to_owned();

    // No confirmation email: the key vouches for the submitter.
    assert_eq!(app.deliver_mail().await, 0);
    assert!(app.mail.messages().is_empty());
    assert_eq!(
        app.sql_text(&format!(
            "SELECT count(*) FROM access_tokens WHERE item_id = '{item}'"
        ))
        .await
        .as_deref(),
        Some("0")
    );

    // In the queue, with the partner named; not public.
    let queue = app
        .send_as(
            &moderator,
            TestRequest::get().uri("/v1/moderation/queue?kind=submission"),
        )
        .await
        .json();
    assert!(
        queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["id"] == item.as_str()),
        "{queue}"
    );
    let detail = app
        .send_as(
            &moderator,
            TestRequest::get().uri(&format!("/v1/moderation/items/{item}")),
        )
        .await
        .json();
    assert_eq!(
        detail["partner"],
        format!("Netzwerk Soziale Ökonomie ({prefix})")
    );
    let actor = detail["actor_id"].as_str().expect("actor").to_owned();
    assert_eq!(app.get(&format!("/v1/actors/{actor}")).await.status, 404);
    // The partner follows its submission with the key (there is no emailed token).
    let status = |key: String| {
        let app = &app;
        let uri = format!("/v1/submissions/{item}");
        async move {
            as_partner(
                app,
                &key,
                "198.51.100.21:4100",
                TestRequest::get().uri(&uri),
            )
            .await
        }
    };
    let pending = status(secret.to_owned()).await;
    assert_eq!(pending.status, 200, "{}", pending.text());
    assert_eq!(pending.json()["status"], "pending_review");
    let other_key = issue(
        &app,
        &admin,
        json!({"name": "Anderer Partner", "scopes": ["submit"], "quota_per_hour": 10}),
    )
    .await;
    let not_theirs = status(other_key["secret"].as_str().expect("secret").to_owned()).await;
    assert_eq!(
        not_theirs.status, 404,
        "another partner's submission is not found"
    );

    // A moderator approves: now it is public.
    let approved = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/moderation/items/{item}/approve"))
                .set_json(json!({"note": "welcome"})),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    let public = app.get(&format!("/v1/actors/{actor}")).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.json()["name"], "Kooperative Gemüsekiste Graz");
    let decided = status(secret.to_owned()).await.json();
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["feedback"], "welcome");
    let history = app
        .send_as(
            &moderator,
            TestRequest::get().uri(&format!("/v1/actors/{actor}/history")),
        )
        .await
        .json();
    assert!(
        history["revisions"][0]["author"]
            .as_str()
            .is_some_and(|a| a.contains(prefix)),
        "the partner is the first revision's author: {history}"
    );
}

#[tokio::test]
async fn a_partner_edits_the_listings_of_its_scope_and_nothing_else() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let (mine, version) = published_actor(&app, 0).await;
    let (other, other_version) = published_actor(&app, 1).await;
    let key = issue(
        &app,
        &admin,
        json!({"name": "Regionalverband", "scopes": ["edit"], "actor_ids": [mine], "quota_per_hour": 10}),
    )
    .await;
    assert_eq!(key["actor_ids"], json!([mine]));
    let secret = key["secret"].as_str().expect("secret");
    let patch = |id: &str, version: i64| {
        TestRequest::patch()
            .uri(&format!("/v1/actors/{id}"))
            .insert_header(("If-Match", format!("\"{version}\"")))
            .set_json(json!({"summary": {"en": "Checked by the regional network"}}))
    };

    let edited = as_partner(&app, secret, "198.51.100.22:4000", patch(&mine, version)).await;
    assert_eq!(edited.status, 202, "{}", edited.text());
    let item = edited.json()["id"].as_str().expect("item").to_owned();
    assert_eq!(
        app.sql_text(&format!(
            "SELECT k.name FROM moderation_items m JOIN api_keys k ON k.id = m.api_key_id \
             WHERE m.id = '{item}' AND m.kind = 'edit' AND m.status = 'pending_review'"
        ))
        .await
        .as_deref(),
        Some("Regionalverband")
    );
    // Not public until a moderator approves.
    assert_eq!(
        app.get(&format!("/v1/actors/{mine}")).await.json()["version"],
        version
    );

    let before = app.write_counts().await;
    let outside = as_partner(
        &app,
        secret,
        "198.51.100.22:4001",
        patch(&other, other_version),
    )
    .await;
    assert_problem(&outside, 403, "out_of_scope");
    let no_submit = submit_as_partner(&app, secret, "198.51.100.22:4002", "x@example.org").await;
    assert_problem(&no_submit, 403, "scope_missing");
    assert_eq!(app.write_counts().await, before, "nothing written");
}

#[tokio::test]
async fn a_partner_over_its_quota_gets_429_with_retry_after_and_nothing_is_written() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let key = issue(
        &app,
        &admin,
        json!({"name": "Kleiner Partner", "scopes": ["submit"], "quota_per_hour": 2}),
    )
    .await;
    let secret = key["secret"].as_str().expect("secret");
    for i in 0..2 {
        let response = submit_as_partner(
            &app,
            secret,
            &format!("198.51.100.23:{}", 4000 + i),
            &format!("q{i}@example.org"),
        )
        .await;
        assert_eq!(response.status, 202, "{}", response.text());
    }
    let before = app.write_counts().await;
    // From another address too: the quota is the key's, not the address's.
    let third = submit_as_partner(&app, secret, "203.0.113.77:4000", "q3@example.org").await;
    assert_problem(&third, 429, "quota_exceeded");
    let retry_after: u64 = third
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(app.write_counts().await, before, "nothing written");
    let listed = app
        .send_as(&admin, TestRequest::get().uri("/v1/admin/api-keys"))
        .await
        .json();
    assert_eq!(listed["items"][0]["requests_this_hour"], 2);
    // An anonymous client at that address is not affected.
    let anonymous = app
        .send_json(
            TestRequest::post().uri("/v1/submissions"),
            "203.0.113.77:4001",
            &listing("anon@example.org"),
        )
        .await;
    assert_eq!(anonymous.status, 202, "{}", anonymous.text());
}

#[tokio::test]
async fn a_partner_behind_a_busy_shared_address_is_limited_by_its_quota_not_the_per_client_limit() {
    let app = TestApp::seeded_with(|config| {
        config.write_rate_limit_burst = 1;
        config.write_rate_limit_period_secs = 3600;
    })
    .await
    .expect("app");
    let admin = app.login_as("admin").await;
    let key = issue(
        &app,
        &admin,
        json!({"name": "Coworking-Partner", "scopes": ["submit"], "quota_per_hour": 20}),
    )
    .await;
    let secret = key["secret"].as_str().expect("secret");
    let shared = "192.0.2.50";
    let first = app
        .send_json(
            TestRequest::post().uri("/v1/submissions"),
            &format!("{shared}:1000"),
            &listing("neighbour1@example.org"),
        )
        .await;
    assert_eq!(first.status, 202);
    let second = app
        .send_json(
            TestRequest::post().uri("/v1/submissions"),
            &format!("{shared}:1001"),
            &listing("neighbour2@example.org"),
        )
        .await;
    assert_problem(&second, 429, "rate_limited");
    for i in 0..3 {
        let response = submit_as_partner(
            &app,
            secret,
            &format!("{shared}:{}", 2000 + i),
            &format!("p{i}@example.org"),
        )
        .await;
        assert_eq!(response.status, 202, "{}", response.text());
    }
    // A made-up key does not buy a way around the per-client limit.
    let forged = submit_as_partner(
        &app,
        "atlas_pk_made-up",
        &format!("{shared}:3000"),
        "f@example.org",
    )
    .await;
    assert_problem(&forged, 429, "rate_limited");
}

#[tokio::test]
async fn unknown_and_expired_keys_are_401_and_write_nothing() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let key = issue(
        &app,
        &admin,
        json!({"name": "Abgelaufen", "scopes": ["submit"], "quota_per_hour": 5}),
    )
    .await;
    app.sql(&format!(
        "UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = '{}'",
        key["id"].as_str().expect("id")
    ))
    .await
    .expect("expire");
    let before = app.write_counts().await;
    let expired = submit_as_partner(
        &app,
        key["secret"].as_str().expect("secret"),
        "198.51.100.24:4000",
        "e@example.org",
    )
    .await;
    assert_problem(&expired, 401, "api_key_expired");
    let unknown = submit_as_partner(
        &app,
        "atlas_pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "198.51.100.24:4001",
        "u@example.org",
    )
    .await;
    assert_problem(&unknown, 401, "invalid_api_key");
    let not_a_key = submit_as_partner(
        &app,
        "some-session-token",
        "198.51.100.24:4002",
        "u@example.org",
    )
    .await;
    assert_problem(&not_a_key, 401, "invalid_api_key");
    assert_eq!(app.write_counts().await, before);
}

#[tokio::test]
async fn bad_key_requests_are_refused_with_the_field_named_and_nothing_written() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    let (actor, _) = published_actor(&app, 0).await;
    let good = json!({"name": "Partner", "scopes": ["submit"], "quota_per_hour": 10});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().expect("object").remove(field);
        body
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("no name", without("name"), "name", "required"),
        ("blank name", with("name", json!("  ")), "name", "required"),
        (
            "name too long",
            with("name", json!("x".repeat(201))),
            "name",
            "too_long",
        ),
        ("no scopes", without("scopes"), "scopes", "required"),
        (
            "empty scopes",
            with("scopes", json!([])),
            "scopes",
            "required",
        ),
        (
            "unknown scope",
            with("scopes", json!(["submit", "delete"])),
            "scopes[1]",
            "unknown_scope",
        ),
        (
            "scopes not a list",
            with("scopes", json!("submit")),
            "scopes",
            "invalid_type",
        ),
        (
            "negative quota",
            with("quota_per_hour", json!(-1)),
            "quota_per_hour",
            "out_of_range",
        ),
        (
            "zero quota",
            with("quota_per_hour", json!(0)),
            "quota_per_hour",
            "out_of_range",
        ),
        (
            "huge quota",
            with("quota_per_hour", json!(1_000_000)),
            "quota_per_hour",
            "out_of_range",
        ),
        (
            "quota as text",
            with("quota_per_hour", json!("ten")),
            "quota_per_hour",
            "invalid_type",
        ),
        (
            "fractional quota",
            with("quota_per_hour", json!(2.5)),
            "quota_per_hour",
            "invalid_type",
        ),
        (
            "no quota",
            without("quota_per_hour"),
            "quota_per_hour",
            "required",
        ),
        (
            "edit without actors",
            with("scopes", json!(["edit"])),
            "actor_ids",
            "required",
        ),
        (
            "actors without edit",
            with("actor_ids", json!([actor])),
            "actor_ids",
            "needs_edit_scope",
        ),
        (
            "malformed actor id",
            {
                let mut b = with("scopes", json!(["edit"]));
                b["actor_ids"] = json!([actor, "not-a-uuid"]);
                b
            },
            "actor_ids[1]",
            "invalid_id",
        ),
        (
            "unknown actor id",
            {
                let mut b = with("scopes", json!(["edit"]));
                b["actor_ids"] = json!([actor, "00000000-0000-4000-8000-000000000000"]);
                b
            },
            "actor_ids[1]",
            "unknown_actor",
        ),
        (
            "expiry in the past",
            with("expires_at", json!("2001-01-01T00:00:00Z")),
            "expires_at",
            "in_the_past",
        ),
        (
            "expiry not a date",
            with("expires_at", json!("next tuesday")),
            "expires_at",
            "invalid_datetime",
        ),
        (
            "unknown field",
            with("owner", json!("me")),
            "owner",
            "unknown_field",
        ),
    ];
    let before = key_and_audit_rows(&app).await;
    for (what, body, field, code) in cases {
        let response = app
            .send_as(
                &admin,
                TestRequest::post()
                    .uri("/v1/admin/api-keys")
                    .set_json(&body),
            )
            .await;
        assert_eq!(response.status, 400, "{what}: {}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{what}"
        );
        let problem = response.json();
        assert!(
            problem["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["field"] == field && e["code"] == code),
            "{what}: expected {field}/{code} in {problem}"
        );
    }
    let not_json = app
        .send_as(
            &admin,
            TestRequest::post()
                .uri("/v1/admin/api-keys")
                .insert_header(("content-type", "text/plain"))
                .set_payload("name=x"),
        )
        .await;
    assert_problem(&not_json, 415, "unsupported_media_type");
    let broken = app
        .send_as(
            &admin,
            TestRequest::post()
                .uri("/v1/admin/api-keys")
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"name\": "),
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.text());
    assert_eq!(key_and_audit_rows(&app).await, before, "nothing written");
}
