//! Write limits by who is writing: anonymous clients per IP address, moderators per user (a
//! team behind one office address is not throttled as one stranger).

use actix_web::test::TestRequest;
use atlas_e2e::{Response, TestApp};
use serde_json::json;

const OFFICE: &str = "192.0.2.99";

async fn from_office(
    app: &TestApp,
    port: u16,
    token: Option<&str>,
    request: TestRequest,
) -> Response {
    let mut request = request.peer_addr(format!("{OFFICE}:{port}").parse().expect("peer"));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    app.send(request).await
}

/// Archives or restores `actor` (alternately): one moderation write.
fn toggle(actor: &str, i: usize) -> TestRequest {
    let action = if i.is_multiple_of(2) {
        "archive"
    } else {
        "restore"
    };
    TestRequest::post()
        .uri(&format!("/v1/actors/{actor}/{action}"))
        .set_json(json!({"note": "limit test"}))
}

async fn actor_ids(app: &TestApp, n: usize) -> Vec<String> {
    app.get(&format!("/v1/actors?limit={n}")).await.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn moderators_are_limited_per_user_not_by_their_office_address() {
    let app = TestApp::seeded_with(|config| {
        config.write_rate_limit_burst = 2;
        config.write_rate_limit_period_secs = 3600;
        config.moderator_write_rate_limit_burst = 12;
        config.moderator_write_rate_limit_period_ms = 3_600_000;
    })
    .await
    .expect("app");
    let alice = app.login_as("moderator").await;
    let bob = app.login_as("moderator").await;
    let actors = actor_ids(&app, 2).await;

    // A stranger at the office address uses up the per-address budget.
    for port in 0..2 {
        let report = from_office(
            &app,
            1000 + port,
            None,
            TestRequest::post()
                .uri(&format!("/v1/actors/{}/reports", actors[0]))
                .set_json(json!({"reason": "wrong_data", "message": "old phone number"})),
        )
        .await;
        assert_eq!(report.status, 202, "{}", report.text());
    }
    let limited = from_office(
        &app,
        1002,
        None,
        TestRequest::post()
            .uri(&format!("/v1/actors/{}/reports", actors[0]))
            .set_json(json!({"reason": "wrong_data"})),
    )
    .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["code"], "rate_limited");

    // Moderators at the same address are not held back by it: each has a budget of their own.
    for i in 0..12 {
        let decided = from_office(&app, 2000 + i as u16, Some(&alice), toggle(&actors[0], i)).await;
        assert_eq!(
            decided.status,
            200,
            "alice's write {}: {}",
            i + 1,
            decided.text()
        );
    }
    let thirteenth = from_office(&app, 2100, Some(&alice), toggle(&actors[0], 12)).await;
    assert_eq!(thirteenth.status, 429, "the per-user budget still applies");
    assert_eq!(thirteenth.json()["code"], "rate_limited");
    assert!(thirteenth.header("retry-after").is_some());
    for i in 0..4 {
        let decided = from_office(&app, 3000 + i as u16, Some(&bob), toggle(&actors[1], i)).await;
        assert_eq!(
            decided.status,
            200,
            "bob's write {}: {}",
            i + 1,
            decided.text()
        );
    }
    // A token that is not a session gets the anonymous, per-address budget (used up).
    let pretending = from_office(&app, 4000, Some("not-a-session"), toggle(&actors[1], 0)).await;
    assert_eq!(pretending.status, 429);
}

#[tokio::test]
async fn with_the_default_limits_a_moderator_decides_many_items_in_a_row_from_one_address() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let actor = actor_ids(&app, 1).await.remove(0);
    // More than the anonymous burst of 10.
    for i in 0..30 {
        let decided = from_office(&app, 5000 + i as u16, Some(&moderator), toggle(&actor, i)).await;
        assert_eq!(decided.status, 200, "write {}: {}", i + 1, decided.text());
    }
}
