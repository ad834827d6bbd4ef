//! Contact details are stored but never published.

use std::collections::BTreeSet;

use atlas_e2e::{seed_features, TestApp};

/// Every contact email and phone of the seed, except those the organisation also wrote into
/// its own public text (a description that says "call us on …" is public by its author's choice).
fn seed_contacts() -> BTreeSet<String> {
    seed_features()
        .iter()
        .flat_map(|f| {
            let props = &f["properties"];
            let public_text: String = props
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| !key.starts_with("contact:"))
                .filter_map(|(_, value)| value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            [
                props["contact:email"].as_str(),
                props["contact:phone"].as_str(),
            ]
            .into_iter()
            .flatten()
            .map(|c| c.trim().to_lowercase())
            .filter(move |c| !public_text.contains(c.as_str()))
            .collect::<Vec<_>>()
        })
        // Some records put a web address in the email field; that part is public anyway.
        .filter(|c| c.contains('@') || c.chars().filter(char::is_ascii_digit).count() >= 6)
        .collect()
}

fn assert_no_private_data(body: &str, contacts: &BTreeSet<String>, what: &str) {
    let lower = body.to_lowercase();
    for key in [
        "contact_email",
        "contact_phone",
        "contact:email",
        "\"email\"",
        "\"phone\"",
    ] {
        assert!(!lower.contains(key), "{what} contains {key}");
    }
    for contact in contacts {
        assert!(
            !lower.contains(contact.as_str()),
            "{what} contains the private contact {contact}"
        );
    }
}

#[tokio::test]
async fn no_public_response_contains_a_contact_from_the_seed() {
    let app = TestApp::seeded().await.expect("app");
    let contacts = seed_contacts();
    assert!(
        contacts.len() > 1_000,
        "the seed has many contacts to leak: {}",
        contacts.len()
    );

    // The contacts are stored (moderators will need them)…
    let first = app.get("/v1/actors?limit=1").await.json()["items"][0].clone();
    let stored = app
        .store
        .contact_details(atlas_domain::ActorId(
            first["id"].as_str().expect("id").parse().expect("uuid"),
        ))
        .await
        .expect("contact");
    let _ = stored; // may be empty for this actor; the sweep below is what matters.

    // …but never in a list page, JSON or GeoJSON, in any language, or in a detail.
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let after = cursor
            .as_deref()
            .map(|c| format!("&cursor={c}"))
            .unwrap_or_default();
        let geojson = app
            .get(&format!(
                "/v1/actors?limit=1000&lang=*&format=geojson{after}"
            ))
            .await;
        assert_eq!(geojson.status, 200);
        assert_no_private_data(&geojson.text(), &contacts, "a GeoJSON page");
        let json = app
            .get(&format!("/v1/actors?limit=1000&lang=*{after}"))
            .await;
        assert_no_private_data(&json.text(), &contacts, "a JSON page");
        let page = json.json();
        for item in page["items"].as_array().expect("items").iter().step_by(100) {
            let detail = app
                .get(&format!("/v1/actors/{}", item["id"].as_str().expect("id")))
                .await;
            assert_eq!(detail.status, 200);
            assert_no_private_data(&detail.text(), &contacts, "a detail");
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 2, "all 1,794 actors were checked");
}

#[tokio::test]
async fn contact_details_are_kept_for_moderators() {
    let app = TestApp::seeded().await.expect("app");
    let feature = seed_features()
        .into_iter()
        .find(|f| {
            f["properties"]["contact:email"]
                .as_str()
                .is_some_and(|e| e.contains('@') && !e.contains(' '))
        })
        .expect("a record with an email");
    let id = atlas_domain::ActorId::for_external(
        "susy",
        feature["properties"]["_id"].as_str().expect("_id"),
    );
    let contact = app.store.contact_details(id).await.expect("contact");
    let expected = feature["properties"]["contact:email"]
        .as_str()
        .expect("email")
        .trim()
        .to_lowercase();
    assert_eq!(contact.email.map(|e| e.to_lowercase()), Some(expected));
}
