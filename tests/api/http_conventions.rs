//! The conventions of every public GET: caching, CORS, compression, languages, health.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use atlas_e2e::TestApp;

#[tokio::test]
async fn an_unchanged_response_is_a_304_for_its_etag() {
    let app = TestApp::seeded().await.expect("app");
    let first = app.get("/v1/actors?limit=3").await;
    let etag = first.header("etag").expect("ETag");
    assert!(first
        .header("cache-control")
        .expect("Cache-Control")
        .contains("max-age"));
    let again = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=3")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=4")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(other.status, 200, "a different page has another ETag");
}

#[tokio::test]
async fn any_origin_may_read_and_responses_compress() {
    let app = TestApp::seeded().await.expect("app");
    let response = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=50")
                .insert_header(("Origin", "https://map.example.org"))
                .insert_header(("Accept-Encoding", "gzip")),
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("access-control-allow-origin").as_deref(),
        Some("https://map.example.org")
    );
    assert_eq!(response.header("content-encoding").as_deref(), Some("gzip"));
    let brotli = app
        .send(
            TestRequest::get()
                .uri("/v1/actors?limit=50")
                .insert_header(("Accept-Encoding", "br")),
        )
        .await;
    assert_eq!(brotli.header("content-encoding").as_deref(), Some("br"));
}

#[tokio::test]
async fn text_resolves_to_the_wanted_language_then_english_then_any() {
    let app = TestApp::seeded().await.expect("app");
    // An actor described in German only.
    let everyone = app.walk("/v1/actors?limit=1000&lang=*").await;
    let german_only = everyone
        .iter()
        .find(|a| {
            a["description"]
                .as_object()
                .is_some_and(|d| d.len() == 1 && d.contains_key("de"))
        })
        .expect("an actor described in German only");
    let slug = german_only["slug"].as_str().expect("slug");
    let in_french = app.get(&format!("/v1/actors/{slug}?lang=fr")).await;
    assert_eq!(in_french.header("content-language").as_deref(), Some("fr"));
    assert!(
        in_french.json()["description"]["de"].is_string(),
        "no French, no English: German is used and named"
    );

    let both = everyone
        .iter()
        .find(|a| {
            a["description"]
                .as_object()
                .is_some_and(|d| d.contains_key("en") && d.contains_key("de"))
        })
        .expect("an actor described in English and German");
    let slug = both["slug"].as_str().expect("slug");
    let accept = app
        .send(
            TestRequest::get()
                .uri(&format!("/v1/actors/{slug}"))
                .insert_header(("Accept-Language", "de-AT,de;q=0.9,en;q=0.5")),
        )
        .await
        .json();
    assert_eq!(
        accept["description"]
            .as_object()
            .map(|d| d.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["de".to_owned()])
    );
    let italian = app.get(&format!("/v1/actors/{slug}?lang=it")).await.json();
    assert_eq!(
        italian["description"]
            .as_object()
            .map(|d| d.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["en".to_owned()])
    );
}

#[tokio::test]
async fn categories_have_labels_in_the_wanted_language() {
    let app = TestApp::seeded().await.expect("app");
    let german = app.get("/v1/categories?lang=de").await;
    assert_eq!(german.header("content-language").as_deref(), Some("de"));
    let items = german.json()["items"].as_array().cloned().expect("items");
    assert!(items.len() >= 40);
    assert!(
        items.iter().all(|c| c["label_lang"] == "de"),
        "every category has a German label"
    );
    let food = items.iter().find(|c| c["id"] == "food").expect("food");
    assert_eq!(food["labels"]["de"], food["label"]);
    assert_ne!(food["label"], food["labels"]["en"]);
    let klingon_fallback = app.get("/v1/categories?lang=ja").await.json();
    assert!(klingon_fallback["items"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| c["label_lang"] == "en"));
}

#[tokio::test]
async fn health_and_readiness_report_the_database_and_search_backend() {
    let app = TestApp::empty().await.expect("app");
    assert_eq!(app.get("/healthz").await.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    let body = ready.json();
    assert_eq!(body["database"], "ok");
    assert!(body["postgis"].as_str().is_some_and(|v| v.starts_with('3')));
    assert_eq!(body["search"]["backend"], "postgres");
}

/// One request over a real connection, as a client sends it (the in-process test service
/// skips the HTTP codec, which is what leaves HEAD's body out): the status line and headers,
/// and every byte after them.
async fn exchange(base_url: &str, method: &str, path: &str, headers: &str) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&answer[..end]).into_owned();
    (head, answer[end + 4..].to_vec())
}

