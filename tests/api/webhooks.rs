//! Webhooks: admins register a receiver; every change-feed event of the kinds it chose reaches
//! it signed, through failures and restarts, and never from inside the request that made it.
//! The receivers here are real HTTP servers on 127.0.0.1 (hence WEBHOOK_ALLOW_PRIVATE).

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::test::TestRequest;
use actix_web::{web, HttpRequest, HttpResponse};
use atlas_e2e::TestApp;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET: &str = "correct horse battery staple";

/// One POST a receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event: String,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// An HTTP server on a free port of 127.0.0.1 that records what it is sent and answers
/// with the status it is told to.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    async fn start(status: u16) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(status));
        let (log, answer) = (received.clone(), status.clone());
        let server = actix_web::HttpServer::new(move || {
            let (log, answer) = (log.clone(), answer.clone());
            actix_web::App::new().route(
                "/hook",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let (log, answer) = (log.clone(), answer.clone());
                    async move {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        log.lock().expect("lock").push(Received {
                            signature: header("Atlas-Signature"),
                            event: header("Atlas-Event"),
                            body: body.to_vec(),
                        });
                        let status =
                            actix_web::http::StatusCode::from_u16(answer.load(Ordering::SeqCst))
                                .expect("status");
                        HttpResponse::build(status).finish()
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url,
            received,
            status,
            handle,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    async fn stop(self) {
        self.handle.stop(true).await;
    }
}

/// What a receiver does with `Atlas-Signature: t=<unix>,v1=<hex>`: recompute the HMAC over
/// "<t>.<body>" with the shared secret, and refuse old timestamps.
fn signature_verifies(received: &Received, secret: &str) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in received.signature.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = Some(v.to_owned()),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    if (chrono_now() - timestamp).abs() > 300 {
        return false;
    }
    let Ok(expected) = (0..signature.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(signature.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&received.body);
    mac.verify_slice(&expected).is_ok()
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// An app whose webhooks may reach 127.0.0.1, retrying at once, parking after 3 failures.
async fn app_with_local_receivers() -> TestApp {
    TestApp::seeded_with(|config| {
        config.webhook_allow_private = true;
        config.webhook_retry_base_ms = 0;
        config.webhook_max_attempts = 3;
        config.webhook_timeout_ms = 5_000;
    })
    .await
    .expect("app")
}

async fn register(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> String {
    let response = app
        .send_as(
            admin,
            TestRequest::post()
                .uri("/v1/admin/webhooks")
                .set_json(json!({"url": url, "events": events, "secret": SECRET})),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let body = response.json();
    assert!(
        !response.text().contains(SECRET),
        "the secret is never shown"
    );
    body["id"].as_str().expect("id").to_owned()
}

async fn webhook_detail(app: &TestApp, admin: &str, id: &str) -> Value {
    let response = app
        .send_as(
            admin,
            TestRequest::get().uri(&format!("/v1/admin/webhooks/{id}")),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert!(!response.text().contains(SECRET));
    response.json()
}

/// Submits a listing, confirms it by the emailed token and has a moderator approve it;
/// returns the new actor's id.
async fn approve_a_submission(app: &TestApp) -> String {
    let email = "team@webhook-story.example.org";
    let response = app
        .post_json(
            "/v1/submissions",
            &json!({
                "name": "Webhook Repair Café",
                "kind": "association",
                "categories": ["food-rescue"],
                "country": "AT",
                "city": "Wien",
                "location": {"lat": 48.21, "lon": 16.36},
                "contact_email": email,
                "consent": {"publish": true, "licence": "ODbL-1.0"}
            }),
        )
        .await;
    assert_eq!(response.status, 202, "{}", response.text());
    let item = response.json()["id"].as_str().expect("id").to_owned();
    app.deliver_mail().await;
    let token = app
        .mail
        .messages_to(email)
        .last()
        .and_then(|m| m.line_value("Token"))
        .expect("token");
    let confirmed = app
        .post_json(
            &format!("/v1/submissions/{item}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    let moderator = app.login_as("moderator").await;
    let approved = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/moderation/items/{item}/approve"))
                .set_json(json!({"note": "looks right"})),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    app.sql_text(&format!(
        "SELECT actor_id::text AS value FROM moderation_items WHERE id = '{item}'"
    ))
    .await
    .expect("actor id")
}

async fn moderate(app: &TestApp, token: &str, id: &str, action: &str) {
    let response = app
        .send_as(
            token,
            TestRequest::post()
                .uri(&format!("/v1/actors/{id}/{action}"))
                .set_json(json!({"note": "webhook test"})),
        )
        .await;
    assert_eq!(response.status, 200, "{action}: {}", response.text());
}

async fn some_actor_id(app: &TestApp) -> String {
    app.get("/v1/actors?limit=1").await.json()["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[tokio::test]
async fn an_approved_submission_reaches_the_webhook_signed_with_its_secret() {
    let app = app_with_local_receivers().await;
    let receiver = Receiver::start(204).await;
    let admin = app.login_as("admin").await;
    let webhook = register(&app, &admin, &receiver.url, &["created"]).await;

    let actor_id = approve_a_submission(&app).await;
    // The request only queued the delivery: nothing was sent while it ran.
    assert!(receiver.received().is_empty());
    assert_eq!(app.state.deliver_due_webhooks().await.expect("deliver"), 1);

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let delivery = &received[0];
    assert!(signature_verifies(delivery, SECRET), "{delivery:?}");
    assert!(!signature_verifies(delivery, "another secret of length"));
    let mut forged = delivery.clone();
    forged.body = forged.body.replace_ascii_kind();
    assert!(!signature_verifies(&forged, SECRET), "a changed body fails");
    let body = delivery.json();
    assert_eq!(delivery.event, "created");
    assert_eq!(body["kind"], "created");
    assert_eq!(body["actor_id"], actor_id.as_str());
    // The feed's newest event is the approval's.
    let newest: i64 = app
        .sql_text("SELECT max(seq)::text AS value FROM change_events")
        .await
        .and_then(|s| s.parse().ok())
        .expect("seq");
    let feed = app
        .get(&format!("/v1/changes?since={}", newest - 1))
        .await
        .json();
    let last = feed["items"][0].clone();
    assert_eq!(last["actor_id"], actor_id.as_str());
    assert_eq!(body["version"], last["version"]);
    assert_eq!(body["seq"], last["seq"]);
    assert_eq!(body["at"], last["at"]);
    let text = String::from_utf8_lossy(&delivery.body);
    assert!(
        !text.contains("webhook-story.example.org"),
        "no private data: {text}"
    );

    let detail = webhook_detail(&app, &admin, &webhook).await;
    assert_eq!(
        (detail["pending"].as_i64(), detail["parked"].as_i64()),
        (Some(0), Some(0))
    );
    let deliveries = detail["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["status"], "delivered");
    assert_eq!(deliveries[0]["attempts"], 1);
    assert_eq!(deliveries[0]["last_response_status"], 204);
    receiver.stop().await;
}

trait ChangeBody {
    fn replace_ascii_kind(self) -> Vec<u8>;
}

impl ChangeBody for Vec<u8> {
    /// The body with its kind rewritten, as a forger would.
    fn replace_ascii_kind(self) -> Vec<u8> {
        String::from_utf8(self)
            .expect("utf-8")
            .replace("\"created\"", "\"deleted\"")
            .into_bytes()
    }
}

#[tokio::test]
async fn a_failing_receiver_is_retried_then_parked_and_gets_everything_once_back() {
    let app = app_with_local_receivers().await;
    let receiver = Receiver::start(500).await;
    let admin = app.login_as("admin").await;
    let moderator = app.login_as("moderator").await;
    let webhook = register(
        &app,
        &admin,
        &receiver.url,
        &["created", "updated", "deleted"],
    )
    .await;
    let since = app
        .sql_text("SELECT coalesce(max(seq), 0)::text AS value FROM change_events")
        .await
        .expect("seq");

    let id = some_actor_id(&app).await;
    moderate(&app, &moderator, &id, "archive").await;
    moderate(&app, &moderator, &id, "restore").await;

    // Three attempts each (the back-off is zero here), then both are parked.
    app.state.deliver_due_webhooks().await.expect("deliver");
    assert_eq!(receiver.received().len(), 6);
    let detail = webhook_detail(&app, &admin, &webhook).await;
    assert_eq!(
        (detail["pending"].as_i64(), detail["parked"].as_i64()),
        (Some(0), Some(2))
    );
    for delivery in detail["deliveries"].as_array().expect("deliveries") {
        assert_eq!(delivery["status"], "parked");
        assert_eq!(delivery["attempts"], 3);
        assert_eq!(delivery["last_response_status"], 500);
        assert!(delivery["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("500")));
    }
    // Parked deliveries wait for an admin.
    assert_eq!(app.state.deliver_due_webhooks().await.expect("deliver"), 0);

    receiver.status.store(200, Ordering::SeqCst);
    let retried = app
        .send_as(
            &admin,
            TestRequest::post().uri(&format!("/v1/admin/webhooks/{webhook}/retry")),
        )
        .await;
    assert_eq!(retried.status, 200, "{}", retried.text());
    assert_eq!(retried.json()["requeued"], 2);
    assert_eq!(app.state.deliver_due_webhooks().await.expect("deliver"), 2);

    // Nothing lost: every event since registration arrived, and was acknowledged.
    let feed = app.get(&format!("/v1/changes?since={since}")).await.json();
    let expected: Vec<(i64, String)> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["seq"].as_i64().expect("seq"),
                e["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        expected.iter().map(|(_, k)| k.as_str()).collect::<Vec<_>>(),
        ["deleted", "created"]
    );
    let mut acknowledged: Vec<(i64, String)> = receiver.received()[6..]
        .iter()
        .map(|r| {
            assert!(signature_verifies(r, SECRET));
            let body = r.json();
            (
                body["seq"].as_i64().expect("seq"),
                body["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    acknowledged.sort();
    assert_eq!(acknowledged, expected);
    let detail = webhook_detail(&app, &admin, &webhook).await;
    assert_eq!(detail["parked"], 0);
    assert!(detail["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .all(|d| d["status"] == "delivered"));
    receiver.stop().await;
}

#[tokio::test]
async fn a_webhook_gets_only_the_kinds_it_asked_for() {
    let app = app_with_local_receivers().await;
    let deletions = Receiver::start(200).await;
    let the_rest = Receiver::start(200).await;
    let admin = app.login_as("admin").await;
    let moderator = app.login_as("moderator").await;
    register(&app, &admin, &deletions.url, &["deleted"]).await;
    register(&app, &admin, &the_rest.url, &["created", "updated"]).await;

    let id = some_actor_id(&app).await;
    moderate(&app, &moderator, &id, "archive").await;
    moderate(&app, &moderator, &id, "restore").await;
    app.state.deliver_due_webhooks().await.expect("deliver");

    let kinds = |r: &Receiver| {
        r.received()
            .iter()
            .map(|d| d.json()["kind"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&deletions), ["deleted"]);
    assert_eq!(kinds(&the_rest), ["created"]);
    deletions.stop().await;
    the_rest.stop().await;
}

#[tokio::test]
async fn urls_into_private_networks_are_refused_unless_the_operator_allows_them() {
    let app = TestApp::seeded().await.expect("app");
    let admin = app.login_as("admin").await;
    for (url, code) in [
        ("http://127.0.0.1/", "forbidden_address"),
        ("http://10.0.0.1/", "forbidden_address"),
        ("http://[::1]/", "forbidden_address"),
        ("http://[::ffff:127.0.0.1]/", "forbidden_address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "forbidden_address",
        ),
        ("http://192.168.0.10:8080/hook", "forbidden_address"),
        ("http://[fd00::1]/", "forbidden_address"),
        ("http://0.0.0.0/", "forbidden_address"),
        ("http://localhost:9/hook", "forbidden_address"),
        ("ftp://example.org/hook", "invalid_url"),
        ("file:///etc/passwd", "invalid_url"),
    ] {
        let response = app
            .send_as(
                &admin,
                TestRequest::post()
                    .uri("/v1/admin/webhooks")
                    .set_json(json!({"url": url, "events": ["created"], "secret": SECRET})),
            )
            .await;
        assert_eq!(response.status, 400, "{url}: {}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let problem = response.json();
        assert_eq!(problem["errors"][0]["field"], "url", "{url}");
        assert_eq!(problem["errors"][0]["code"], code, "{url}");
    }
    assert_eq!(app.count("webhooks").await, 0);
}

#[tokio::test]
async fn a_delivery_to_an_address_that_became_private_is_not_sent() {
    // Registered while allowed (or rebound in DNS since): the check at delivery time holds.
    let app = TestApp::seeded_with(|config| {
        config.webhook_retry_base_ms = 0;
        config.webhook_max_attempts = 2;
    })
    .await
    .expect("app");
    let receiver = Receiver::start(200).await;
    app.sql(&format!(
        "INSERT INTO webhooks (id, url, events, secret) \
         VALUES (gen_random_uuid(), '{}', ARRAY['deleted'], '{SECRET}')",
        receiver.url
    ))
    .await
    .expect("insert");
    let moderator = app.login_as("moderator").await;
    let id = some_actor_id(&app).await;
    moderate(&app, &moderator, &id, "archive").await;
    app.state.deliver_due_webhooks().await.expect("deliver");
    assert!(
        receiver.received().is_empty(),
        "no request reached 127.0.0.1"
    );
    let error = app
        .sql_text("SELECT last_error AS value FROM webhook_deliveries")
        .await
        .expect("error");
    assert!(error.contains("not a public"), "{error}");
    assert_eq!(
        app.sql_text("SELECT status AS value FROM webhook_deliveries")
            .await
            .as_deref(),
        Some("parked")
    );
    receiver.stop().await;
}

#[tokio::test]
async fn bad_registrations_are_400_problems_naming_the_field_and_write_nothing() {
    let app = app_with_local_receivers().await;
    let admin = app.login_as("admin").await;
    let before = app.write_counts().await;
    let audit_before = app.count("audit_log").await;
    for (body, field, code) in [
        (
            json!({"url": "https://example.org/h", "events": ["created"]}),
            "secret",
            "required",
        ),
        (
            json!({"url": "https://example.org/h", "events": ["created"], "secret": "short"}),
            "secret",
            "invalid_secret",
        ),
        (
            json!({"url": "https://example.org/h", "events": ["created", "exploded"], "secret": SECRET}),
            "events[1]",
            "unknown_event",
        ),
        (
            json!({"url": "https://example.org/h", "events": [], "secret": SECRET}),
            "events",
            "required",
        ),
        (
            json!({"url": "https://example.org/h", "secret": SECRET}),
            "events",
            "required",
        ),
        (
            json!({"url": "not a url", "events": ["created"], "secret": SECRET}),
            "url",
            "invalid_url",
        ),
        (
            json!({"url": "https://", "events": ["created"], "secret": SECRET}),
            "url",
            "invalid_url",
        ),
        (
            json!({"url": "https://atlas-webhook-test.invalid/h", "events": ["created"], "secret": SECRET}),
            "url",
            "unresolvable_host",
        ),
        (
            json!({"events": ["created"], "secret": SECRET}),
            "url",
            "required",
        ),
    ] {
        let response = app
            .send_as(
                &admin,
                TestRequest::post()
                    .uri("/v1/admin/webhooks")
                    .set_json(&body),
            )
            .await;
        assert_eq!(response.status, 400, "{body}: {}", response.text());
        let problem = response.json();
        let fields: Vec<(&str, &str)> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap_or_default(),
                    e["code"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert!(fields.contains(&(field, code)), "{body}: {fields:?}");
    }
    let unknown_field = app
        .send_as(
            &admin,
            TestRequest::post().uri("/v1/admin/webhooks").set_json(
                json!({"url": "https://example.org/h", "events": ["created"], "secret": SECRET, "active": true}),
            ),
        )
        .await;
    assert_eq!(unknown_field.status, 400);
    assert_eq!(app.count("webhooks").await, 0);
    assert_eq!(app.count("audit_log").await, audit_before);
    assert_eq!(app.write_counts().await, before);
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_a_removed_webhook_is_gone() {
    let app = app_with_local_receivers().await;
    let admin = app.login_as("admin").await;
    let moderator = app.login_as("moderator").await;
    let body = json!({"url": "https://example.org/hook", "events": ["created"], "secret": SECRET});
    let anonymous = app
        .send_from_anywhere(
            TestRequest::post()
                .uri("/v1/admin/webhooks")
                .set_json(&body),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    let as_moderator = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri("/v1/admin/webhooks")
                .set_json(&body),
        )
        .await;
    assert_eq!(as_moderator.status, 403);
    assert_eq!(as_moderator.json()["code"], "forbidden");

    let receiver = Receiver::start(200).await;
    let id = register(&app, &admin, &receiver.url, &["deleted"]).await;
    let list = app
        .send_as(&admin, TestRequest::get().uri("/v1/admin/webhooks"))
        .await;
    assert_eq!(list.status, 200);
    assert!(!list.text().contains(SECRET));
    assert_eq!(list.json()["items"][0]["url"], receiver.url.as_str());
    assert_eq!(list.json()["items"][0]["events"], json!(["deleted"]));

    let removed = app
        .send_as(
            &admin,
            TestRequest::delete().uri(&format!("/v1/admin/webhooks/{id}")),
        )
        .await;
    assert_eq!(removed.status, 204);
    let gone = app
        .send_as(
            &admin,
            TestRequest::get().uri(&format!("/v1/admin/webhooks/{id}")),
        )
        .await;
    assert_eq!(gone.status, 404);
    let moderator_id = some_actor_id(&app).await;
    moderate(&app, &moderator, &moderator_id, "archive").await;
    assert_eq!(app.state.deliver_due_webhooks().await.expect("deliver"), 0);
    assert!(receiver.received().is_empty());
    receiver.stop().await;
}
