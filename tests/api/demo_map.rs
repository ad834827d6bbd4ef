//! The demo map at `/`: served by the Atlas with everything it needs (nothing from the
//! internet), and seen in a real headless browser.

use std::path::PathBuf;
use std::process::Command;

use atlas_e2e::TestApp;

#[tokio::test]
async fn the_page_and_everything_it_loads_are_served_by_the_atlas() {
    let app = TestApp::seeded().await.expect("app");
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    let html = page.text();
    for src in html
        .split(['"', '\''])
        .filter(|part| part.starts_with("/static/"))
    {
        let asset = app.get(src).await;
        assert_eq!(asset.status, 200, "{src}");
        assert!(asset.header("etag").is_some(), "{src}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page references nothing outside the Atlas"
    );
    let script = app.get("/static/map.js").await.text();
    assert!(!script.contains("https://") && !script.contains("http://"));
    assert_eq!(app.get("/static/nope.js").await.status, 404);

    // Without configuration the base map is the borders alone.
    let config = app.get("/map-config.json").await.json();
    assert!(config["tile_url"].is_null());
    let borders = app.get("/v1/map/borders").await;
    assert_eq!(borders.status, 200);
    let borders = borders.json();
    let features = borders["features"].as_array().expect("features");
    assert!(features.len() > 200, "every country: {}", features.len());
    assert!(features.iter().any(|f| f["properties"]["country"] == "AT"
        && f["geometry"]["coordinates"]
            .as_array()
            .is_some_and(|c| !c.is_empty())));
}

#[tokio::test]
async fn a_browser_shows_clusters_popups_search_filter_and_languages() {
    let app = TestApp::seeded().await.expect("app");
    let browser_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/browser"));
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir() && PathBuf::from("/usr/bin/chromium").exists(),
        "the browser test needs Debian's chromium and tests/browser/node_modules: run `bash scripts/test-tools.sh` (make test does)"
    );
    let server = app.serve().await.expect("server");
    let screenshot = browser_dir.join("artifacts/demo-map.png");
    std::fs::create_dir_all(browser_dir.join("artifacts")).expect("artifacts dir");
    let (base_url, shot, dir) = (
        server.base_url.clone(),
        screenshot.clone(),
        browser_dir.clone(),
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("map-check.mjs")
            .arg(&base_url)
            .arg(&shot)
            .current_dir(&dir)
            .output()
    })
    .await
    .expect("node thread")
    .expect("node runs (Debian nodejs)");
    server.stop().await;
    assert!(
        output.status.success(),
        "the browser check failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(screenshot.exists(), "a screenshot is saved");
}
