//! Partners proposing a listing: the whole way from the form to "pending review", with a real
//! SMTP conversation in between, and every way a submission can be wrong.

use actix_web::test::TestRequest;
use atlas_e2e::{Response, TestApp};
use serde_json::{json, Value};

/// A listing that passes every check: a food bank in Vienna.
fn valid_submission() -> Value {
    json!({
        "name": "Wiener Nachbarschaftstafel",
        "summary": {"de": "Lebensmittel retten und teilen", "en": "Rescuing and sharing food"},
        "kind": "association",
        "categories": ["food-rescue"],
        "languages": ["de", "en"],
        "country": "AT",
        "city": "Wien",
        "street": "Praterstraße 1",
        "location": {"lat": 48.2167, "lon": 16.3850},
        "website": "https://nachbarschaftstafel.example.org",
        "contact_email": "hallo@nachbarschaftstafel.example.org",
        "contact_phone": "+43 1 234 5678",
        "consent": {"publish": true, "licence": "ODbL-1.0"}
    })
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

fn without(mut body: Value, key: &str) -> Value {
    body.as_object_mut().expect("an object").remove(key);
    body
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

fn token_of(app: &TestApp, recipient: &str) -> String {
    let messages = app.mail.messages_to(recipient);
    let message = messages.last().expect("an email to the submitter");
    message
        .line_value("Token")
        .expect("the email carries a token")
}

async fn submit_and_deliver(app: &TestApp, body: &Value) -> (String, String) {
    let response = app.post_json("/v1/submissions", body).await;
    assert_eq!(response.status, 202, "{}", response.text());
    let id = response.json()["id"].as_str().expect("an id").to_owned();
    assert_eq!(app.deliver_mail().await, 1);
    let email = body["contact_email"].as_str().expect("an email");
    (id, token_of(app, email))
}

#[tokio::test]
async fn a_partner_submits_confirms_by_email_and_waits_for_review_without_being_public() {
    let app = TestApp::seeded().await.expect("app");
    let body = valid_submission();

    let response = app.post_json("/v1/submissions", &body).await;
    assert_eq!(response.status, 202, "{}", response.text());
    let accepted = response.json();
    assert_eq!(accepted["status"], "awaiting_confirmation");
    let id = accepted["id"].as_str().expect("an id").to_owned();

    // The email goes out through a real SMTP conversation with the sink.
    assert!(
        app.mail.messages().is_empty(),
        "nothing is sent inside the request"
    );
    assert_eq!(app.deliver_mail().await, 1);
    let messages = app
        .mail
        .messages_to("hallo@nachbarschaftstafel.example.org");
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.text().contains("Wiener Nachbarschaftstafel"));
    assert_eq!(
        message.line_value("Submission").as_deref(),
        Some(id.as_str())
    );
    let token = message.line_value("Token").expect("a token in the email");
    assert!(token.len() >= 40, "a long random token: {token}");
    // Only the token's hash is stored.
    let stored = app
        .sql_text("SELECT string_agg(encode(token_hash, 'hex'), ',') FROM access_tokens")
        .await
        .expect("a stored token");
    assert!(!stored.contains(&token));
    assert_eq!(app.count("email_outbox WHERE sent_at IS NULL").await, 0);

    let status = app
        .get(&format!("/v1/submissions/{id}?token={token}"))
        .await;
    assert_eq!(status.status, 200, "{}", status.text());
    assert_eq!(status.json()["status"], "awaiting_confirmation");

    let confirmed = app
        .post_json(
            &format!("/v1/submissions/{id}/confirm"),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text());
    assert_eq!(confirmed.json()["status"], "pending_review");

    let status = app
        .get(&format!("/v1/submissions/{id}?token={token}"))
        .await;
    assert_eq!(status.json()["status"], "pending_review");
    assert!(status.json()["feedback"].is_null());

    // In the moderation queue, not on the map.
    assert_eq!(
        app.count("moderation_items WHERE kind = 'submission' AND status = 'pending_review'")
            .await,
        1
    );
    let actor_id = app
        .sql_text(&format!(
            "SELECT actor_id FROM moderation_items WHERE id = '{id}'"
        ))
        .await
        .expect("the submission's actor");
    assert_eq!(app.get(&format!("/v1/actors/{actor_id}")).await.status, 404);
    let search = app.get("/v1/actors?q=Nachbarschaftstafel").await;
    assert!(!search.text().contains("Nachbarschaftstafel"));
    let nearby = app
        .walk("/v1/actors?near=48.2167,16.3850&radius_km=1")
        .await;
    assert!(nearby
        .iter()
        .all(|a| a["name"] != "Wiener Nachbarschaftstafel"));
}

#[tokio::test]
async fn a_submission_writes_everything_in_one_go() {
    let app = TestApp::seeded().await.expect("app");
    let before = app.write_counts().await;
    submit_and_deliver(&app, &valid_submission()).await;
    let after = app.write_counts().await;
    let grown: Vec<(&str, i64)> = before
        .iter()
        .zip(&after)
        .map(|((table, b), (_, a))| (*table, a - b))
        .collect();
    assert_eq!(
        grown,
        vec![
            ("actors", 1),
            ("actor_contacts", 1),
            ("actor_revisions", 1),
            ("moderation_items", 1),
            ("access_tokens", 1),
            ("email_outbox", 1),
        ]
    );
    assert_eq!(
        app.sql_text("SELECT status FROM actors WHERE name = 'Wiener Nachbarschaftstafel'")
            .await
            .as_deref(),
        Some("awaiting_confirmation")
    );
    assert_eq!(
        app.sql_text("SELECT consent->>'licence' FROM moderation_items")
            .await
            .as_deref(),
        Some("ODbL-1.0")
    );
}

#[tokio::test]
async fn confirmation_tokens_that_are_guessed_reused_expired_or_for_another_submission_change_nothing(
) {
    let app = TestApp::seeded().await.expect("app");
    let (first, first_token) = submit_and_deliver(&app, &valid_submission()).await;
    let other = with(
        with(valid_submission(), "name", json!("Grazer Foodcoop")),
        "contact_email",
        json!("foodcoop@graz.example.org"),
    );
    let (second, second_token) = submit_and_deliver(&app, &other).await;

    let confirm = |id: String, token: String| {
        let app = &app;
        async move {
            app.post_json(
                &format!("/v1/submissions/{id}/confirm"),
                &json!({ "token": token }),
            )
            .await
        }
    };
    let before = app.write_counts().await;
    let guessed = confirm(first.clone(), "A".repeat(43)).await;
    assert_problem(&guessed, 401, "invalid_token");
    let crossed = confirm(first.clone(), second_token.clone()).await;
    assert_problem(&crossed, 401, "invalid_token");
    let missing = app
        .post_json(&format!("/v1/submissions/{first}/confirm"), &json!({}))
        .await;
    assert_problem(&missing, 400, "required");
    let unknown_submission = confirm(uuid_like(), first_token.clone()).await;
    assert_problem(&unknown_submission, 401, "invalid_token");
    assert_eq!(app.write_counts().await, before);
    assert_eq!(
        app.count("moderation_items WHERE status = 'awaiting_confirmation'")
            .await,
        2
    );

    assert_eq!(
        confirm(first.clone(), first_token.clone()).await.status,
        200
    );
    let reused = confirm(first.clone(), first_token.clone()).await;
    assert_problem(&reused, 401, "token_used");

    app.sql("UPDATE access_tokens SET expires_at = now() - interval '1 minute' WHERE item_id IS NOT NULL")
        .await
        .expect("expire tokens");
    let expired = confirm(second.clone(), second_token.clone()).await;
    assert_problem(&expired, 401, "token_expired");
    assert_eq!(
        app.sql_text(&format!(
            "SELECT status FROM moderation_items WHERE id = '{second}'"
        ))
        .await
        .as_deref(),
        Some("awaiting_confirmation")
    );

    // The status page wants the right token too.
    let nosy = app
        .get(&format!("/v1/submissions/{second}?token={first_token}"))
        .await;
    assert_problem(&nosy, 401, "invalid_token");
    let bare = app.get(&format!("/v1/submissions/{second}")).await;
    assert_problem(&bare, 400, "required");
}

fn uuid_like() -> String {
    "0b7c6f2e-3b7a-4f55-9a51-2d6f0f1d9e11".to_owned()
}

fn assert_problem(response: &Response, status: u16, code: &str) {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(response.json()["code"], code, "{}", response.text());
}

/// One bad submission: the body, the status, the problem code and the fields it must name.
struct Bad {
    what: &'static str,
    body: BadBody,
    status: u16,
    code: &'static str,
    fields: &'static [&'static str],
}

