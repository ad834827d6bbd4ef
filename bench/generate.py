#!/usr/bin/env python3
"""Synthetic published actors for load tests of the Social Tech Atlas API.

Places N actors (default 100,000) on real European towns from GeoNames
(`<shared data>/geonames/europe_cities1000.csv`), choosing towns weighted by
population, with a fixed seed, so the same N always gives the same rows:
same ids (uuid5), slugs (`bench-<n>`), names, places and texts.

Every row is `status = 'published'`, `source_kind = 'imported'`,
`source_name = 'bench'`, `external_id = 'bench:<n>'`, licence `ODbL-1.0`, so
bench rows are easy to find and remove (`--clean`) and never mix with real data.

Usage:
  generate.py [-n N] [--out FILE]        write COPY text rows (stdout by default)
  generate.py [-n N] --load              replace the bench rows in $DATABASE_URL
                                         (DELETE + \\copy in one transaction, then ANALYZE)
  generate.py --clean                    delete the bench rows, then ANALYZE
  generate.py [-n N] --stats [--top K]   print the K towns that got the most actors

Python 3.11, standard library only; loading needs `psql` on PATH.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CITIES = REPO.parent / "shared" / "data" / "geonames" / "europe_cities1000.csv"
DEFAULT_TAXONOMY = REPO / "seed-data" / "taxonomy.json"

SOURCE = "bench"
SEED = 42
JITTER_DEG = 0.02

# Columns written, in order (the COPY column list).
COLUMNS = [
    "id", "slug", "external_id", "status", "version", "name", "sort_name", "alt_names",
    "summary", "description", "kind", "categories", "tags", "languages", "country",
    "region", "city", "postcode", "street", "geom", "location_precision", "website",
    "links", "founded_year", "identifiers", "licence", "source_kind", "source_name",
    "created_at", "updated_at",
]

KINDS = {
    "association": "Association",
    "cooperative": "Cooperative",
    "foundation": "Foundation",
    "social_enterprise": "Social Enterprise",
    "company": "Company",
    "public_body": "Office",
    "network": "Network",
    "informal_group": "Collective",
    "other": "Initiative",
}

WORDS = [
    "Green", "Open", "Common", "Solidarity", "Urban", "Rural", "Fair", "Circular", "Mutual",
    "Neighbourhood", "Community", "Citizens", "Repair", "Seed", "Harvest", "Bridge", "Horizon",
    "Roots", "River", "Valley", "Commons", "Sunrise", "Compass", "Beacon", "Harbour", "Meadow",
    "Orchard", "Workshop", "Kitchen", "Library", "Bicycle", "Energy", "Water", "Forest",
    "Garden", "Market", "Housing", "Care", "Youth", "Elders", "Migrant", "Women's", "Digital",
    "Maker", "Craft", "Textile", "Food", "Health", "Learning", "Culture", "Art", "Music",
    "Sport", "Mobility", "Climate", "Zero Waste", "Local", "Social", "Civic", "Peer",
]

TAGS = [
    "volunteering", "workshops", "training", "advocacy", "research", "events", "crowdfunding",
    "open-source", "open-data", "cooperative-economy", "local-currency", "short-supply-chain",
    "organic", "reuse", "recycling", "repair-cafe", "community-garden", "housing", "refugees",
    "inclusion", "disability", "youth", "seniors", "women", "education", "renewables",
    "cycling", "car-sharing", "fair-trade", "microcredit", "ethical-finance", "culture",
    "festival", "library", "makerspace", "health", "mental-health", "food-bank", "zero-waste",
]

ACTIVITIES = [
    "runs workshops", "organises a weekly market", "supports local producers",
    "offers free advice", "trains volunteers", "repairs and lends tools",
    "shares surplus food", "builds community energy projects", "hosts cultural events",
    "helps newcomers find housing and work", "teaches digital skills",
    "maintains a shared garden", "campaigns for fair working conditions",
]

# Main language(s) per country of the towns file; `en` is added to some actors.
COUNTRY_LANGS = {
    "AD": ["ca"], "AL": ["sq"], "AT": ["de"], "BA": ["bs"], "BE": ["nl", "fr"], "BG": ["bg"],
    "BY": ["be", "ru"], "CH": ["de", "fr"], "CY": ["el"], "CZ": ["cs"], "DE": ["de"],
    "DK": ["da"], "EE": ["et"], "ES": ["es"], "FI": ["fi"], "FO": ["fo"], "FR": ["fr"],
    "GB": ["en"], "GG": ["en"], "GI": ["en"], "GR": ["el"], "HR": ["hr"], "HU": ["hu"],
    "IE": ["en", "ga"], "IM": ["en"], "IS": ["is"], "IT": ["it"], "JE": ["en"], "LI": ["de"],
    "LT": ["lt"], "LU": ["lb", "fr"], "LV": ["lv"], "MC": ["fr"], "MD": ["ro"], "ME": ["sr"],
    "MK": ["mk"], "MT": ["mt", "en"], "NL": ["nl"], "NO": ["no"], "PL": ["pl"], "PT": ["pt"],
    "RO": ["ro"], "RS": ["sr"], "RU": ["ru"], "SE": ["sv"], "SI": ["sl"], "SK": ["sk"],
    "SM": ["it"], "UA": ["uk"], "VA": ["it"], "XK": ["sq"],
}

# Texts in the town's language, so that search sees what it sees on real data: words to stem
# in several languages, accents, category words in another language than the query's. Each
# language has the kind nouns used in names, a few activities, and the sentence shapes of
# the summary and description ({name}, {kind}, {town}, {country}, {year}, {a0}, {a1},
# {themes}). Towns in other countries get English texts only.
LOCAL = {
    "de": {
        "kinds": {"association": "Verein", "cooperative": "Genossenschaft", "foundation": "Stiftung",
                  "social_enterprise": "Sozialunternehmen", "company": "GmbH", "public_body": "Amt",
                  "network": "Netzwerk", "informal_group": "Kollektiv", "other": "Initiative"},
        "acts": ["betreibt eine Reparaturwerkstatt", "organisiert einen Wochenmarkt",
                 "rettet Lebensmittel vor der Tonne", "berät Menschen ohne Wohnung",
                 "bietet Computerkurse für Senioren an", "pflegt einen Gemeinschaftsgarten",
                 "baut Bürgerenergieanlagen", "begleitet Geflüchtete bei der Arbeitssuche"],
        "summary": "{name} {a0} in {town}.",
        "description": "{name} ist eine {kind} aus {town} ({country}), gegründet {year}. "
                       "Sie {a0} und {a1}. Themen: {themes}.",
    },
    "fr": {
        "kinds": {"association": "Association", "cooperative": "Coopérative", "foundation": "Fondation",
                  "social_enterprise": "Entreprise sociale", "company": "Société", "public_body": "Service public",
                  "network": "Réseau", "informal_group": "Collectif", "other": "Initiative"},
        "acts": ["anime un atelier de réparation", "organise un marché hebdomadaire",
                 "récupère les invendus alimentaires", "accompagne les personnes sans abri",
                 "propose des ateliers de numérique inclusif", "entretient un jardin partagé",
                 "développe des projets d'énergie citoyenne", "aide les réfugiés à trouver un emploi"],
        "summary": "{name} {a0} à {town}.",
        "description": "{name} est une structure de l'économie sociale et solidaire basée à {town} "
                       "({country}), fondée en {year}. Elle {a0} et {a1}. Thèmes : {themes}.",
    },
    "es": {
        "kinds": {"association": "Asociación", "cooperative": "Cooperativa", "foundation": "Fundación",
                  "social_enterprise": "Empresa social", "company": "Empresa", "public_body": "Oficina municipal",
                  "network": "Red", "informal_group": "Colectivo", "other": "Iniciativa"},
        "acts": ["gestiona un taller de reparación", "organiza un mercado semanal",
                 "recupera alimentos para bancos de alimentos", "acompaña a personas sin hogar",
                 "enseña competencias digitales", "cuida un huerto comunitario",
                 "impulsa comunidades energéticas", "ayuda a personas migrantes a encontrar empleo"],
        "summary": "{name} {a0} en {town}.",
        "description": "{name} es una entidad de economía social con sede en {town} ({country}), "
                       "fundada en {year}. {a0} y {a1}. Temas: {themes}.",
    },
    "it": {
        "kinds": {"association": "Associazione", "cooperative": "Cooperativa sociale", "foundation": "Fondazione",
                  "social_enterprise": "Impresa sociale", "company": "Società", "public_body": "Ufficio comunale",
                  "network": "Rete", "informal_group": "Collettivo", "other": "Iniziativa"},
        "acts": ["gestisce un laboratorio di riparazione", "organizza un mercato settimanale",
                 "recupera le eccedenze alimentari", "accoglie persone senza dimora",
                 "insegna competenze digitali", "cura un orto condiviso",
                 "promuove comunità energetiche", "aiuta i migranti a trovare lavoro"],
        "summary": "{name} {a0} a {town}.",
        "description": "{name} è un'organizzazione dell'economia sociale con sede a {town} ({country}), "
                       "fondata nel {year}. {a0} e {a1}. Temi: {themes}.",
    },
    "nl": {
        "kinds": {"association": "Vereniging", "cooperative": "Coöperatie", "foundation": "Stichting",
                  "social_enterprise": "Sociale onderneming", "company": "Bedrijf", "public_body": "Gemeentedienst",
                  "network": "Netwerk", "informal_group": "Collectief", "other": "Initiatief"},
        "acts": ["runt een repaircafé", "organiseert een weekmarkt", "redt voedsel van de verspilling",
                 "helpt daklozen", "geeft digitale lessen", "onderhoudt een buurtmoestuin",
                 "bouwt aan een energiecoöperatie", "helpt nieuwkomers aan werk"],
        "summary": "{name} {a0} in {town}.",
        "description": "{name} is een sociale organisatie uit {town} ({country}), opgericht in {year}. "
                       "Ze {a0} en {a1}. Thema's: {themes}.",
    },
    "pt": {
        "kinds": {"association": "Associação", "cooperative": "Cooperativa", "foundation": "Fundação",
                  "social_enterprise": "Empresa social", "company": "Empresa", "public_body": "Serviço municipal",
                  "network": "Rede", "informal_group": "Coletivo", "other": "Iniciativa"},
        "acts": ["mantém uma oficina de reparação", "organiza um mercado semanal",
                 "recupera excedentes alimentares", "apoia pessoas em situação de sem-abrigo",
                 "ensina competências digitais", "cuida de uma horta comunitária"],
        "summary": "{name} {a0} em {town}.",
        "description": "{name} é uma organização da economia social sediada em {town} ({country}), "
                       "fundada em {year}. {a0} e {a1}. Temas: {themes}.",
    },
    "pl": {
        "kinds": {"association": "Stowarzyszenie", "cooperative": "Spółdzielnia", "foundation": "Fundacja",
                  "social_enterprise": "Przedsiębiorstwo społeczne", "company": "Spółka", "public_body": "Urząd",
                  "network": "Sieć", "informal_group": "Kolektyw", "other": "Inicjatywa"},
        "acts": ["prowadzi warsztat naprawczy", "organizuje cotygodniowy targ",
                 "ratuje żywność przed zmarnowaniem", "pomaga osobom w kryzysie bezdomności",
                 "uczy kompetencji cyfrowych", "opiekuje się ogrodem społecznym"],
        "summary": "{name} {a0} w mieście {town}.",
        "description": "{name} to organizacja ekonomii społecznej z siedzibą w {town} ({country}), "
                       "założona w {year}. {a0} i {a1}. Tematy: {themes}.",
    },
}

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


# --- text helpers ---------------------------------------------------------------------------

_FOLD = str.maketrans({
    **dict.fromkeys("àáâãäåāăą", "a"), **dict.fromkeys("çćčĉċ", "c"), **dict.fromkeys("ďđð", "d"),
    **dict.fromkeys("èéêëēėęěə", "e"), **dict.fromkeys("ğĝġ", "g"), **dict.fromkeys("ĥħ", "h"),
    **dict.fromkeys("ìíîïīįı", "i"), "ĵ": "j", **dict.fromkeys("łľĺ", "l"),
    **dict.fromkeys("ñńň", "n"), **dict.fromkeys("òóôõöøōő", "o"), **dict.fromkeys("ŕř", "r"),
    **dict.fromkeys("śšşșŝ", "s"), **dict.fromkeys("ťţț", "t"),
    **dict.fromkeys("ùúûüūůűųŭ", "u"), **dict.fromkeys("ýÿ", "y"), **dict.fromkeys("źżž", "z"),
    "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ά": "α", "έ": "ε", "ή": "η",
    **dict.fromkeys("ίϊΐ", "ι"), "ό": "ο", **dict.fromkeys("ύϋΰ", "υ"), "ώ": "ω", "ς": "σ",
    "ё": "е",
})


def sort_key(name: str) -> str:
    """Python port of atlas_domain::text::sort_key (country::fold): lowercase, accents and
    combining marks dropped, `&` -> `and`, runs of other characters -> one space."""
    out: list[str] = []
    pending_space = False
    for ch in name.lower():
        if "\u0300" <= ch <= "\u036f":
            continue
        if ch == "&":
            if out:
                out.append(" ")
            out.append("and")
            pending_space = True
            continue
        if not ch.isalnum():
            pending_space = True
            continue
        if pending_space and out:
            out.append(" ")
        pending_space = False
        out.append(ch.translate(_FOLD))  # other letters are kept, as in the Rust version
    return "".join(out)


def article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def copy_text(value: str | None) -> str:
    """One field in PostgreSQL COPY text format."""
    if value is None:
        return r"\N"
    return (value.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def pg_array(items: list[str]) -> str:
    """A text[] literal with every element quoted."""
    quoted = ('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in items)
    return "{" + ",".join(quoted) + "}"


def jsonb(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- input data -----------------------------------------------------------------------------

def load_towns(path: Path) -> list[dict]:
    towns = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                pop = int(row["population"] or 0)
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except ValueError:
                continue
            if pop <= 0 or len(row["countrycode"]) != 2:
                continue
            towns.append({
                "geonameid": row["geonameid"], "name": row["name"], "lat": lat, "lon": lon,
                "country": row["countrycode"].upper(), "population": pop,
            })
    return towns


def load_categories(path: Path) -> dict[str, dict[str, str]]:
    """Category id -> labels by language, in the taxonomy's order."""
    return {c["id"]: c["labels"] for c in json.loads(path.read_text(encoding="utf-8"))["categories"]}


