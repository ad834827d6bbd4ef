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
use atlas_testkit::smtp::SmtpSink;
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
    /// The SMTP server the app sends its email to.
    pub mail: SmtpSink,
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
        TestApp::with_config(db, |_| {}).await
    }

    /// A seeded app with some settings changed (rate limits, ...).
    pub async fn seeded_with(change: impl FnOnce(&mut Config)) -> Result<TestApp> {
        let app = TestApp::seeded().await?;
        TestApp::with_config(app.into_db(), change).await
    }

    fn into_db(self) -> TestDb {
        self.db
    }

    async fn with_config(db: TestDb, change: impl FnOnce(&mut Config)) -> Result<TestApp> {
        let store = Store::connect(&db.url, 4).await?;
        let mail = SmtpSink::start().await?;
        let mut config = Config::for_database(&db.url);
        config.seed_dir = seed_dir();
        config.shared_data = shared_data();
        config.smtp_url = Some(mail.url());
        change(&mut config);
        let state = AppState::load(store.clone(), config).await?;
        Ok(TestApp {
            state,
            store,
            db,
            mail,
        })
    }

    /// Sends the emails waiting in the outbox to the SMTP sink (the server's worker does
    /// this on its own); returns how many went out.
    pub async fn deliver_mail(&self) -> usize {
        self.state
            .deliver_due_emails()
            .await
            .expect("delivering the outbox")
    }

    /// Sends a JSON body with `method` from client `peer` (the rate limit keys on it).
    pub async fn send_json(
        &self,
        request: actix_test::TestRequest,
        peer: &str,
        body: &serde_json::Value,
    ) -> Response {
        self.send(
            request
                .peer_addr(
                    peer.parse()
                        .expect("a socket address such as 10.0.0.1:4000"),
                )
                .insert_header(("content-type", "application/json"))
                .set_payload(body.to_string()),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, body: &serde_json::Value) -> Response {
        self.send_json(
            actix_test::TestRequest::post().uri(uri),
            "10.0.0.1:4000",
            body,
        )
        .await
    }

    /// Rows in `table` (to check that a refused request wrote nothing).
    pub async fn count(&self, table: &str) -> i64 {
        use diesel::sql_types::BigInt;
        use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            count: i64,
        }
        let mut conn = AsyncPgConnection::establish(&self.db.url)
            .await
            .expect("connecting to the test database");
        let row: Count = diesel::sql_query(format!("SELECT count(*) AS count FROM {table}"))
            .get_result(&mut conn)
            .await
            .expect("counting rows");
        row.count
    }

    /// The first column of the first row of `query`, as text (NULL or no row: None).
    pub async fn sql_text(&self, query: &str) -> Option<String> {
        use diesel::sql_types::{Nullable, Text};
        use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Value {
            #[diesel(sql_type = Nullable<Text>)]
            value: Option<String>,
        }
        let mut conn = AsyncPgConnection::establish(&self.db.url)
            .await
            .expect("connecting to the test database");
        let rows: Vec<Value> = diesel::sql_query(format!("SELECT ({query})::text AS value"))
            .load(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        rows.into_iter().next().and_then(|r| r.value)
    }

    /// Row counts of every table a write endpoint may touch.
    pub async fn write_counts(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "actors",
            "actor_contacts",
            "actor_revisions",
            "moderation_items",
            "access_tokens",
            "email_outbox",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts
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

    /// Creates a user with `role` and logs in through the API; returns the bearer token.
    pub async fn login_as(&self, role: &str) -> String {
        let email = format!("{role}-{}@example.org", self.db.url.len() + self.counter());
        atlas_api::routes::admin::create_account(
            &self.state,
            None,
            &email,
            role,
            role,
            "a long enough password",
        )
        .await
        .unwrap_or_else(|e| panic!("creating a {role}: {e}"));
        let response = self
            .send_from_anywhere(
                actix_test::TestRequest::post()
                    .uri("/v1/auth/login")
                    .set_json(
                        serde_json::json!({"email": email, "password": "a long enough password"}),
                    ),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login: {}",
            response.text()
        );
        response.json()["token"].as_str().expect("token").to_owned()
    }

    fn counter(&self) -> usize {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    /// A request with a bearer token.
    /// A request with a bearer token (from a client address of its own, so tests about
    /// moderation never meet the per-client write limit).
    pub async fn send_as(&self, token: &str, request: actix_test::TestRequest) -> Response {
        self.send_from_anywhere(request.insert_header(("Authorization", format!("Bearer {token}"))))
            .await
    }

    /// A request from a client address no other request used.
    pub async fn send_from_anywhere(&self, request: actix_test::TestRequest) -> Response {
        let n = self.counter();
        let peer = format!(
            "127.{}.{}.{}:4000",
            (n >> 16) & 255,
            (n >> 8) & 255,
            n & 255
        );
        self.send(request.peer_addr(peer.parse().expect("address")))
            .await
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

/// A third-party tool the tests read our outputs with (installed by `scripts/test-tools.sh`,
/// which `make test` runs): Python tools from the project's virtualenv, others from PATH.
pub fn tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("ATLAS_PYTOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../var/pytools/bin"))
        });
    let in_venv = venv.join(name);
    if in_venv.exists() {
        return in_venv;
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.exists());
    on_path.unwrap_or_else(|| {
        panic!("`{name}` is not installed: run `bash scripts/test-tools.sh` (make test does)")
    })
}

/// A fresh scratch directory for one test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("atlas-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
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

/// The `atlas` binary of this build, built first if needed (a test of the command line runs
/// it as a process, as a user would). It lives next to the test binary's `deps` directory.
pub fn atlas_binary() -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps")
        .to_path_buf();
    let target_dir = profile_dir.parent().expect("target dir").to_path_buf();
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "atlas-api", "--bin", "atlas"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("running cargo build for the atlas binary");
    assert!(status.success(), "building the atlas binary failed");
    profile_dir.join("atlas")
}
