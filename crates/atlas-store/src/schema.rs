//! Diesel table definitions, written to match `migrations/` (kept by hand: `diesel print-schema`
//! needs libpq, which this project does not link). A test checks every column exists.

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::Geometry;

    actors (id) {
        id -> Uuid,
        slug -> Text,
        external_id -> Nullable<Text>,
        status -> Text,
        version -> Int4,
        name -> Text,
        sort_name -> Text,
        alt_names -> Array<Text>,
        summary -> Jsonb,
        description -> Jsonb,
        kind -> Text,
        categories -> Array<Text>,
        tags -> Array<Text>,
        languages -> Array<Text>,
        country -> Nullable<Text>,
        region -> Nullable<Text>,
        city -> Nullable<Text>,
        postcode -> Nullable<Text>,
        street -> Nullable<Text>,
        geom -> Geometry,
        location_precision -> Text,
        website -> Nullable<Text>,
        links -> Jsonb,
        founded_year -> Nullable<Int2>,
        identifiers -> Jsonb,
        licence -> Text,
        source_kind -> Text,
        source_name -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    actor_contacts (actor_id) {
        actor_id -> Uuid,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    actor_revisions (id) {
        id -> Int8,
        actor_id -> Uuid,
        version -> Int4,
        status -> Text,
        profile -> Jsonb,
        author -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    categories (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        labels -> Jsonb,
        position -> Int4,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    actors,
    actor_contacts,
    actor_revisions,
    categories,
    change_events
);

diesel::table! {
    change_events (seq) {
        seq -> Int8,
        actor_id -> Uuid,
        kind -> Text,
        version -> Int4,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        failed_logins -> Int4,
        locked_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        user_id -> Nullable<Uuid>,
        user_label -> Text,
        action -> Text,
        target_kind -> Text,
        target_id -> Text,
        details -> Jsonb,
    }
}

diesel::table! {
    actor_redirects (from_id) {
        from_id -> Uuid,
        from_slug -> Text,
        to_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions, audit_log, actor_redirects, actors);