# --- generation -----------------------------------------------------------------------------

def themes(cats: list[str], labels: dict[str, dict[str, str]], lang: str) -> str:
    return ", ".join(labels[c].get(lang) or labels[c]["en"] for c in cats)


def generate(n: int, towns: list[dict], labels: dict[str, dict[str, str]]):
    """Yields (town, row) for actors 1..n; rows are lists of column values (str or None)."""
    rng = Random(SEED)
    cum = list(itertools.accumulate(t["population"] for t in towns))
    total = cum[-1]
    kinds = list(KINDS)
    categories = list(labels)
    for i in range(1, n + 1):
        town = towns[bisect.bisect_right(cum, rng.random() * total)]
        lat = round(max(-90.0, min(90.0, town["lat"] + rng.uniform(-JITTER_DEG, JITTER_DEG))), 6)
        lon = round(town["lon"] + rng.uniform(-JITTER_DEG, JITTER_DEG), 6)
        kind = rng.choice(kinds)
        word = rng.choice(WORDS)
        langs = list(COUNTRY_LANGS.get(town["country"], []))
        if "en" not in langs and rng.random() < 0.4:
            langs.append("en")
        # Half of the actors of a country with local texts are named in its language.
        local_lang = next((lang for lang in langs if lang in LOCAL), None)
        local = LOCAL[local_lang] if local_lang else None
        kind_noun = local["kinds"][kind] if local and rng.random() < 0.5 else KINDS[kind]
        name = f"{word} {kind_noun} {town['name']}"
        cats = rng.sample(categories, rng.randint(1, 3))
        tags = sorted(rng.sample(TAGS, rng.randint(0, 4)))
        acts = rng.sample(ACTIVITIES, 2)
        founded = rng.randint(1950, 2024)
        summary = {"en": f"{name} {acts[0]} in {town['name']}."}
        description = {"en": (
            f"{name} is {article(KINDS[kind])} {KINDS[kind].lower()} based in {town['name']} ({town['country']}), "
            f"founded in {founded}. It {acts[0]} and {acts[1]}. Themes: {themes(cats, labels, 'en')}. "
            f"This is synthetic benchmark data (record {i}), generated from GeoNames "
            f"(geonames.org, CC-BY 4.0) town locations."
        )}
        if local and local_lang:
            a0, a1 = rng.sample(local["acts"], 2)
            fields = {"name": name, "kind": local["kinds"][kind], "town": town["name"],
                      "country": town["country"], "year": founded, "a0": a0, "a1": a1,
                      "themes": themes(cats, labels, local_lang)}
            summary[local_lang] = local["summary"].format(**fields)
            description[local_lang] = local["description"].format(**fields)
            # The description starts with an activity in some languages: capitalise it.
            description[local_lang] = ". ".join(p[:1].upper() + p[1:] for p in description[local_lang].split(". "))
        created = EPOCH + timedelta(seconds=rng.randrange(0, 365 * 86400))
        updated = created + timedelta(seconds=rng.randrange(0, 90 * 86400))
        ext = f"{SOURCE}:{i}"
        row = [
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"atlas:{ext}")),  # same rule as ActorId::for_external
            f"bench-{i}",
            ext,
            "published",
            "1",
            name,
            sort_key(name),
            pg_array([]),
            jsonb(summary),
            jsonb(description),
            kind,
            pg_array(cats),
            pg_array(tags),
            pg_array(langs),
            town["country"],
            None,
            town["name"],
            f"{rng.randint(1000, 99999)}",
            f"{rng.choice(WORDS)} Street {rng.randint(1, 200)}",
            f"SRID=4326;POINT({lon} {lat})",
            "exact",
            f"https://bench-{i}.example.org/",
            "[]",
            str(founded),
            jsonb({}),
            "ODbL-1.0",
            "imported",
            SOURCE,
            created.isoformat(),
            updated.isoformat(),
        ]
        yield town, row