enum BadBody {
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

fn bad(
    what: &'static str,
    body: Value,
    code: &'static str,
    fields: &'static [&'static str],
) -> Bad {
    Bad {
        what,
        body: BadBody::Json(body),
        status: 400,
        code,
        fields,
    }
}

fn raw(
    what: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
) -> Bad {
    Bad {
        what,
        body: BadBody::Raw(content_type, body),
        status,
        code,
        fields: &[],
    }
}

fn bad_submissions() -> Vec<Bad> {
    let v = valid_submission;
    vec![
        bad("missing name", without(v(), "name"), "required", &["name"]),
        bad(
            "blank name",
            with(v(), "name", json!("   ")),
            "required",
            &["name"],
        ),
        bad(
            "10,000-character name",
            with(v(), "name", json!("a".repeat(10_000))),
            "too_long",
            &["name"],
        ),
        bad(
            "HTML in the name",
            with(v(), "name", json!("<b>Tafel</b>")),
            "markup_not_allowed",
            &["name"],
        ),
        bad(
            "script in the summary",
            with(v(), "summary", json!({"en": "<script>alert(1)</script>"})),
            "markup_not_allowed",
            &["summary.en"],
        ),
        bad(
            "javascript: website",
            with(v(), "website", json!("javascript:alert(1)")),
            "unsupported_scheme",
            &["website"],
        ),
        bad(
            "javascript: link",
            with(
                v(),
                "links",
                json!([{"kind": "mastodon", "url": "javascript:alert(1)"}]),
            ),
            "unsupported_scheme",
            &["links[0].url"],
        ),
        bad(
            "email without domain",
            with(v(), "contact_email", json!("hallo@")),
            "invalid_email",
            &["contact_email"],
        ),
        bad(
            "email without @",
            with(v(), "contact_email", json!("hallo.example.org")),
            "invalid_email",
            &["contact_email"],
        ),
        bad(
            "missing contact email",
            without(v(), "contact_email"),
            "required",
            &["contact_email"],
        ),
        bad(
            "latitude 200",
            with(v(), "location", json!({"lat": 200.0, "lon": 16.38})),
            "out_of_range",
            &["location.lat"],
        ),
        bad(
            "longitude -500",
            with(v(), "location", json!({"lat": 48.2, "lon": -500.0})),
            "out_of_range",
            &["location.lon"],
        ),
        bad(
            "country Atlantis",
            with(v(), "country", json!("Atlantis")),
            "invalid_country",
            &["country"],
        ),
        bad(
            "unknown category",
            with(v(), "categories", json!(["underwater-basket-weaving"])),
            "unknown_category",
            &["categories[0]"],
        ),
        bad(
            "unknown kind",
            with(v(), "kind", json!("cult")),
            "invalid_kind",
            &["kind"],
        ),
        bad(
            "consent false",
            with(
                v(),
                "consent",
                json!({"publish": false, "licence": "ODbL-1.0"}),
            ),
            "consent_required",
            &["consent.publish"],
        ),
        bad(
            "no consent",
            without(v(), "consent"),
            "required",
            &["consent.publish", "consent.licence"],
        ),
        bad(
            "another licence",
            with(
                v(),
                "consent",
                json!({"publish": true, "licence": "CC-BY-NC-4.0"}),
            ),
            "licence_mismatch",
            &["consent.licence"],
        ),
        bad(
            "unknown field",
            with(v(), "ceo_salary", json!(1)),
            "unknown_field",
            &["ceo_salary"],
        ),
        bad(
            "unknown field in consent",
            with(
                v(),
                "consent",
                json!({"publish": true, "licence": "ODbL-1.0", "forever": true}),
            ),
            "unknown_field",
            &["consent.forever"],
        ),
        bad(
            "name as a number",
            with(v(), "name", json!(42)),
            "invalid_type",
            &["name"],
        ),
        bad(
            "categories as a string",
            with(v(), "categories", json!("food-rescue")),
            "invalid_type",
            &["categories"],
        ),
        bad(
            "latitude as text",
            with(v(), "location", json!({"lat": "north", "lon": 16.38})),
            "invalid_type",
            &["location.lat"],
        ),
        bad(
            "consent.publish as text",
            with(
                v(),
                "consent",
                json!({"publish": "yes", "licence": "ODbL-1.0"}),
            ),
            "invalid_type",
            &["consent.publish"],
        ),
        bad(
            "founded in the future",
            with(v(), "founded_year", json!(3000)),
            "out_of_range",
            &["founded_year"],
        ),
        bad(
            "bad language",
            with(v(), "languages", json!(["klingon"])),
            "invalid_language",
            &["languages[0]"],
        ),
        bad(
            "control characters",
            with(v(), "name", json!("Tafel\u{0007}")),
            "invalid_characters",
            &["name"],
        ),
        bad(
            "no location and an unknown town",
            with(without(v(), "location"), "city", json!("Qqqxzzv")),
            "validation_failed",
            &["city"],
        ),
        bad(
            "several mistakes at once",
            with(
                with(with(v(), "name", json!("")), "country", json!("Atlantis")),
                "website",
                json!("javascript:void(0)"),
            ),
            "validation_failed",
            &["name", "country", "website"],
        ),
        bad("a JSON array", json!([1, 2, 3]), "expected_object", &[]),
        raw(
            "empty body",
            "application/json",
            Vec::new(),
            400,
            "empty_body",
        ),
        raw(
            "invalid JSON",
            "application/json",
            b"{\"name\": \"Tafel\",".to_vec(),
            400,
            "invalid_json",
        ),
        raw(
            "not JSON at all",
            "application/json",
            b"name=Tafel".to_vec(),
            400,
            "invalid_json",
        ),
        raw(
            "form-encoded",
            "application/x-www-form-urlencoded",
            b"name=Tafel".to_vec(),
            415,
            "unsupported_media_type",
        ),
        raw(
            "2 MB body",
            "application/json",
            {
                let mut big = valid_submission();
                big["description"] = json!({"en": "x".repeat(2 * 1024 * 1024)});
                big.to_string().into_bytes()
            },
            413,
            "payload_too_large",
        ),
    ]
}

