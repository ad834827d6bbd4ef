-- The Atlas's store of record: actors on PostGIS, their revisions, the taxonomy and the
-- country borders used to check that a point lies in the country it claims.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id        text PRIMARY KEY CHECK (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    parent_id text REFERENCES categories (id),
    labels    jsonb NOT NULL CHECK (jsonb_typeof(labels) = 'object' AND labels ? 'en'),
    position  integer NOT NULL
);
COMMENT ON TABLE categories IS 'The taxonomy of themes actors work on; data loaded from seed-data/taxonomy.json.';
COMMENT ON COLUMN categories.id IS 'Stable kebab-case id used in the API (category=...).';
COMMENT ON COLUMN categories.parent_id IS 'The parent category, or NULL for a top-level one.';
COMMENT ON COLUMN categories.labels IS 'Label per ISO 639-1 language: {"en": "...", "de": "..."}; English is required.';
COMMENT ON COLUMN categories.position IS 'Display order as given in the taxonomy file.';

CREATE TABLE actors (
    id                 uuid PRIMARY KEY,
    slug               text NOT NULL UNIQUE,
    external_id        text UNIQUE,
    status             text NOT NULL CHECK (status IN ('draft', 'awaiting_confirmation', 'pending_review', 'published', 'rejected', 'archived')),
    version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sort_name          text NOT NULL,
    alt_names          text[] NOT NULL DEFAULT '{}',
    summary            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(summary) = 'object'),
    description        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(description) = 'object'),
    kind               text NOT NULL CHECK (kind IN ('association', 'cooperative', 'foundation', 'social_enterprise', 'company', 'public_body', 'network', 'informal_group', 'other')),
    categories         text[] NOT NULL DEFAULT '{}',
    tags               text[] NOT NULL DEFAULT '{}',
    languages          text[] NOT NULL DEFAULT '{}',
    country            text CHECK (country ~ '^[A-Z]{2}$'),
    region             text,
    city               text,
    postcode           text,
    street             text,
    geom               geometry(Point, 4326) NOT NULL,
    location_precision text NOT NULL DEFAULT 'exact' CHECK (location_precision IN ('exact', 'city')),
    website            text,
    links              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    founded_year       smallint,
    identifiers        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(identifiers) = 'object'),
    licence            text NOT NULL,
    source_kind        text NOT NULL CHECK (source_kind IN ('submitted', 'imported', 'curated')),
    source_name        text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE actors IS 'Organisations on the map: the current state of each listing (public fields only; contacts live in actor_contacts).';
COMMENT ON COLUMN actors.id IS 'Public UUID; v5 of the source record for imports, so re-imports find the same actor.';
COMMENT ON COLUMN actors.slug IS 'Unique human-readable handle used in URLs.';
COMMENT ON COLUMN actors.external_id IS 'Id in the source an actor was imported from ("susy:<_id>"), for idempotent imports.';
COMMENT ON COLUMN actors.status IS 'Review state; only published actors are public.';
COMMENT ON COLUMN actors.version IS 'Incremented on every applied change; clients quote it for optimistic concurrency.';
COMMENT ON COLUMN actors.name IS 'Display name.';
COMMENT ON COLUMN actors.sort_name IS 'Name folded to lowercase without accents, for stable alphabetical order and keyset paging.';
COMMENT ON COLUMN actors.alt_names IS 'Other names and abbreviations.';
COMMENT ON COLUMN actors.summary IS 'Short text per language: {"en": "..."}.';
COMMENT ON COLUMN actors.description IS 'Long text per language: {"en": "..."}.';
COMMENT ON COLUMN actors.kind IS 'Legal or organisational form.';
COMMENT ON COLUMN actors.categories IS 'Taxonomy ids (categories.id); an array for GIN filtering.';
COMMENT ON COLUMN actors.tags IS 'Free lowercase keywords, including codes kept from imported sources.';
COMMENT ON COLUMN actors.languages IS 'ISO 639-1 languages the actor works in.';
COMMENT ON COLUMN actors.country IS 'ISO 3166-1 alpha-2 country code.';
COMMENT ON COLUMN actors.region IS 'Region or province, free text.';
COMMENT ON COLUMN actors.city IS 'Town or city, free text.';
COMMENT ON COLUMN actors.postcode IS 'Postal code.';
COMMENT ON COLUMN actors.street IS 'Street address.';
COMMENT ON COLUMN actors.geom IS 'Location as a WGS 84 point (lon, lat).';
COMMENT ON COLUMN actors.location_precision IS 'exact (address) or city (geocoded to the town only).';
COMMENT ON COLUMN actors.website IS 'Normalised http(s) URL.';
COMMENT ON COLUMN actors.links IS 'Other links: [{"kind": "mastodon", "url": "..."}].';
COMMENT ON COLUMN actors.founded_year IS 'Year the organisation was founded.';
COMMENT ON COLUMN actors.identifiers IS 'External identifiers: {"wikidata": "Q...", "registry": "..."}.';
COMMENT ON COLUMN actors.licence IS 'Licence of this record (SPDX id), e.g. ODbL-1.0.';
COMMENT ON COLUMN actors.source_kind IS 'submitted, imported or curated.';
COMMENT ON COLUMN actors.source_name IS 'Name of the source, with attribution, for imported records.';
COMMENT ON COLUMN actors.created_at IS 'When the actor was first stored.';
COMMENT ON COLUMN actors.updated_at IS 'When the actor last changed.';

