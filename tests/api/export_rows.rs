//! The CSV export reads lines formatted when each actor was written (`actor_export_rows`,
//! kept by triggers, migration 000130): whatever writes an actor, the next export shows it,
//! and the file is byte for byte what PostgreSQL's COPY of the former export query writes.

use actix_web::test::TestRequest;
use atlas_domain::Lang;
use atlas_e2e::TestApp;
use futures_util::TryStreamExt;
use serde_json::json;

/// The CSV export's query before migration 000130 (commit 0c969dc), which PostgreSQL's COPY
/// wrote out whole; `{texts}` and `{records}` are filled per language as the export did.
const FORMER_EXPORT_SQL: &str = r#"SELECT a.id,
       csv_cell(a.slug) AS slug,
       csv_cell(a.name) AS name,
       csv_cell(array_to_string(a.alt_names, ';')) AS alt_names,
       a.kind,
       nullif(array_to_string(a.categories, ';'), '') AS categories,
       csv_cell(array_to_string(a.tags, ';')) AS tags,
       nullif(array_to_string(a.languages, ';'), '') AS languages,
       a.country,
       csv_cell(a.region) AS region,
       csv_cell(a.city) AS city,
       csv_cell(a.postcode) AS postcode,
       csv_cell(a.street) AS street,
       ST_Y(a.geom) AS lat,
       ST_X(a.geom) AS lon,
       a.location_precision,
       csv_cell(a.website) AS website,
       CASE WHEN a.links <> '[]' THEN
           csv_cell((SELECT string_agg((l.link ->> 'kind') || ' ' || (l.link ->> 'url'), ';' ORDER BY l.n)
                     FROM jsonb_array_elements(a.links) WITH ORDINALITY AS l (link, n)))
       END AS links,
       a.founded_year,
       CASE WHEN a.identifiers <> '{}' THEN
           csv_cell((SELECT string_agg(i.key || ':' || i.value, ';' ORDER BY i.key COLLATE "C")
                     FROM jsonb_each_text(a.identifiers) AS i))
       END AS identifiers,
       csv_cell(a.licence) AS licence,
       a.source_kind,
       csv_cell(a.source_name) AS source_name,
       csv_time(a.created_at) AS created_at,
       csv_time(a.updated_at) AS updated_at,
       a.version{texts}
FROM actors a{records}
WHERE a.status = 'published'{filter}
ORDER BY a.id"#;

/// What COPY of the former query writes for the published actors matching `filter` (SQL).
async fn former_export(app: &TestApp, filter: &str) -> Vec<u8> {
    let mut languages: Vec<Lang> = app
        .sql_text(
            "SELECT string_agg(DISTINCT lang, ',' ORDER BY lang) FROM actors t, LATERAL ( \
               SELECT jsonb_object_keys(t.summary) AS lang \
               UNION SELECT jsonb_object_keys(t.description)) keys \
             WHERE t.status = 'published'",
        )
        .await
        .unwrap_or_default()
        .split(',')
        .filter_map(Lang::parse)
        .collect();
    // Keys that name the same language ("en", "en-GB") make one column, as in the export.
    languages.sort();
    languages.dedup();
    let mut texts = String::new();
    for (field, record) in [("summary", "s"), ("description", "d")] {
        for lang in &languages {
            texts.push_str(&format!(
                ",\n       csv_cell({record}.\"{lang}\") AS \"{field}_{lang}\""
            ));
        }
    }
    let columns = languages
        .iter()
        .map(|lang| format!("\"{lang}\" text"))
        .collect::<Vec<_>>()
        .join(", ");
    let records = if columns.is_empty() {
        String::new()
    } else {
        format!(
            ", jsonb_to_record(a.summary) AS s ({columns}), \
             jsonb_to_record(a.description) AS d ({columns})"
        )
    };
    let select = FORMER_EXPORT_SQL
        .replace("{texts}", &texts)
        .replace("{records}", &records)
        .replace("{filter}", filter);
    let (client, connection) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let chunks: Vec<bytes::Bytes> = client
        .copy_out(&format!(
            "COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)"
        ))
        .await
        .expect("COPY")
        .try_collect()
        .await
        .expect("COPY output");
    chunks.concat()
}