#[tokio::test]
async fn bad_submissions_are_refused_with_every_field_named_and_nothing_written() {
    let app = TestApp::seeded().await.expect("app");
    let cases = bad_submissions();
    assert!(cases.len() >= 30);
    let before = app.write_counts().await;
    for (i, case) in cases.iter().enumerate() {
        // A client address per case, so the rate limit stays out of the way.
        let peer = format!("10.1.{}.{}:4000", i / 200, i % 200 + 1);
        let request = TestRequest::post().uri("/v1/submissions");
        let response = match &case.body {
            BadBody::Json(body) => app.send_json(request, &peer, body).await,
            BadBody::Raw(content_type, bytes) => {
                app.send(
                    request
                        .peer_addr(peer.parse().expect("peer"))
                        .insert_header(("content-type", *content_type))
                        .set_payload(bytes.clone()),
                )
                .await
            }
        };
        assert_eq!(
            response.status.as_u16(),
            case.status,
            "{}: {}",
            case.what,
            response.text()
        );
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{}",
            case.what
        );
        let problem = response.json();
        assert_eq!(problem["code"], case.code, "{}: {problem}", case.what);
        let named = fields(&problem);
        for field in case.fields {
            assert!(
                named.iter().any(|f| f == field),
                "{}: expected {field} in {problem}",
                case.what
            );
        }
        assert_eq!(
            app.write_counts().await,
            before,
            "{} wrote something",
            case.what
        );
    }
    app.deliver_mail().await;
    assert!(app.mail.messages().is_empty());
}