def write_copy(rows, out) -> int:
    count = 0
    for _, row in rows:
        out.write("\t".join(copy_text(v) for v in row))
        out.write("\n")
        count += 1
    return count


# --- database -------------------------------------------------------------------------------

def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("generate.py: DATABASE_URL is not set")
    return url


def psql(*args: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen(
        ["psql", database_url(), "-X", "-q", "-v", "ON_ERROR_STOP=1", *args],
        stdin=stdin, text=True, encoding="utf-8",
    )


def run_psql(*args: str) -> None:
    proc = psql(*args)
    if proc.wait() != 0:
        sys.exit(f"generate.py: psql failed ({proc.returncode})")


DELETE_SQL = "DELETE FROM actors WHERE external_id LIKE 'bench:%'"


def clean() -> None:
    t0 = time.monotonic()
    # actor_contacts rows (none are written here) would go with ON DELETE CASCADE; revisions
    # are never written for bench rows, so the append-only trigger is not involved.
    run_psql("-c", DELETE_SQL)
    run_psql("-c", "ANALYZE actors")
    print(f"generate.py: removed bench rows and analysed in {time.monotonic() - t0:.1f}s",
          file=sys.stderr)


def load(n: int, towns, categories) -> None:
    t0 = time.monotonic()
    copy = f"\\copy actors ({', '.join(COLUMNS)}) FROM STDIN"
    # -1 with several -c: one transaction, so a failed load leaves the old rows in place.
    proc = psql("-1", "-c", DELETE_SQL, "-c", copy, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        count = write_copy(generate(n, towns, categories), proc.stdin)
        proc.stdin.close()
    except BrokenPipeError:
        count = -1
    if proc.wait() != 0 or count < 0:
        sys.exit(f"generate.py: loading failed (psql exit {proc.returncode})")
    t1 = time.monotonic()
    run_psql("-c", "ANALYZE actors")
    print(f"generate.py: loaded {count} bench actors in {t1 - t0:.1f}s, "
          f"ANALYZE {time.monotonic() - t1:.1f}s", file=sys.stderr)


def stats(n: int, towns, categories, top: int) -> None:
    counter: Counter = Counter()
    where = {}
    for town, _ in generate(n, towns, categories):
        counter[town["geonameid"]] += 1
        where[town["geonameid"]] = town
    print("actors\tpopulation\tcountry\tlat\tlon\tname")
    for gid, c in counter.most_common(top):
        t = where[gid]
        print(f"{c}\t{t['population']}\t{t['country']}\t{t['lat']}\t{t['lon']}\t{t['name']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--count", type=int, default=100_000, help="actors to generate (default 100000)")
    shared = os.environ.get("ATLAS_SHARED_DATA")
    cities = Path(shared) / "geonames" / "europe_cities1000.csv" if shared else DEFAULT_CITIES
    ap.add_argument("--cities", type=Path, default=cities, help="GeoNames towns CSV (default <ATLAS_SHARED_DATA or repo/../shared/data>/geonames/europe_cities1000.csv)")
    ap.add_argument("--taxonomy", type=Path, default=DEFAULT_TAXONOMY, help="taxonomy.json (category ids)")
    ap.add_argument("--out", default="-", help="COPY output file ('-' = stdout)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--load", action="store_true", help="replace the bench rows in $DATABASE_URL, then ANALYZE")
    mode.add_argument("--clean", action="store_true", help="delete the bench rows from $DATABASE_URL, then ANALYZE")
    mode.add_argument("--stats", action="store_true", help="print the towns with the most actors")
    ap.add_argument("--top", type=int, default=10, help="rows for --stats")
    args = ap.parse_args()

    if args.clean:
        clean()
        return
    if args.count < 1:
        sys.exit("generate.py: -n must be at least 1")
    towns = load_towns(args.cities)
    categories = load_categories(args.taxonomy)
    if args.stats:
        stats(args.count, towns, categories, args.top)
    elif args.load:
        load(args.count, towns, categories)
    elif args.out == "-":
        write_copy(generate(args.count, towns, categories), sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8", newline="\n") as f:
            write_copy(generate(args.count, towns, categories), f)


if __name__ == "__main__":
    main()
