use super::*;

fn taxonomy() -> Taxonomy {
    let mut labels = LangText::default();
    labels.insert(Lang::EN, "Food");
    Taxonomy {
        categories: vec![crate::category::Category {
            id: CategoryId::parse("c", "food").expect("id"),
            parent: None,
            labels,
        }],
    }
}

fn source() -> Source {
    Source {
        kind: SourceKind::Submitted,
        name: None,
    }
}

fn good_draft() -> ActorDraft {
    ActorDraft {
        name: Some("Repair Café Wien".into()),
        kind: Some("association".into()),
        categories: vec!["food".into()],
        country: Some("Österreich".into()),
        lat: Some(48.2),
        lon: Some(16.37),
        website: Some("repaircafe.wien".into()),
        contact_email: Some("hallo@repaircafe.wien".into()),
        description: BTreeMap::from([("de".into(), "Wir reparieren.".into())]),
        ..ActorDraft::default()
    }
}

fn codes(result: Result<ValidActor, ValidationErrors>) -> Vec<(String, &'static str)> {
    result
        .expect_err("draft should be invalid")
        .0
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn a_good_draft_is_parsed_with_its_fixes_reported() {
    let valid = good_draft()
        .parse(&taxonomy(), "ODbL-1.0", source(), Strictness::Submission)
        .expect("valid");
    assert_eq!(
        valid
            .profile
            .address
            .country
            .map(|c| c.as_str().to_owned())
            .as_deref(),
        Some("AT")
    );
    assert_eq!(
        valid.profile.website.as_ref().map(Website::as_str),
        Some("https://repaircafe.wien/")
    );
    assert_eq!(
        valid.contact.email.as_deref(),
        Some("hallo@repaircafe.wien")
    );
    assert!(valid.fixes.contains(&Fix::WebsiteSchemeAdded));
    assert!(matches!(valid.fixes[0], Fix::CountryNormalised { .. }));
    assert_eq!(valid.profile.licence, "ODbL-1.0");
}

#[test]
fn every_field_error_is_reported_at_once() {
    let draft = ActorDraft {
        name: Some("<script>alert(1)</script>".into()),
        kind: Some("club".into()),
        categories: vec!["fod".into()],
        country: Some("Atlantis".into()),
        lat: Some(200.0),
        lon: Some(16.0),
        website: Some("javascript:alert(1)".into()),
        contact_email: Some("nobody@".into()),
        founded_year: Some(3000),
        languages: vec!["klingon".into()],
        ..ActorDraft::default()
    };
    let found = codes(draft.parse(&taxonomy(), "ODbL-1.0", source(), Strictness::Submission));
    for expected in [
        ("name", "markup_not_allowed"),
        ("kind", "invalid_kind"),
        ("categories[0]", "unknown_category"),
        ("country", "invalid_country"),
        ("location.lat", "out_of_range"),
        ("website", "unsupported_scheme"),
        ("contact_email", "invalid_email"),
        ("founded_year", "out_of_range"),
        ("languages[0]", "invalid_language"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1)),
            "missing {expected:?} in {found:?}"
        );
    }
}

#[test]
fn name_and_location_are_required() {
    let found = codes(ActorDraft::default().parse(
        &taxonomy(),
        "ODbL-1.0",
        source(),
        Strictness::Submission,
    ));
    assert!(found.contains(&("name".into(), "required")));
    assert!(found.contains(&("location.lat".into(), "required")));
}

#[test]
fn overlong_names_are_refused_but_any_script_is_welcome() {
    let long = ActorDraft {
        name: Some("a".repeat(10_000)),
        ..good_draft()
    };
    assert_eq!(
        codes(long.parse(&taxonomy(), "x", source(), Strictness::Submission)),
        vec![("name".into(), "too_long")]
    );
    for name in ["جمعية التعاون 🌍", "Βιολογικός Συνεταιρισμός", "Кооператив"]
    {
        let draft = ActorDraft {
            name: Some(name.into()),
            ..good_draft()
        };
        assert!(
            draft
                .parse(&taxonomy(), "x", source(), Strictness::Submission)
                .is_ok(),
            "{name}"
        );
    }
}

#[test]
fn imports_drop_what_submissions_reject() {
    let draft = ActorDraft {
        website: Some("update6".into()),
        country: Some("Atlantis".into()),
        description: BTreeMap::from([("gr".into(), "κείμενο".into())]),
        ..good_draft()
    };
    assert!(draft
        .clone()
        .parse(&taxonomy(), "x", source(), Strictness::Submission)
        .is_err());
    let valid = draft
        .parse(&taxonomy(), "x", source(), Strictness::Import)
        .expect("lenient import");
    assert_eq!(valid.profile.website, None);
    assert_eq!(valid.profile.address.country, None);
    assert!(valid
        .fixes
        .iter()
        .any(|f| matches!(f, Fix::WebsiteDropped { .. })));
    assert!(valid
        .fixes
        .iter()
        .any(|f| matches!(f, Fix::CountryDropped { .. })));
    assert!(valid
        .fixes
        .iter()
        .any(|f| matches!(f, Fix::FieldDropped { .. })));
}

#[test]
fn slugs_are_readable_and_stable() {
    assert_eq!(
        Slug::from_name("Repair Café Wien!").as_str(),
        "repair-cafe-wien"
    );
    assert_eq!(
        Slug::from_name("Кооператив Зора").as_str(),
        "кооператив-зора"
    );
    assert_eq!(Slug::from_name("!!!").as_str(), "actor");
    let id = ActorId::for_external("susy", "abc");
    assert_eq!(id, ActorId::for_external("susy", "abc"));
    assert_ne!(id, ActorId::for_external("susy", "abd"));
    assert!(Slug::from_name("x")
        .with_suffix(id)
        .as_str()
        .starts_with("x-"));
}

#[test]
fn ids_and_slugs_are_told_apart() {
    let id = ActorId::new();
    assert_eq!(ActorRef::parse(&id.to_string()), ActorRef::Id(id));
    assert_eq!(
        ActorRef::parse("Repair-Cafe"),
        ActorRef::Slug("repair-cafe".into())
    );
}

#[test]
fn swapped_coordinates_can_be_tried() {
    let location = Location::parse(56.9, 24.1, LocationPrecision::Exact).expect("valid");
    let swapped = location.swapped().expect("valid swap");
    assert_eq!((swapped.lat, swapped.lon), (24.1, 56.9));
    assert!(Location::parse(10.0, 170.0, LocationPrecision::Exact)
        .expect("valid")
        .swapped()
        .is_none());
}