#[tokio::test]
async fn emoji_and_right_to_left_names_are_valid() {
    let app = TestApp::seeded().await.expect("app");
    for (i, name) in [
        "🌱 Grüne Nachbarn 🌍",
        "جمعية الخير",
        "עמותת שכנים טובים",
        "Κοινωνική Κουζίνα",
    ]
    .iter()
    .enumerate()
    {
        let body = with(
            with(valid_submission(), "name", json!(name)),
            "contact_email",
            json!(format!("team{i}@example.org")),
        );
        let response = app.post_json("/v1/submissions", &body).await;
        assert_eq!(response.status, 202, "{name}: {}", response.text());
    }
    assert_eq!(app.count("moderation_items").await, 4);
    assert_eq!(
        app.sql_text("SELECT name FROM actors WHERE name LIKE '%שכנים%'")
            .await
            .as_deref(),
        Some("עמותת שכנים טובים")
    );
}

#[tokio::test]
async fn every_field_error_is_reported_at_once() {
    let app = TestApp::seeded().await.expect("app");
    let body = json!({
        "name": 7,
        "kind": "cult",
        "country": "Atlantis",
        "location": {"lat": 200.0, "lon": 16.0},
        "founded_year": "long ago",
        "website": "javascript:alert(1)",
        "contact_email": "nobody@",
        "consent": {"publish": false, "licence": "ODbL-1.0"},
        "favourite_colour": "green"
    });
    let response = app.post_json("/v1/submissions", &body).await;
    assert_problem(&response, 400, "validation_failed");
    let named = fields(&response.json());
    for field in [
        "favourite_colour",
        "name",
        "founded_year",
        "kind",
        "country",
        "location.lat",
        "website",
        "contact_email",
        "consent.publish",
    ] {
        assert!(
            named.iter().any(|f| f == field),
            "{field} missing from {named:?}"
        );
    }
    // A wrong-typed field is reported once, not also as "required".
    assert_eq!(
        named.iter().filter(|f| *f == "name").count(),
        1,
        "{named:?}"
    );
}