fn head_field<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (field, value) = line.split_once(": ")?;
        field.eq_ignore_ascii_case(name).then_some(value)
    })
}

#[tokio::test]
async fn head_answers_what_get_would_without_the_body() {
    let app = TestApp::seeded().await.expect("app");
    let slug = app.get("/v1/actors?limit=1").await.json()["items"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    let server = app.serve().await.expect("server");
    for path in [
        "/v1/actors?limit=3".to_owned(),
        format!("/v1/actors/{slug}"),
        "/v1/facets?country=AT".to_owned(),
        "/v1/categories".to_owned(),
    ] {
        let (get_head, get_body) = exchange(&server.base_url, "GET", &path, "").await;
        let (head_head, head_body) = exchange(&server.base_url, "HEAD", &path, "").await;
        assert!(
            get_head.starts_with("HTTP/1.1 200"),
            "GET {path}: {get_head}"
        );
        assert!(
            head_head.starts_with("HTTP/1.1 200"),
            "HEAD {path}: {head_head}"
        );
        assert!(head_body.is_empty(), "HEAD {path} sent a body");
        assert!(!get_body.is_empty());
        for name in ["content-type", "etag", "cache-control", "content-length"] {
            assert_eq!(
                head_field(&head_head, name),
                head_field(&get_head, name),
                "HEAD {path}: {name}"
            );
        }
        assert_eq!(
            head_field(&head_head, "content-length"),
            Some(get_body.len().to_string().as_str()),
            "HEAD {path} announces the length GET sends"
        );
        // A client checking whether its copy is current asks HEAD with its ETag.
        let etag = head_field(&head_head, "etag").expect("ETag").to_owned();
        let (unchanged, body) = exchange(
            &server.base_url,
            "HEAD",
            &path,
            &format!("If-None-Match: {etag}\r\n"),
        )
        .await;
        assert!(
            unchanged.starts_with("HTTP/1.1 304"),
            "HEAD {path}: {unchanged}"
        );
        assert!(body.is_empty());
    }
    let (missing, body) = exchange(&server.base_url, "HEAD", "/v1/actors/no-such-actor", "").await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(body.is_empty());
    let (export, body) = exchange(&server.base_url, "HEAD", "/v1/exports/actors.csv", "").await;
    assert!(export.starts_with("HTTP/1.1 200"), "{export}");
    assert!(head_field(&export, "content-type").is_some_and(|t| t.starts_with("text/csv")));
    assert!(body.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_path_refuses_a_method_it_does_not_take_naming_those_it_does() {
    let app = TestApp::seeded().await.expect("app");
    let before = app.write_counts().await;
    let id = app.get("/v1/actors?limit=1").await.json()["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for (method, path, allowed) in [
        (
            Method::DELETE,
            "/v1/actors".to_owned(),
            "GET, HEAD, OPTIONS",
        ),
        (Method::POST, "/v1/facets".to_owned(), "GET, HEAD, OPTIONS"),
        (
            Method::DELETE,
            format!("/v1/actors/{id}"),
            "GET, HEAD, PATCH, OPTIONS",
        ),
        (
            Method::PUT,
            format!("/v1/actors/{id}"),
            "GET, HEAD, PATCH, OPTIONS",
        ),
        (Method::GET, "/v1/submissions".to_owned(), "POST, OPTIONS"),
        (
            Method::PATCH,
            "/v1/admin/webhooks/1".to_owned(),
            "GET, HEAD, DELETE, OPTIONS",
        ),
    ] {
        let response = app
            .send_from_anywhere(TestRequest::default().method(method.clone()).uri(&path))
            .await;
        assert_eq!(response.status, 405, "{method} {path}: {}", response.text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(response.json()["code"], "method_not_allowed");
        assert_eq!(
            response.header("allow").as_deref(),
            Some(allowed),
            "{method} {path}"
        );

        let options = app
            .send(TestRequest::default().method(Method::OPTIONS).uri(&path))
            .await;
        assert_eq!(options.status, 204, "OPTIONS {path}");
        assert_eq!(
            options.header("allow").as_deref(),
            Some(allowed),
            "OPTIONS {path}"
        );
    }
    for (method, path) in [
        (Method::DELETE, "/v1/nothing"),
        (Method::OPTIONS, "/v1/actors/a/b"),
    ] {
        let response = app
            .send_from_anywhere(TestRequest::default().method(method.clone()).uri(path))
            .await;
        assert_eq!(response.status, 404, "{method} {path}");
        assert_eq!(response.json()["code"], "not_found");
    }
    assert_eq!(
        app.write_counts().await,
        before,
        "a refused method writes nothing"
    );
}