/// Stored export rows or language counts that differ from what the actors say now.
async fn export_rows_out_of_step(app: &TestApp) -> i64 {
    app.sql_text(
        "SELECT (SELECT count(*) FROM ( \
             (SELECT * FROM actor_export_lines EXCEPT ALL SELECT * FROM actor_export_rows) \
             UNION ALL \
             (SELECT * FROM actor_export_rows EXCEPT ALL SELECT * FROM actor_export_lines)) rows) \
         + (SELECT count(*) FROM ( \
             (SELECT lang, count(*)::integer FROM actors a, LATERAL ( \
                  SELECT jsonb_object_keys(a.summary) UNION SELECT jsonb_object_keys(a.description) \
              ) k (lang) WHERE a.status = 'published' GROUP BY lang \
              EXCEPT SELECT lang, actors FROM export_text_languages) \
             UNION ALL \
             (SELECT lang, actors FROM export_text_languages \
              EXCEPT SELECT lang, count(*)::integer FROM actors a, LATERAL ( \
                  SELECT jsonb_object_keys(a.summary) UNION SELECT jsonb_object_keys(a.description) \
              ) k (lang) WHERE a.status = 'published' GROUP BY lang)) languages) \
         + (SELECT count(*) FROM actor_export_count \
            WHERE actors <> (SELECT count(*) FROM actors WHERE status = 'published'))",
    )
    .await
    .and_then(|n| n.parse().ok())
    .expect("count")
}

async fn csv_export(app: &TestApp, query: &str) -> Vec<u8> {
    let response = app.get(&format!("/v1/exports/actors.csv{query}")).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.body
}

/// The export's row for `id` as (column, cell) pairs, or None when it is not in the file.
async fn exported_row(app: &TestApp, id: &str) -> Option<Vec<(String, String)>> {
    let body = csv_export(app, "").await;
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let header = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| r.expect("RFC 4180 row"))
        .find(|r| &r[0] == id)
        .map(|r| {
            header
                .iter()
                .zip(r.iter())
                .map(|(h, c)| (h.to_owned(), c.to_owned()))
                .collect()
        })
}

fn cell<'a>(row: &'a [(String, String)], column: &str) -> &'a str {
    row.iter()
        .find(|(h, _)| h == column)
        .map(|(_, c)| c.as_str())
        .unwrap_or_else(|| panic!("no column {column}"))
}