#[tokio::test]
async fn swapped_coordinates_and_points_outside_the_country_are_flagged_for_moderators_not_refused()
{
    let app = TestApp::seeded().await.expect("app");
    // Vienna with latitude and longitude exchanged lands in the Indian Ocean... well, Ethiopia.
    let swapped = with(
        valid_submission(),
        "location",
        json!({"lat": 16.3850, "lon": 48.2167}),
    );
    let response = app.post_json("/v1/submissions", &swapped).await;
    assert_eq!(response.status, 202, "{}", response.text());
    let codes: Vec<String> = response.json()["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["code"].as_str().map(str::to_owned))
        .collect();
    assert!(
        codes.contains(&"point_outside_country".to_owned()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"coordinates_look_swapped".to_owned()),
        "{codes:?}"
    );
    let id = response.json()["id"].as_str().expect("id").to_owned();
    let stored = app
        .sql_text(&format!(
            "SELECT flags::text FROM moderation_items WHERE id = '{id}'"
        ))
        .await
        .expect("flags");
    assert!(stored.contains("coordinates_look_swapped"), "{stored}");
    // Kept as given: the moderator decides.
    assert_eq!(
        app.sql_text(&format!(
            "SELECT ST_X(a.geom) FROM actors a JOIN moderation_items i ON i.actor_id = a.id WHERE i.id = '{id}'"
        ))
        .await
        .and_then(|x| x.parse::<f64>().ok()),
        Some(48.2167)
    );

    // In Paris but claiming Austria: outside, not swapped.
    let elsewhere = with(
        with(
            valid_submission(),
            "location",
            json!({"lat": 48.8566, "lon": 2.3522}),
        ),
        "contact_email",
        json!("paris@example.org"),
    );
    let response = app.post_json("/v1/submissions", &elsewhere).await;
    assert_eq!(response.status, 202);
    let warnings = response.json()["warnings"].to_string();
    assert!(warnings.contains("point_outside_country"), "{warnings}");
    assert!(warnings.contains("FR"), "{warnings}");
    assert!(!warnings.contains("coordinates_look_swapped"), "{warnings}");

    // Inside its country: no flag.
    let fine = app
        .post_json(
            "/v1/submissions",
            &with(
                valid_submission(),
                "contact_email",
                json!("fine@example.org"),
            ),
        )
        .await;
    assert!(!fine.json()["warnings"]
        .to_string()
        .contains("point_outside_country"));
}

#[tokio::test]
async fn an_address_without_coordinates_is_placed_at_its_town_from_the_gazetteer() {
    let app = TestApp::seeded().await.expect("app");
    let cases = [
        // exact, accent-insensitive, an alternate name in another language, a misspelling
        ("Graz", "AT", 47.07, 15.44, "exact"),
        ("MÜNCHEN", "DE", 48.14, 11.58, "accent_insensitive"),
        ("Vienna", "AT", 48.21, 16.37, "exact"),
        ("Barcelonna", "ES", 41.39, 2.16, "fuzzy"),
    ];
    for (i, (city, country, lat, lon, matched)) in cases.iter().enumerate() {
        let body = with(
            with(
                with(without(valid_submission(), "location"), "city", json!(city)),
                "country",
                json!(country),
            ),
            "contact_email",
            json!(format!("geo{i}@example.org")),
        );
        let response = app.post_json("/v1/submissions", &body).await;
        assert_eq!(response.status, 202, "{city}: {}", response.text());
        let accepted = response.json();
        let warnings = accepted["warnings"].to_string();
        assert!(warnings.contains("geocoded_to_city"), "{city}: {warnings}");
        assert!(
            warnings.contains(&format!("{matched} match")),
            "{city}: {warnings}"
        );
        let id = accepted["id"].as_str().expect("id");
        let point = app
            .sql_text(&format!(
                "SELECT ST_Y(a.geom) || ',' || ST_X(a.geom) || ',' || a.location_precision \
                 FROM actors a JOIN moderation_items i ON i.actor_id = a.id WHERE i.id = '{id}'"
            ))
            .await
            .expect("a point");
        let parts: Vec<&str> = point.split(',').collect();
        let (got_lat, got_lon): (f64, f64) = (
            parts[0].parse().expect("lat"),
            parts[1].parse().expect("lon"),
        );
        assert!(
            (got_lat - lat).abs() < 0.1 && (got_lon - lon).abs() < 0.1,
            "{city}: {point}"
        );
        assert_eq!(parts[2], "city", "{city}");
    }
}

#[tokio::test]
async fn the_same_website_or_a_similar_name_nearby_comes_back_as_a_possible_duplicate() {
    let app = TestApp::seeded().await.expect("app");
    let (id, name, website, lat, lon) = {
        let row = app
            .sql_text(
                "SELECT id || '|' || name || '|' || website || '|' || ST_Y(geom) || '|' || ST_X(geom) \
                 FROM actors WHERE status = 'published' AND website IS NOT NULL AND country = 'AT' \
                 ORDER BY id LIMIT 1",
            )
            .await
            .expect("a published Austrian actor with a website");
        let p: Vec<String> = row.split('|').map(str::to_owned).collect();
        (
            p[0].clone(),
            p[1].clone(),
            p[2].clone(),
            p[3].parse::<f64>().expect("lat"),
            p[4].parse::<f64>().expect("lon"),
        )
    };
    // Same site (with www. and another path), elsewhere, another name.
    let host = website
        .split("://")
        .nth(1)
        .expect("host")
        .split('/')
        .next()
        .expect("host");
    let same_site = with(
        with(
            valid_submission(),
            "website",
            json!(format!(
                "https://www.{}/about",
                host.trim_start_matches("www.")
            )),
        ),
        "name",
        json!("Something Else Entirely"),
    );
    let response = app.post_json("/v1/submissions", &same_site).await;
    assert_eq!(response.status, 202, "{}", response.text());
    let accepted = response.json();
    let duplicates = accepted["duplicates"].as_array().expect("duplicates");
    assert!(
        duplicates
            .iter()
            .any(|d| d["id"] == id.as_str() && d["reason"] == "same_website"),
        "{accepted}"
    );
    assert!(accepted["warnings"]
        .to_string()
        .contains("possible_duplicate"));

    // Similar name 300 m away, no website.
    let check = app
        .post_json(
            "/v1/duplicates/check",
            &json!({"name": name.to_uppercase(), "location": {"lat": lat + 0.0027, "lon": lon}}),
        )
        .await;
    assert_eq!(check.status, 200, "{}", check.text());
    let candidates = check.json()["candidates"].clone();
    assert!(
        candidates
            .as_array()
            .expect("candidates")
            .iter()
            .any(|c| c["id"] == id.as_str()
                && c["reason"] == "similar_name_nearby"
                && c["distance_km"].as_f64().is_some_and(|d| d < 1.0)),
        "{candidates}"
    );
    // Same name 50 km away is someone else.
    let far = app
        .post_json(
            "/v1/duplicates/check",
            &json!({"name": name, "location": {"lat": lat + 0.45, "lon": lon}}),
        )
        .await;
    assert!(
        !far.text().contains("similar_name_nearby"),
        "{}",
        far.text()
    );
    let nothing = app.post_json("/v1/duplicates/check", &json!({})).await;
    assert_problem(&nothing, 400, "required");
}

#[tokio::test]
async fn a_bot_filling_the_honeypot_is_told_yes_and_nothing_is_kept() {
    let app = TestApp::seeded().await.expect("app");
    let before = app.write_counts().await;
    let response = app
        .post_json(
            "/v1/submissions",
            &with(valid_submission(), "homepage", json!("http://spam.example")),
        )
        .await;
    assert_eq!(response.status, 202);
    assert_eq!(response.json()["status"], "awaiting_confirmation");
    assert_eq!(app.write_counts().await, before);
    assert_eq!(app.deliver_mail().await, 0);
}

#[tokio::test]
async fn the_eleventh_rapid_submission_from_one_client_is_429_with_retry_after() {
    let app = TestApp::seeded().await.expect("app");
    for i in 0..10 {
        let body = with(
            valid_submission(),
            "contact_email",
            json!(format!("burst{i}@example.org")),
        );
        let response = app
            .send_json(
                TestRequest::post().uri("/v1/submissions"),
                "192.0.2.7:5000",
                &body,
            )
            .await;
        assert_eq!(
            response.status,
            202,
            "request {}: {}",
            i + 1,
            response.text()
        );
    }
    let before = app.write_counts().await;
    let eleventh = app
        .send_json(
            TestRequest::post().uri("/v1/submissions"),
            "192.0.2.7:5001",
            &valid_submission(),
        )
        .await;
    assert_problem(&eleventh, 429, "rate_limited");
    let retry_after: u64 = eleventh
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(app.write_counts().await, before);
    // Another client is not held back, and reads are never limited.
    let other = app
        .send_json(
            TestRequest::post().uri("/v1/submissions"),
            "192.0.2.8:5000",
            &valid_submission(),
        )
        .await;
    assert_eq!(other.status, 202);
    let read = app
        .send(
            TestRequest::get()
                .uri("/v1/categories")
                .peer_addr("192.0.2.7:5002".parse().expect("peer")),
        )
        .await;
    assert_eq!(read.status, 200);
    // A forged X-Forwarded-For does not buy a fresh budget.
    let forged = app
        .send(
            TestRequest::post()
                .uri("/v1/submissions")
                .peer_addr("192.0.2.7:5003".parse().expect("peer"))
                .insert_header(("x-forwarded-for", "203.0.113.99"))
                .insert_header(("content-type", "application/json"))
                .set_payload(valid_submission().to_string()),
        )
        .await;
    assert_eq!(forged.status, 429);
}

#[tokio::test]
async fn without_an_smtp_server_emails_land_in_the_local_mailbox_directory() {
    let dir = std::env::temp_dir().join(format!(
        "atlas-mailbox-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_nanos()
    ));
    let mailbox = dir.clone();
    let app = TestApp::seeded_with(move |config| {
        config.smtp_url = None;
        config.mail_dir = mailbox;
    })
    .await
    .expect("app");
    let response = app.post_json("/v1/submissions", &valid_submission()).await;
    assert_eq!(response.status, 202);
    assert_eq!(app.deliver_mail().await, 1);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the mailbox directory")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).expect("an .eml file");
    assert!(text.contains("hallo@nachbarschaftstafel.example.org"));
    assert!(text.contains("Token: "));
    assert!(app.mail.messages().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
