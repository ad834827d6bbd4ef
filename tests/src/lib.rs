//! Helpers for the end-to-end tests in `tests/api/`: an Atlas app on a fresh database of its
//! own (empty, or holding the real seed data), and a few ways to call it.

use std::path::PathBuf;

use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test as actix_test;
use anyhow::Result;
use atlas_api::seed::{self, Progress};
use atlas_api::{AppState, Config};
use atlas_store::Store;
use atlas_testkit::TestDb;

/// The repository's seed data directory.
pub fn seed_dir() -> PathBuf {
    std::env::var_os("ATLAS_SEED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../seed-data")))
}

/// The shared open datasets (country borders, GeoNames), beside the repository.
pub fn shared_data() -> PathBuf {
    std::env::var_os("ATLAS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")))
}

/// An Atlas app with a database of its own.
pub struct TestApp {
    pub state: AppState,
    pub store: Store,
    pub db: TestDb,
}

/// A response read whole.
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

impl TestApp {
    /// An app on a migrated database with no data.
    pub async fn empty() -> Result<TestApp> {
        TestApp::on(TestDb::migrated().await?).await
    }

    /// An app on a database holding the seed data (taxonomy, borders, 1,794 SUSY records).
    pub async fn seeded() -> Result<TestApp> {
        let template = atlas_testkit::template("seeded", |url| async move {
            let store = Store::connect(&url, 2).await?;
            seed::seed(
                &store,
                &seed_dir(),
                &shared_data(),
                "ODbL-1.0",
                Progress::Hidden,
            )
            .await?;
            Ok(())
        })
        .await?;
        TestApp::on(TestDb::from_template(&template).await?).await
    }

    async fn on(db: TestDb) -> Result<TestApp> {
        let store = Store::connect(&db.url, 4).await?;
        let mut config = Config::for_database(&db.url);
        config.seed_dir = seed_dir();
        config.shared_data = shared_data();
        let state = AppState::load(store.clone(), config).await?;
        Ok(TestApp { state, store, db })
    }

    /// Sends a request built by the caller through the whole app (middleware included).
    pub async fn send(&self, request: actix_test::TestRequest) -> Response {
        let service = actix_test::init_service(atlas_api::app(self.state.clone())).await;
        let response = actix_test::call_service(&service, request.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = actix_test::read_body(response).await.to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    /// Runs SQL on the test's database, to set up states the API cannot reach yet.
    pub async fn sql(&self, statement: &str) -> Result<usize> {
        use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
        let mut conn = AsyncPgConnection::establish(&self.db.url).await?;
        Ok(diesel::sql_query(statement).execute(&mut conn).await?)
    }

    pub async fn get(&self, uri: &str) -> Response {
        self.send(actix_test::TestRequest::get().uri(uri)).await
    }

    /// Follows `next_cursor` from `uri` to the last page and returns every item.
    pub async fn walk(&self, uri: &str) -> Vec<serde_json::Value> {
        let mut items = Vec::new();
        let separator = if uri.contains('?') { '&' } else { '?' };
        let mut next = uri.to_owned();
        loop {
            let response = self.get(&next).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{next}: {}",
                response.text()
            );
            let page = response.json();
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(cursor) => next = format!("{uri}{separator}cursor={cursor}"),
                None => return items,
            }
        }
    }
}

/// The records of the seed file, as JSON features.
pub fn seed_features() -> Vec<serde_json::Value> {
    let path = seed_dir().join("susy_ssedas.geojson");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let collection: serde_json::Value = serde_json::from_slice(&bytes).expect("seed file is JSON");
    collection["features"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A real HTTP server for clients that cannot call the app in-process (GDAL, a browser).
pub struct RunningServer {
    /// `http://127.0.0.1:<port>`
    pub base_url: String,
    handle: actix_web::dev::ServerHandle,
}

impl RunningServer {
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

impl TestApp {
    /// Serves the app on a free port of 127.0.0.1, with absolute links pointing at it.
    pub async fn serve(&self) -> Result<RunningServer> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let mut state = self.state.clone();
        let mut config = (*state.config).clone();
        config.public_base_url = base_url.clone();
        state.config = std::sync::Arc::new(config);
        let server = actix_web::HttpServer::new(move || atlas_api::app(state.clone()))
            .workers(2)
            .disable_signals()
            .listen(listener)?
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(RunningServer { base_url, handle })
    }
}