#[tokio::test]
async fn the_csv_export_is_byte_for_byte_what_copy_of_the_former_query_writes() {
    let app = TestApp::seeded().await.expect("app");
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after seeding");
    assert_eq!(csv_export(&app, "").await, former_export(&app, "").await);

    // Cells that need quoting, neutralising, or are empty; a language no one used before
    // (a new column), a key that is no column, nested identifiers and links.
    app.sql(
        "INSERT INTO actors SELECT (jsonb_populate_record(NULL::actors, to_jsonb(a) || jsonb_build_object( \
             'id', '00000000-0000-4000-8000-000000000001', 'slug', 'export-rows-tricky', \
             'external_id', NULL, \
             'name', 'Quote \"this\", then
a new line', \
             'alt_names', ARRAY['-minus', '', 'x,y'], \
             'tags', ARRAY['=SUM(A1)', 'plain'], \
             'city', '@home', 'street', E'\\tTabbed', 'postcode', '', 'region', NULL, \
             'website', NULL, 'founded_year', 1999, \
             'links', '[{\"kind\": \"mastodon\", \"url\": \"https://x.example/@a,b\"}]'::jsonb, \
             'identifiers', '{\"wikidata\": \"Q1\", \"Zed\": \"+z\", \"abc\": \"\\\"q\\\"\"}'::jsonb, \
             'summary', '{\"sv\": \"Svenska, \\\"citat\\\"\", \"en-GB\": \"not a column\", \"en\": \"\"}'::jsonb, \
             'description', '{\"de\": \"=1+1\", \"sv\": \"rad ett\\r\\nrad två\"}'::jsonb, \
             'source_name', 'Quelle ''A''', \
             'created_at', '2026-01-02T03:04:05.120+00:00', 'updated_at', '2026-01-02T03:04:05.123456+00:00' \
         ))).* FROM actors a WHERE status = 'published' ORDER BY id LIMIT 1",
    )
    .await
    .expect("insert");
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after an insert");
    let body = csv_export(&app, "").await;
    let header = body.split(|b| *b == b'\n').next().expect("header");
    assert!(
        String::from_utf8_lossy(header).contains("summary_sv"),
        "the new language is a column"
    );
    assert_eq!(body, former_export(&app, "").await);
    let row = exported_row(&app, "00000000-0000-4000-8000-000000000001")
        .await
        .expect("the new actor's row");
    assert_eq!(cell(&row, "name"), "Quote \"this\", then\na new line");
    assert_eq!(cell(&row, "description_de"), "'=1+1");

    // Filters join the stored lines to the actors.
    assert_eq!(
        csv_export(&app, "?country=AT").await,
        former_export(&app, " AND a.country = 'AT'").await
    );
    assert_eq!(
        csv_export(&app, "?bbox=9,46,17.5,49.1").await,
        former_export(
            &app,
            " AND a.geom && ST_MakeEnvelope(9, 46, 17.5, 49.1, 4326)"
        )
        .await
    );

    // The last actor using a language goes: so does its column.
    app.sql(
        "UPDATE actors SET summary = '{}', description = '{}' WHERE slug = 'export-rows-tricky'",
    )
    .await
    .expect("update");
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after an update");
    let body = csv_export(&app, "").await;
    assert!(!String::from_utf8_lossy(&body[..2_000]).contains("summary_sv"));
    assert_eq!(body, former_export(&app, "").await);

    // A bulk write in one statement, and a delete.
    app.sql("UPDATE actors SET status = 'archived' WHERE country = 'AT'")
        .await
        .expect("bulk unpublish");
    app.sql("DELETE FROM actors WHERE slug = 'export-rows-tricky'")
        .await
        .expect("delete");
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after bulk writes");
    assert_eq!(csv_export(&app, "").await, former_export(&app, "").await);

    // The rebuild (for loads that bypass the triggers) gives the same rows.
    app.sql("SELECT actor_export_rows_rebuild()")
        .await
        .expect("rebuild");
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after a rebuild");
    assert_eq!(csv_export(&app, "").await, former_export(&app, "").await);
}

#[tokio::test]
async fn every_write_through_the_api_shows_in_the_next_csv_export() {
    let app = TestApp::seeded().await.expect("app");
    let moderator = app.login_as("moderator").await;
    let approve = |item: String| {
        let (app, moderator) = (&app, &moderator);
        async move {
            let approved = app
                .send_as(
                    moderator,
                    TestRequest::post().uri(&format!("/v1/moderation/items/{item}/approve")),
                )
                .await;
            assert_eq!(approved.status, 200, "{}", approved.text());
            approved.json()
        }
    };

    // Create: a stranger's submission, confirmed and approved.
    let email = "export-rows@example.org";
    let submitted = app
        .post_json(
            "/v1/submissions",
            &json!({
                "name": "Export Rows Genossenschaft",
                "summary": {"sv": "Ett kooperativ"},
                "kind": "cooperative",
                "country": "AT",
                "city": "Graz",
                "location": {"lat": 47.07, "lon": 15.44},
                "contact_email": email,
                "consent": {"publish": true, "licence": "ODbL-1.0"}
            }),
        )
        .await;
    assert_eq!(submitted.status, 202, "{}", submitted.text());
    let item = submitted.json()["id"].as_str().expect("id").to_owned();
    app.deliver_mail().await;
    let token = app.mail.messages_to(email)[0]
        .line_value("Token")
        .expect("token");
    app.post_json(
        &format!("/v1/submissions/{item}/confirm"),
        &json!({"token": token}),
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&csv_export(&app, "").await).contains("Export Rows"),
        "nothing new before review"
    );
    let actor_id = approve(item).await["actor_id"]
        .as_str()
        .expect("actor_id")
        .to_owned();
    let row = exported_row(&app, &actor_id)
        .await
        .expect("created: exported");
    assert_eq!(cell(&row, "name"), "Export Rows Genossenschaft");
    assert_eq!(cell(&row, "summary_sv"), "Ett kooperativ");
    let version = app.get(&format!("/v1/actors/{actor_id}")).await.json()["version"].clone();
    assert_eq!(cell(&row, "version"), version.to_string());
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after a create");

    // Edit: the owner's emailed token, a PATCH, a moderator's approval.
    let link = app
        .post_json(
            &format!("/v1/actors/{actor_id}/edit-link"),
            &json!({"email": email}),
        )
        .await;
    assert_eq!(link.status, 202, "{}", link.text());
    app.deliver_mail().await;
    let edit_token = app
        .mail
        .messages_to(email)
        .last()
        .and_then(|m| m.line_value("Token"))
        .expect("edit token");
    let edited = app
        .send(
            TestRequest::patch()
                .uri(&format!("/v1/actors/{actor_id}"))
                .peer_addr("10.6.0.1:4000".parse().expect("peer"))
                .insert_header(("authorization", format!("Bearer {edit_token}")))
                .insert_header(("if-match", format!("\"{version}\"")))
                .set_json(json!({"name": "=Renamed, by its owner", "city": "Linz"})),
        )
        .await;
    assert_eq!(edited.status, 202, "{}", edited.text());
    let edit_item = edited.json()["id"].as_str().expect("item").to_owned();
    approve(edit_item).await;
    let row = exported_row(&app, &actor_id)
        .await
        .expect("edited: exported");
    assert_eq!(cell(&row, "name"), "'=Renamed, by its owner");
    assert_eq!(cell(&row, "city"), "Linz");
    assert_eq!(
        cell(&row, "version"),
        app.get(&format!("/v1/actors/{actor_id}")).await.json()["version"].to_string()
    );
    assert_ne!(cell(&row, "version"), version.to_string());
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after an edit");

    // Archive and restore.
    for (action, exported) in [("archive", false), ("restore", true)] {
        let response = app
            .send_as(
                &moderator,
                TestRequest::post()
                    .uri(&format!("/v1/actors/{actor_id}/{action}"))
                    .set_json(json!({"note": "export rows test"})),
            )
            .await;
        assert_eq!(response.status, 200, "{action}: {}", response.text());
        assert_eq!(
            exported_row(&app, &actor_id).await.is_some(),
            exported,
            "after {action}"
        );
        assert_eq!(export_rows_out_of_step(&app).await, 0, "after {action}");
    }

    // Merge: the duplicate leaves the export.
    let survivor = app
        .sql_text("SELECT id FROM actors WHERE status = 'published' AND country = 'AT' ORDER BY id LIMIT 1")
        .await
        .expect("another Austrian actor");
    let merged = app
        .send_as(
            &moderator,
            TestRequest::post()
                .uri(&format!("/v1/actors/{actor_id}/merge"))
                .set_json(json!({"into": survivor})),
        )
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text());
    assert!(exported_row(&app, &actor_id).await.is_none(), "merged away");
    assert!(exported_row(&app, &survivor).await.is_some());
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after a merge");
    let header = csv_export(&app, "").await;
    assert!(
        !String::from_utf8_lossy(&header[..2_000]).contains("summary_sv"),
        "the only Swedish text left with the merged actor"
    );

    // Erasure: the survivor's owner asks, a moderator approves.
    let owner = app
        .sql_text(&format!(
            "SELECT email FROM actor_contacts WHERE actor_id = '{survivor}' AND email IS NOT NULL"
        ))
        .await;
    let eraser = match owner {
        Some(email) => email,
        None => {
            app.sql(&format!(
                "INSERT INTO actor_contacts (actor_id, email) VALUES ('{survivor}', 'owner@export-rows.example.org') \
                 ON CONFLICT (actor_id) DO UPDATE SET email = excluded.email"
            ))
            .await
            .expect("contact");
            "owner@export-rows.example.org".to_owned()
        }
    };
    let asked = app
        .post_json(
            &format!("/v1/actors/{survivor}/erasure-request"),
            &json!({"email": eraser, "message": "please remove us"}),
        )
        .await;
    assert!(asked.status.is_success(), "{}", asked.text());
    let queue = app
        .send_as(
            &moderator,
            TestRequest::get().uri("/v1/moderation/queue?kind=erasure_request"),
        )
        .await
        .json();
    let erasure = queue["items"][0]["id"].as_str().expect("item").to_owned();
    approve(erasure).await;
    assert!(exported_row(&app, &survivor).await.is_none(), "erased");
    assert_eq!(export_rows_out_of_step(&app).await, 0, "after an erasure");
}