-- Public reads only ever see published actors, so the read indexes are partial.
CREATE INDEX actors_published_geom ON actors USING gist (geom) WHERE status = 'published';
CREATE INDEX actors_published_geog ON actors USING gist ((geom::geography)) WHERE status = 'published';
CREATE INDEX actors_published_sort_name ON actors (sort_name, id) WHERE status = 'published';
CREATE INDEX actors_published_updated ON actors (updated_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX actors_categories ON actors USING gin (categories);
CREATE INDEX actors_tags ON actors USING gin (tags);
CREATE INDEX actors_languages ON actors USING gin (languages);
CREATE INDEX actors_country ON actors (country);

CREATE TABLE actor_contacts (
    actor_id   uuid PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    email      text,
    phone      text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE actor_contacts IS 'Private contact details, kept out of the actors table so no public query can select them.';
COMMENT ON COLUMN actor_contacts.actor_id IS 'The actor these details belong to.';
COMMENT ON COLUMN actor_contacts.email IS 'Contact email (private; moderators and the owner only).';
COMMENT ON COLUMN actor_contacts.phone IS 'Contact phone (private; moderators and the owner only).';
COMMENT ON COLUMN actor_contacts.updated_at IS 'When the details last changed.';

CREATE TABLE actor_revisions (
    id         bigserial PRIMARY KEY,
    actor_id   uuid NOT NULL REFERENCES actors (id),
    version    integer NOT NULL,
    status     text NOT NULL,
    profile    jsonb NOT NULL,
    author     text NOT NULL,
    note       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (actor_id, version)
);
COMMENT ON TABLE actor_revisions IS 'Every change to an actor, append-only: who, when and the full public profile after it.';
COMMENT ON COLUMN actor_revisions.id IS 'Order of writing.';
COMMENT ON COLUMN actor_revisions.actor_id IS 'The actor changed.';
COMMENT ON COLUMN actor_revisions.version IS 'The actor version this revision produced.';
COMMENT ON COLUMN actor_revisions.status IS 'The review status after the change.';
COMMENT ON COLUMN actor_revisions.profile IS 'Snapshot of the public profile (domain ActorProfile as JSON); never contains contact details.';
COMMENT ON COLUMN actor_revisions.author IS 'Who made the change: "import:<source>", a moderator, or a submitter.';
COMMENT ON COLUMN actor_revisions.note IS 'Why, when given.';
COMMENT ON COLUMN actor_revisions.created_at IS 'When the change was made.';

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
COMMENT ON FUNCTION forbid_change() IS 'Trigger function that makes a table append-only.';
CREATE TRIGGER actor_revisions_append_only BEFORE UPDATE OR DELETE ON actor_revisions
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE country_borders (
    id      serial PRIMARY KEY,
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    name    text NOT NULL,
    geom    geometry(MultiPolygon, 4326) NOT NULL
);
COMMENT ON TABLE country_borders IS 'Country and territory borders (@rapideditor/country-coder, ISC) for point-in-country checks.';
COMMENT ON COLUMN country_borders.id IS 'Row id.';
COMMENT ON COLUMN country_borders.country IS 'ISO 3166-1 alpha-2 code of the country the area belongs to.';
COMMENT ON COLUMN country_borders.name IS 'English name of the area (a country, or a part such as Scotland).';
COMMENT ON COLUMN country_borders.geom IS 'Border as a WGS 84 multipolygon.';
CREATE INDEX country_borders_geom ON country_borders USING gist (geom);
