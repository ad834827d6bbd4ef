//! Reading and writing actors.

use std::sync::{Arc, OnceLock};

use atlas_domain::query::{ActorPage, ListedActor};
use atlas_domain::{
    Actor, ActorId, ActorQuery, ActorRef, BoundingBox, ContactDetails, PageCursor, ReviewStatus,
    Slug, SortOrder, ValidActor,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, Int8, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;

use crate::error::{StoreError, StoreResult};
use crate::expansions::{expanded_text, CHANGE_COUNTER_SQL};
use crate::imports::{ImportOutcome, ImportRow};
use crate::rows::{ActorRow, ListedActorRow, ACTOR_COLUMNS};
use crate::schema::{actor_contacts, actor_revisions, actors};
use crate::sql_args::{Arg, SqlBuilder};
use crate::{on_connection, Store};

const LIST_ACTORS_SQL: &str = include_str!("sql/list_actors.sql");
const SEARCH_SCORE_SQL: &str = include_str!("sql/search_score.sql");
/// How many matches of a relevance-ordered text query get the full (costly) score; the others
/// follow them in the order of a cheap score (see `list_actors`).
const RANKED_CANDIDATES: i64 = 300;
const BROAD_CANDIDATES_SQL: &str = include_str!("sql/broad_candidates.sql");
const BROAD_BEYOND_TOP_SQL: &str = include_str!("sql/broad_beyond_top.sql");
/// How many candidates of a broad query get the full score.
const BROAD_RANKED: i64 = 200;
/// How many postings a broad query reads per term.
const POSTINGS_PER_TERM: i64 = 300;
/// How many words of a broad query its names-with-every-word candidates must contain.
const NAME_WORDS: usize = 4;
const SEARCH_COLUMNS_SQL: &str = include_str!("sql/search_columns.sql");
const NO_SEARCH_COLUMNS: &str = "NULL::boolean AS name_hit, NULL::text[] AS matched_categories, \
    NULL::boolean AS tags_hit, NULL::boolean AS place_hit, NULL::boolean AS text_hit, NULL::text AS snippet";

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int8)]
    count: i64,
}

/// A valid actor from an import source, with its id in that source.
pub struct ImportedActor<'a> {
    pub source: &'a str,
    pub external_id: &'a str,
    pub actor: &'a ValidActor,
    pub status: ReviewStatus,
}

/// A text query expanded by `atlas_search_query` (migrations 000030 and 000150): the
/// tsqueries, as text, that the statements of one search bind as values.
#[derive(Clone)]
pub(crate) struct ExpandedText {
    /// What the user typed (for trigram similarity to names).
    pub text: String,
    /// What an actor must match.
    pub match_all: String,
    pub match_any: String,
    pub match_exact: String,
    /// What the score's bonuses ask all of (a name with every word, a category every word
    /// names): `match_all`, except when relaxed to any word, where it stays the text's own
    /// (a category one word names must not outrank actors with more of the words).
    pub match_whole: String,
    /// Any of the text's terms, whatever the operators between them: what a part of an actor
    /// (a category, its tags, its names) matched. A word written as two ("Energiegenossenschaft":
    /// energie & genossenschaft) may be found in two parts, which `match_any` alone then
    /// matches in neither.
    pub any_term: String,
    /// `any_term` asked of one part of a document (which parts of a page's actors matched).
    pub any_in: DocumentParts,
    /// What the score asks of `match_whole` beyond matching it (for a relaxation, made by
    /// `relax_text` once it is chosen).
    pub whole: WholeText,
    /// The text's words as search reads them, each with its own tsqueries: what relaxing
    /// the text leaves out or keeps.
    pub words: Vec<QueryWord>,
    /// Which of `words` name a place (`place_words`): asked only to relax the text (2.2 ms at
    /// 100k actors), then kept with the expansion, whose copies share it (a map asks a
    /// relaxed text again with every viewport). It reads what the expansion reads (towns,
    /// their aliases, countries), so it is as valid as the expansion.
    pub places: Arc<OnceLock<Vec<bool>>>,
    /// How many published actors PostgreSQL's planner expects to match `match_all`, filters
    /// aside (`estimate_matches`): what tells a broad text from a narrow one, made once per
    /// expansion and kept with it, like `places` (a relaxation asks for its own).
    pub unfiltered_estimate: Arc<OnceLock<f64>>,
}

impl ExpandedText {
    /// About how many bytes it holds (what keeping it costs, see `ExpansionCache`).
    pub(crate) fn approximate_bytes(&self) -> usize {
        let words: usize = self
            .words
            .iter()
            .map(|word| {
                word.word.len()
                    + [&word.all, &word.exact, &word.categories]
                        .into_iter()
                        .map(|tsquery| tsquery.as_ref().map_or(0, String::len))
                        .sum::<usize>()
            })
            .sum();
        let lists: usize = [
            &self.whole.label_languages,
            &self.whole.categories,
            &self.any_in.categories,
        ]
        .into_iter()
        .flatten()
        .map(String::len)
        .sum();
        [
            &self.text,
            &self.match_all,
            &self.match_any,
            &self.match_exact,
            &self.match_whole,
            &self.any_term,
            &self.any_in.names,
            &self.any_in.place,
            &self.any_in.texts,
            &self.whole.names,
        ]
        .into_iter()
        .map(String::len)
        .sum::<usize>()
            + self.any_in.text_words.as_ref().map_or(0, String::len)
            + words
            + lists
    }
}

/// A tsquery with every word restricted to the weight of one part of an actor's document
/// (`atlas_tsquery_weighted`, migration 000350): made once per text, in the statement that
/// expands it, so the page statement has values to bind, nothing to compute or fold.
#[derive(Clone)]
pub(crate) struct DocumentParts {
    /// Weight A.
    pub names: String,
    /// Weight C.
    pub place: String,
    /// Weight D.
    pub texts: String,
    /// The categories whose labels (or `c:<id>`, or their parent's) match any term: which
    /// of a page's actors' own categories matched, found once per text rather than once per
    /// category of each row (0.6 ms of a broad page at 100k actors).
    pub categories: Vec<String>,
    /// A regular expression over a normalised text (`atlas_normalise`) finding a word that
    /// begins as one of the terms does (its first three letters): a text without one has no
    /// word whose stem is a term, nothing for `ts_headline` to mark, and is not parsed for a
    /// snippet. (A stem begins as its word does, accents and case aside, in every language
    /// search stems but Irish and Serbian, whose texts are always parsed.) None when no
    /// term is a word.
    pub text_words: Option<String>,
}

/// What the score asks of `match_whole` (sql/search_score.sql).
#[derive(Clone)]
pub(crate) struct WholeText {
    /// `match_whole` in the names alone.
    pub names: String,
    /// The languages of the labels of the categories it names that hold every word
    /// (`atlas_label_languages`, migration 000340).
    pub label_languages: Vec<String>,
    /// The categories whose c:<id> alone, or their parent's alone, matches it: those every
    /// word names, and their children (an actor's document has the parent's c:<id> too:
    /// "circular economy" names the children's actors as well; a word naming the parent and
    /// another the child is not the child named: "ethical bank" is not a time bank).
    pub categories: Vec<String>,
}

/// A word of a text query and what it asks for alone, in the context of the whole text (a
/// word of "united kingdom" names the country).
#[derive(Clone)]
pub(crate) struct QueryWord {
    pub word: String,
    /// Its tsquery with typo corrections (`match_all`'s part); None for a stop word.
    pub all: Option<String>,
    /// Its tsquery as typed (`match_exact`'s part); None for a stop word.
    pub exact: Option<String>,
    /// The categories it names, with corrections, as a tsquery of their `c:<id>`
    /// (`atlas_tsquery_categories`, migration 000380); None for a word naming none.
    pub categories: Option<String>,
}

#[derive(QueryableByName)]
struct ExpandedRow {
    #[diesel(sql_type = Nullable<Text>)]
    match_all: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    match_any: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    match_exact: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    words: Vec<String>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    word_all: Vec<Option<String>>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    word_exact: Vec<Option<String>>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    word_categories: Vec<Option<String>>,
    #[diesel(sql_type = Nullable<Text>)]
    any_term: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    any_in_names: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    any_in_place: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    any_in_texts: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    any_in_categories: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    any_in_text_words: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    whole_in_names: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    label_languages: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    whole_categories: Vec<String>,
    #[diesel(sql_type = Int8)]
    change_counter: i64,
}

#[derive(QueryableByName)]
struct WholeRow {
    #[diesel(sql_type = Text)]
    whole_in_names: String,
    #[diesel(sql_type = Array<Text>)]
    label_languages: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    whole_categories: Vec<String>,
}

/// Where an expansion's tsqueries and words come from: `atlas_search_query`, or for a text
/// of function words only ("Here We Are", "Entre Nós", "S.O.S."), which it drops, that text
/// looked for as typed in names: its words in a row (punctuation as spaces; the first 100
/// characters), in names only, where function words are kept. (Asked apart, only for such a
/// text: folded into the one statement, its expression was planned once per use, +1.7 ms a
/// search.)
const EXPANDED_BY_SEARCH_QUERY: &str = "atlas_search_query($1)";
const EXPANDED_AS_FUNCTION_WORDS_IN_NAMES: &str = "(SELECT q AS match_all, q AS match_any, \
     q AS match_exact, '{}'::text[] AS words, '{}'::tsquery[] AS word_all, \
     '{}'::tsquery[] AS word_exact \
     FROM (SELECT nullif(atlas_tsquery_weighted(phraseto_tsquery('simple', \
           regexp_replace(left(atlas_normalise($1), 100), '[^[:alnum:]]+', ' ', 'g')), 'A'), \
           ''::tsquery) AS q) AS n) AS e";

/// Expands the text into tsqueries once, before the statements that use them: they get the
/// tsqueries as values, so the planner sees them and estimates how many actors they match
/// (from a CTE calling atlas_search_query it could not: every text condition looked alike,
/// and `q` + a small bbox rechecked every text match instead of reading the box). None when
/// the text has no word to search for (only punctuation): it matches nothing.
/// With it, `actors_change_counter` as the statement read it (see `ExpansionCache`).
pub(crate) async fn expand_text(
    conn: &AsyncPgConnection,
    text: &str,
) -> QueryResult<(i64, Option<ExpandedText>)> {
    let row = expansion_row(conn, text, EXPANDED_BY_SEARCH_QUERY).await?;
    let row = match row.match_all {
        Some(_) => row,
        None => expansion_row(conn, text, EXPANDED_AS_FUNCTION_WORDS_IN_NAMES).await?,
    };
    let words = row
        .words
        .into_iter()
        .zip(row.word_all.into_iter().zip(row.word_exact))
        .zip(row.word_categories)
        .map(|((word, (all, exact)), categories)| QueryWord {
            word,
            all,
            exact,
            categories,
        })
        .collect();
    // None when the text has no word to search for (every tsquery is NULL then).
    let expanded = || {
        let match_all = row.match_all?;
        Some(ExpandedText {
            text: text.to_owned(),
            match_whole: match_all.clone(),
            match_all,
            match_any: row.match_any?,
            match_exact: row.match_exact?,
            any_term: row.any_term?,
            any_in: DocumentParts {
                names: row.any_in_names?,
                place: row.any_in_place?,
                texts: row.any_in_texts?,
                categories: row.any_in_categories,
                text_words: row.any_in_text_words,
            },
            whole: WholeText {
                names: row.whole_in_names?,
                label_languages: row.label_languages,
                categories: row.whole_categories,
            },
            words,
            places: Arc::default(),
            unfiltered_estimate: Arc::default(),
        })
    };
    Ok((row.change_counter, expanded()))
}

/// The expansion's row, its tsqueries and words read from `source` (a relation of
/// `match_all`, `match_any`, `match_exact`, `words`, `word_all`, `word_exact` for `$1`).
async fn expansion_row(
    conn: &AsyncPgConnection,
    text: &str,
    source: &str,
) -> QueryResult<ExpandedRow> {
    // any_term: lexemes are normalised words (no spaces), so every ' & ' is an operator.
    diesel::sql_query(format!(
        "SELECT match_all::text AS match_all, match_any::text AS match_any, \
         match_exact::text AS match_exact, words, word_all::text[] AS word_all, \
         word_exact::text[] AS word_exact, any_term::text AS any_term, \
         ARRAY(SELECT atlas_tsquery_categories(w.q)::text \
               FROM unnest(word_all) WITH ORDINALITY AS w (q, n) ORDER BY w.n) AS word_categories, \
         atlas_tsquery_weighted(any_term, 'A')::text AS any_in_names, \
         atlas_tsquery_weighted(any_term, 'C')::text AS any_in_place, \
         atlas_tsquery_weighted(any_term, 'D')::text AS any_in_texts, \
         ARRAY(SELECT c.id FROM categories c \
               WHERE (c.search_doc || array_to_tsvector(array_remove( \
                          ARRAY['c:' || c.id, 'c:' || c.parent_id], NULL))) @@ any_term \
               ORDER BY c.id) AS any_in_categories, \
         ({TEXT_WORDS_SQL}) AS any_in_text_words, {}, \
         ({CHANGE_COUNTER_SQL}) AS change_counter \
         FROM {source}, \
         LATERAL (SELECT replace(match_any::text, ' & ', ' | ')::tsquery AS any_term) AS t",
        whole_text_columns("match_all")
    ))
    .bind::<Text, _>(text)
    .get_result(&mut &*conn)
    .await
}

/// `DocumentParts::text_words` of `any_term`: the first three letters of each term that is
/// a word (not a category's `c:<id>` nor a country's `cc:<code>`), any other character
/// than a letter or digit escaped, each at the beginning of a word.
const TEXT_WORDS_SQL: &str = r"
    SELECT '(^|[^[:alnum:]])('
           || string_agg(DISTINCT regexp_replace(left(t.term, 3), '([^[:alnum:]])', '\\\1', 'g'), '|')
           || ')'
    FROM atlas_tsquery_terms(any_term) AS t
    WHERE t.term !~ '^c{1,2}:'";

/// The columns of [`WholeText`] (`whole_in_names`, `label_languages`, `whole_categories`)
/// for a tsquery: made with the expansion, once per text, not in each statement.
fn whole_text_columns(whole: &str) -> String {
    format!(
        "atlas_tsquery_weighted({whole}, 'A')::text AS whole_in_names, \
         coalesce(atlas_label_languages({whole}), '{{}}') AS label_languages, \
         ARRAY(SELECT c.id FROM categories c \
               WHERE array_to_tsvector(ARRAY['c:' || c.id]) @@ {whole} \
                  OR array_to_tsvector(ARRAY['c:' || coalesce(c.parent_id, c.id)]) @@ {whole} \
               ORDER BY c.id) AS whole_categories"
    )
}

/// The relaxation with what the score asks of its `match_whole` made for it.
async fn with_whole(conn: &AsyncPgConnection, relaxed: ExpandedText) -> QueryResult<ExpandedText> {
    let row: WholeRow = diesel::sql_query(format!("SELECT {}", whole_text_columns("$1::tsquery")))
        .bind::<Text, _>(&relaxed.match_whole)
        .get_result(&mut &*conn)
        .await?;
    Ok(ExpandedText {
        whole: WholeText {
            names: row.whole_in_names,
            label_languages: row.label_languages,
            categories: row.whole_categories,
        },
        ..relaxed
    })
}

#[derive(QueryableByName)]
struct FoundRow {
    #[allow(dead_code)]
    #[diesel(sql_type = diesel::sql_types::Int4)]
    found: i32,
}

/// Whether any published actor matches the expanded text and the query's filters.
pub(crate) async fn has_match(
    conn: &AsyncPgConnection,
    query: &ActorQuery,
    expanded: &ExpandedText,
) -> QueryResult<bool> {
    let mut sql = matching_sql("SELECT 1 AS found", query, Some(expanded));
    sql.push(" LIMIT 1");
    let rows: Vec<FoundRow> = sql.into_query().load(&mut &*conn).await?;
    Ok(!rows.is_empty())
}

/// What a text of several words asks for when no published actor matches every word (with
/// the query's filters). Words are dropped, fewest first, and a place last, as a place is
/// what a user least wants to lose ("housing cooperative vienna": Vienna's housing projects
/// and cooperatives, not housing cooperatives elsewhere): every word but one that names no
/// place; every word but two of those (a sentence carries words no listing has: "busco
/// cooperativa de consumo en Valencia" — "I look for" — finds Valencia's co-operatives);
/// the places and any one of the other words ("cheap second hand furniture Paris": the free
/// shop in Paris, not furniture projects elsewhere); every word but any one (a text naming
/// no place: then but any two); then any word. Stop words are never counted, nor dropped.
/// Meilisearch's default matching strategy also drops words rather than answer nothing.
/// The score ranks actors matching more of the words first. None when even that matches
/// nothing, or the text has one word.
pub(crate) async fn relax_text(
    conn: &AsyncPgConnection,
    query: &ActorQuery,
    expanded: &ExpandedText,
) -> QueryResult<Option<ExpandedText>> {
    let words = &expanded.words;
    let content: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].all.is_some())
        .collect();
    if content.len() >= 3 {
        let places = match expanded.places.get() {
            Some(places) => places.clone(),
            None => {
                let places = place_words(conn, &expanded.text, words).await?;
                // Another request may have set them meanwhile: the same answer.
                let _ = expanded.places.set(places.clone());
                places
            }
        };
        let not_places: Vec<usize> = content.iter().copied().filter(|&i| !places[i]).collect();
        let names_place = not_places.len() < content.len();
        let mut steps = Vec::new();
        if names_place {
            // Keeping the places must leave some other word to match.
            if not_places.len() >= 2 {
                steps.push(Relaxation::Drop(&not_places, 1));
            }
            if not_places.len() >= 3 && not_places.len() <= MAX_DROPPABLE {
                steps.push(Relaxation::Drop(&not_places, 2));
            }
            // (With three other words, dropping two of them is that already.)
            if not_places.len() >= 4 {
                steps.push(Relaxation::PlacesAndAnyOther(&not_places));
            }
        }
        steps.push(Relaxation::Drop(&content, 1));
        if !names_place && content.len() >= 4 && content.len() <= MAX_DROPPABLE {
            steps.push(Relaxation::Drop(&content, 2));
        }
        for step in steps {
            let relaxed = match step {
                Relaxation::Drop(droppable, dropped) => {
                    all_but(expanded, &content, droppable, dropped)
                }
                Relaxation::PlacesAndAnyOther(others) => {
                    places_and_any_of(expanded, &content, others)
                }
            };
            if has_match(conn, query, &relaxed).await? {
                return Ok(Some(with_whole(conn, relaxed).await?));
            }
        }
    }
    if content.len() >= 2 {
        let any_word = ExpandedText {
            match_all: expanded.match_any.clone(),
            match_exact: expanded.match_any.clone(),
            unfiltered_estimate: Arc::default(),
            ..expanded.clone()
        };
        if has_match(conn, query, &any_word).await? {
            return Ok(Some(any_word));
        }
    }
    Ok(None)
}

/// One way of asking for less than every word of a text (`relax_text`).
enum Relaxation<'a> {
    /// Every word but `dropped` (1 or 2) of these positions.
    Drop(&'a [usize], usize),
    /// Every word but these positions, and any one of them.
    PlacesAndAnyOther(&'a [usize]),
}

/// How many words a relaxed text may drop two of: each pair is one more alternative in the
/// relaxed tsquery (15 pairs of 6 words).
const MAX_DROPPABLE: usize = 6;

/// The text without `dropped` of its words — any of `droppable` — as one query: an actor
/// matches when it has every word of one of those texts. Built from the words' own
/// tsqueries (`atlas_search_query` returns them), so no text is expanded again.
fn all_but(
    expanded: &ExpandedText,
    content: &[usize],
    droppable: &[usize],
    dropped: usize,
) -> ExpandedText {
    let texts: Vec<Vec<&QueryWord>> = drop_combinations(droppable, dropped)
        .into_iter()
        .map(|skipped| {
            content
                .iter()
                .filter(|i| !skipped.contains(i))
                .map(|&i| &expanded.words[i])
                .collect()
        })
        .collect();
    let any_text = |part: WordPart| {
        let texts: Vec<String> = texts
            .iter()
            .map(|words| joined(words, part, " & "))
            .collect();
        texts.join(" | ")
    };
    relaxed_to(
        expanded,
        any_text(|w| w.all.as_ref()),
        any_text(|w| w.exact.as_ref()),
    )
}

/// The text's words but `others`, and any one of `others`, as one query.
fn places_and_any_of(expanded: &ExpandedText, content: &[usize], others: &[usize]) -> ExpandedText {
    let kept: Vec<&QueryWord> = content
        .iter()
        .filter(|i| !others.contains(i))
        .map(|&i| &expanded.words[i])
        .collect();
    let any: Vec<&QueryWord> = others.iter().map(|&i| &expanded.words[i]).collect();
    let text = |part: WordPart| {
        format!(
            "{} & {}",
            joined(&kept, part, " & "),
            joined(&any, part, " | ")
        )
    };
    relaxed_to(
        expanded,
        text(|w| w.all.as_ref()),
        text(|w| w.exact.as_ref()),
    )
}

/// Which of a word's tsqueries a relaxed text is built from.
type WordPart = fn(&QueryWord) -> Option<&String>;

/// The words' tsqueries (`part`), each parenthesised, joined by `operator`, parenthesised.
fn joined(words: &[&QueryWord], part: WordPart, operator: &str) -> String {
    let parts: Vec<String> = words
        .iter()
        .filter_map(|w| part(w))
        .map(|q| format!("({q})"))
        .collect();
    format!("({})", parts.join(operator))
}

/// The expanded text asking for `match_all` (with typo corrections) and `match_exact`.
fn relaxed_to(expanded: &ExpandedText, match_all: String, match_exact: String) -> ExpandedText {
    ExpandedText {
        match_whole: match_all.clone(),
        match_all,
        match_exact,
        unfiltered_estimate: Arc::default(),
        ..expanded.clone()
    }
}

/// Every way of choosing `dropped` (1 or 2) of the positions in `droppable`.
fn drop_combinations(droppable: &[usize], dropped: usize) -> Vec<Vec<usize>> {
    match dropped {
        1 => droppable.iter().map(|&i| vec![i]).collect(),
        _ => droppable
            .iter()
            .enumerate()
            .flat_map(|(n, &i)| droppable[n + 1..].iter().map(move |&j| vec![i, j]))
            .collect(),
    }
}

#[derive(QueryableByName)]
struct PlaceRow {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    place: bool,
}

/// Which of the text's words name a place (a town or a country; `atlas_names_place`).
async fn place_words(
    conn: &AsyncPgConnection,
    text: &str,
    words: &[QueryWord],
) -> QueryResult<Vec<bool>> {
    let words: Vec<&str> = words.iter().map(|w| w.word.as_str()).collect();
    let rows: Vec<PlaceRow> = diesel::sql_query(
        "SELECT atlas_names_place(t.w, $2) AS place \
         FROM unnest($1::text[]) WITH ORDINALITY AS t (w, n) ORDER BY t.n",
    )
    .bind::<Array<Text>, _>(words)
    .bind::<Text, _>(text)
    .load(&mut &*conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.place).collect())
}

/// The placeholders of an expanded text in one statement.
pub(crate) struct TextArgs {
    /// A one-row relation, to be named `sq`, of
    /// - the tsqueries `match_all`, `match_exact`, `match_whole` and `any_term`;
    /// - `match_exact` and `match_all` without their categories (`rank_exact`, `rank_all`:
    ///   what the score's ts_rank asks of words);
    /// - the text normalised as the names are (`normalised`: how like the names it is);
    /// - each word's tsquery with its corrections (`word_all`: a broad query's candidates),
    ///   the categories the words name (`word_categories`, a tsquery per word naming some)
    ///   and how many words there are (`content_words`, stop words aside);
    /// - the categories matching every word and their children (`whole_categories`) and the
    ///   languages of their labels holding the words (`label_languages`);
    /// - `any_term` and `match_whole` asked of one weight of a document (`name_any`: names,
    ///   `place_any`, `text_any`, `name_whole`), the categories matching `any_term`
    ///   (`category_any`) and what a text needs to hold one of its terms (`text_words`).
    pub relation: String,
}

/// Binds an expanded text's values and returns their placeholders.
pub(crate) fn text_args(expanded: &ExpandedText, sql: &mut SqlBuilder) -> TextArgs {
    let q = sql.arg(Arg::Text(expanded.text.clone()));
    let (all, exact, whole, any_term) = (
        sql.arg(Arg::Text(expanded.match_all.clone())),
        sql.arg(Arg::Text(expanded.match_exact.clone())),
        sql.arg(Arg::Text(expanded.match_whole.clone())),
        sql.arg(Arg::Text(expanded.any_term.clone())),
    );
    let (name_any, place_any, text_any, category_any, text_words) = (
        sql.arg(Arg::Text(expanded.any_in.names.clone())),
        sql.arg(Arg::Text(expanded.any_in.place.clone())),
        sql.arg(Arg::Text(expanded.any_in.texts.clone())),
        sql.arg(Arg::Texts(expanded.any_in.categories.clone())),
        sql.arg(Arg::Text(
            expanded.any_in.text_words.clone().unwrap_or_default(),
        )),
    );
    let (name_whole, label_languages, whole_categories) = (
        sql.arg(Arg::Text(expanded.whole.names.clone())),
        sql.arg(Arg::Texts(expanded.whole.label_languages.clone())),
        sql.arg(Arg::Texts(expanded.whole.categories.clone())),
    );
    let content: Vec<&QueryWord> = expanded.words.iter().filter(|w| w.all.is_some()).collect();
    let (word_all, word_categories, content_words) = (
        sql.arg(Arg::Texts(
            content.iter().filter_map(|w| w.all.clone()).collect(),
        )),
        sql.arg(Arg::Texts(
            content
                .iter()
                .filter_map(|w| w.categories.clone())
                .collect(),
        )),
        sql.arg(Arg::Int(content.len() as i64)),
    );
    let relation = format!(
        "(SELECT {all}::tsquery AS match_all, \
           {exact}::tsquery AS match_exact, {whole}::tsquery AS match_whole, \
           {any_term}::tsquery AS any_term, \
           atlas_tsquery_without_categories({exact}::tsquery) AS rank_exact, \
           atlas_tsquery_without_categories({all}::tsquery) AS rank_all, \
           atlas_normalise({q}) AS normalised, \
           {word_all}::tsquery[] AS word_all, {word_categories}::tsquery[] AS word_categories, \
           {content_words}::int8 AS content_words, \
           {whole_categories}::text[] AS whole_categories, \
           {label_languages}::text[] AS label_languages, {name_any}::tsquery AS name_any, \
           {place_any}::tsquery AS place_any, {text_any}::tsquery AS text_any, \
           {category_any}::text[] AS category_any, nullif({text_words}, '') AS text_words, \
           {name_whole}::tsquery AS name_whole)"
    );
    TextArgs { relation }
}

/// `select` followed by `FROM … WHERE` for the published actors matching the expanded text
/// (if any) and the query's filters: what the estimate, the count and the facets read.
pub(crate) fn matching_sql(
    select: &str,
    query: &ActorQuery,
    expanded: Option<&ExpandedText>,
) -> SqlBuilder {
    let mut sql = text_matching_sql(select, expanded);
    push_filters(query, &mut sql);
    sql
}

/// As `matching_sql`, filters aside.
fn text_matching_sql(select: &str, expanded: Option<&ExpandedText>) -> SqlBuilder {
    let mut sql = SqlBuilder::new(select);
    let text = expanded.map(|expanded| text_args(expanded, &mut sql));
    push_from(text.as_ref(), &mut sql);
    sql
}

/// Appends `FROM … WHERE` for published actors matching the text, if any.
fn push_from(text: Option<&TextArgs>, sql: &mut SqlBuilder) {
    push_from_source(
        text.map(|text| format!("{} sq", text.relation)).as_deref(),
        sql,
    );
}

/// As `push_from`, with the text's tsqueries taken from `source` (a relation named `sq`).
fn push_from_source(source: Option<&str>, sql: &mut SqlBuilder) {
    match source {
        Some(source) => sql.push(&format!(
            "{FROM_ACTORS}CROSS JOIN {source} \
              WHERE a.status = 'published' AND a.search_doc @@ sq.match_all"
        )),
        None => sql.push(&format!("{FROM_ACTORS}WHERE a.status = 'published'")),
    }
}

/// How `push_from_source` begins.
const FROM_ACTORS: &str = " FROM actors a ";

/// `from_where` (of `push_from_source`) reading only the row of the candidate `c.actor_id`
/// (sql/broad_candidates.sql): the subquery's OFFSET 0 keeps the planner from reading the
/// table through another index, as a plan made for any bbox read the box.
fn candidate_row_alone(from_where: &str) -> String {
    match from_where.strip_prefix(FROM_ACTORS) {
        Some(rest) => {
            format!(" FROM (SELECT * FROM actors WHERE id = c.actor_id OFFSET 0) a {rest}")
        }
        None => from_where.to_owned(),
    }
}

/// Whether actor `a` is in `bbox` (in one of its halves, when it crosses the antimeridian).
pub(crate) fn in_bbox_condition(bbox: &BoundingBox, sql: &mut SqlBuilder) -> String {
    let boxes: Vec<String> = bbox
        .split_at_antimeridian()
        .iter()
        .map(|b| {
            format!(
                "a.geom && ST_MakeEnvelope({}, {}, {}, {}, 4326)",
                sql.arg(Arg::Float(b.min_lon)),
                sql.arg(Arg::Float(b.min_lat)),
                sql.arg(Arg::Float(b.max_lon)),
                sql.arg(Arg::Float(b.max_lat)),
            )
        })
        .collect();
    format!("({})", boxes.join(" OR "))
}

/// Appends the query's filters (not its text nor its cursor) as `AND …` clauses.
pub(crate) fn push_filters(query: &ActorQuery, sql: &mut SqlBuilder) {
    if let Some(bbox) = &query.bbox {
        let condition = in_bbox_condition(bbox, sql);
        sql.push(&format!(" AND {condition}"));
    }
    if let Some(near) = &query.near {
        let point = near_point(near.lon, near.lat, sql);
        let radius_m = sql.arg(Arg::Float(near.radius_km * 1000.0));
        sql.push(&format!(
            " AND ST_DWithin(a.geom::geography, {point}, {radius_m})"
        ));
    }
    let text_list = |values: Vec<String>| Arg::Texts(values);
    if !query.categories.is_empty() {
        let p = sql.arg(text_list(
            query
                .categories
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        ));
        sql.push(&format!(" AND a.categories && {p}"));
    }
    if !query.kinds.is_empty() {
        let p = sql.arg(text_list(
            query.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
        ));
        sql.push(&format!(" AND a.kind = ANY({p})"));
    }
    if !query.countries.is_empty() {
        let p = sql.arg(text_list(
            query
                .countries
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        ));
        sql.push(&format!(" AND a.country = ANY({p})"));
    }
    if !query.languages.is_empty() {
        let p = sql.arg(text_list(
            query
                .languages
                .iter()
                .map(|l| l.as_str().to_owned())
                .collect(),
        ));
        sql.push(&format!(" AND a.languages && {p}"));
    }
    if !query.tags.is_empty() {
        let p = sql.arg(text_list(query.tags.clone()));
        sql.push(&format!(" AND a.tags && {p}"));
    }
    if let Some(since) = query.updated_since {
        let p = sql.arg(Arg::Time(since));
        sql.push(&format!(" AND a.updated_at >= {p}"));
    }
    if let Some(until) = query.updated_until {
        let p = sql.arg(Arg::Time(until));
        sql.push(&format!(" AND a.updated_at <= {p}"));
    }
}

fn near_point(lon: f64, lat: f64, sql: &mut SqlBuilder) -> String {
    format!(
        "ST_SetSRID(ST_MakePoint({}, {}), 4326)::geography",
        sql.arg(Arg::Float(lon)),
        sql.arg(Arg::Float(lat))
    )
}

/// How many matches a relevance cursor skips.
fn rank_offset(query: &ActorQuery) -> u32 {
    match &query.after {
        Some(PageCursor::Rank { offset }) => *offset,
        _ => 0,
    }
}

/// A page of a text query's matches, its total, and whether the total is an estimate: a
/// broad query ranked by relevance gets its candidates from the search postings and reports
/// the planner's estimate as its total.
async fn text_page(
    conn: &AsyncPgConnection,
    query: &ActorQuery,
    expanded: &ExpandedText,
    broad_matches: u64,
) -> QueryResult<(Vec<ListedActorRow>, i64, bool)> {
    let estimate = match query.sort {
        SortOrder::Relevance if broad_matches > 0 => {
            let unfiltered = match expanded.unfiltered_estimate.get() {
                Some(estimate) => *estimate,
                None => {
                    let estimate = estimate_matches(conn, None, expanded).await?;
                    // Another request may have set it meanwhile: the same answer.
                    let _ = expanded.unfiltered_estimate.set(estimate);
                    estimate
                }
            };
            // Filters only take matches away (the planner multiplies their selectivities), so
            // a text narrow without them is narrow with them: no statement to plan then (on
            // a database the size of the seed, none ever).
            if query.has_filters() && unfiltered > broad_matches as f64 {
                estimate_matches(conn, Some(query), expanded).await?
            } else {
                unfiltered
            }
        }
        _ => 0.0,
    };
    let broad = broad_matches > 0 && estimate > broad_matches as f64;
    // A broad query with filters is planned for its values (see `load_page`): 2–3 ms at 100k
    // actors. A page within its ranked candidates needs none of the matches after them, and
    // a statement reading the candidates alone, each by key, is the same plan whatever the
    // filters: it is planned once and asked first. The full statement, planned for its
    // values, is asked only when fewer candidates pass the filters than the page needs.
    let within_ranked = i64::from(rank_offset(query)) + i64::from(query.limit) < BROAD_RANKED;
    if broad && query.has_filters() && within_ranked {
        let (rows, _) = load_page(
            conn,
            query,
            Some(expanded),
            Candidates::RankedPostings,
            None,
        )
        .await?;
        if rows.len() > query.limit as usize {
            return Ok((rows, estimate.round() as i64, true));
        }
    }
    let taken_from = match broad {
        true => Candidates::Postings,
        false => Candidates::EveryMatch,
    };
    let (rows, total) = load_page(conn, query, Some(expanded), taken_from, None).await?;
    Ok(match broad {
        true => (rows, estimate.round() as i64, true),
        false => (rows, total, false),
    })
}

/// How many published actors PostgreSQL's planner expects to match the text and the
/// query's filters (none without a query): one planning, no execution.
async fn estimate_matches(
    conn: &AsyncPgConnection,
    filters: Option<&ActorQuery>,
    expanded: &ExpandedText,
) -> QueryResult<f64> {
    let mut sql = text_matching_sql("EXPLAIN (FORMAT JSON) SELECT 1", Some(expanded));
    if let Some(query) = filters {
        push_filters(query, &mut sql);
    }
    let row: PlanRow = sql.into_query().get_result(&mut &*conn).await?;
    let plan: serde_json::Value = serde_json::from_str(&row.plan)
        .map_err(|error| diesel::result::Error::DeserializationError(Box::new(error)))?;
    Ok(plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or_default())
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    plan: String,
}

/// The placeholders of a relevance order's two steps (see `load_page`).
struct TwoStepRanking {
    /// How many candidates get the full score.
    ranked: String,
    /// How many matches the cheap step must deliver.
    candidates: String,
    /// For a broad query: where its candidates come from.
    broad: Option<BroadSource>,
}

/// The placeholders of a broad query's candidates (`sql/broad_candidates.sql`).
struct BroadSource {
    /// How many postings to read per term.
    per_term: String,
    /// For several words: the condition that the names contain each.
    name_words: Option<String>,
}

/// The condition that an actor's names (`search_names`, normalised) contain every word of
/// the text that search reads (no stop words) of three letters or more (the first
/// NAME_WORDS of them), when there are two or more: the trigram index of the names finds
/// the few actors named "… Community Garden …" among the thousands named with one of the
/// words, whose postings alone may not reach them. Words shorter than a trigram could not
/// use that index. A word search corrects (its tsquery with corrections is more than the
/// one as typed) is looked for as a likely misspelling of a word of the names (`<%`:
/// pg_trgm's word similarity, 0.6 or more, through the same index): "comunity garden"
/// finds the "Community Garden" names at 100k actors, which the correction's postings,
/// thousands of names with "community", did not reach.
fn name_words_condition(words: &[QueryWord], sql: &mut SqlBuilder) -> Option<String> {
    // The words are normalised already (`atlas_search_query`).
    let words: Vec<&QueryWord> = words
        .iter()
        .filter(|word| word.all.is_some() && word.word.chars().count() >= 3)
        .take(NAME_WORDS)
        .collect();
    if words.len() < 2 {
        return None;
    }
    let conditions: Vec<String> = words
        .into_iter()
        .map(|word| {
            let corrected = word.all != word.exact;
            let word = sql.arg(Arg::Text(word.word.clone()));
            if corrected {
                format!("{word} <% a.search_names")
            } else {
                format!("a.search_names LIKE '%' || {word} || '%'")
            }
        })
        .collect();
    Some(conditions.join(" AND "))
}

/// How like the text an actor's names are: trigram similarity, the two-step ranking's cheap
/// score and part of the full one.
const NAME_LIKENESS: &str = "similarity(sq.normalised, a.search_names)";

/// Where a page of `list_actors` takes the matches it ranks from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Candidates {
    /// Every match (no text, or a narrow text: two-step ranking).
    EveryMatch,
    /// A broad text's best candidates from the search postings, then, when a page reaches
    /// past them, the other matches (sql/broad_candidates.sql, sql/broad_beyond_top.sql).
    Postings,
    /// A broad text's ranked candidates alone, with filters: a page within them, planned
    /// once (`text_page`).
    RankedPostings,
}

/// The statements of one page of `list_actors` on `conn` (with the expanded text when the
/// query has one): the page's rows, and the total count of matches.
async fn load_page(
    conn: &AsyncPgConnection,
    query: &ActorQuery,
    expanded: Option<&ExpandedText>,
    taken_from: Candidates,
    stored_count: Option<SqlBuilder>,
) -> QueryResult<(Vec<ListedActorRow>, i64)> {
    let broad = taken_from != Candidates::EveryMatch;
    let mut page_sql = SqlBuilder::new("");
    let text = expanded.map(|expanded| text_args(expanded, &mut page_sql));
    let has_text = text.is_some();
    // The statement of a broad query without filters is planned once per connection (a
    // generic plan): reading the postings, checking each candidate by key and scoring it are
    // the same plan whatever the words, and planning it for each query's values took 2.5 ms
    // of a 17 ms search at 100k actors. With a filter the plan depends on how many actors it
    // keeps ("cooperative" in Germany's box: 23 ms planned for its values, 230 ms planned
    // once), so it is planned for them, as every other statement (see `establish`); the
    // setting is put back after it. A page within its ranked candidates alone is planned
    // once with filters too: it reads each candidate's row by key (not the box, which a
    // plan for any box read for each candidate: 300 ms) and never the matches after them,
    // where the filters' selectivity decides the plan.
    let planned_once = match taken_from {
        Candidates::EveryMatch => false,
        Candidates::Postings => !query.has_filters(),
        Candidates::RankedPostings => true,
    };
    let distance = match &query.near {
        Some(near) => format!(
            "ST_Distance(a.geom::geography, {}) / 1000.0",
            near_point(near.lon, near.lat, &mut page_sql)
        ),
        None => "NULL::float8".to_owned(),
    };
    // The step that sees every match: FROM, filters, keyset condition, order, limit.
    let mut matching = SqlBuilder::new("");
    std::mem::swap(&mut matching, &mut page_sql);
    push_from_source(has_text.then_some("sq"), &mut matching);
    push_filters(query, &mut matching);
    let offset = rank_offset(query);
    match &query.after {
        None => {}
        Some(PageCursor::Name { k, id }) => {
            let (k, id) = (
                matching.arg(Arg::Text(k.clone())),
                matching.arg(Arg::Uuid(id.0)),
            );
            matching.push(&format!(" AND (a.sort_name, a.id) > ({k}, {id})"));
        }
        Some(PageCursor::Updated { at, id }) => {
            let (at, id) = (matching.arg(Arg::Time(*at)), matching.arg(Arg::Uuid(id.0)));
            matching.push(&format!(" AND (a.updated_at, a.id) < ({at}, {id})"));
        }
        Some(PageCursor::Distance { km, id }) => {
            let (km, id) = (matching.arg(Arg::Float(*km)), matching.arg(Arg::Uuid(id.0)));
            matching.push(&format!(" AND ({distance}, a.id) > ({km}, {id})"));
        }
        Some(PageCursor::Rank { .. }) => {}
    }
    let (order, page_order) = match query.sort {
        SortOrder::Relevance if has_text => (
            "ORDER BY score DESC, a.id",
            "ORDER BY page.score DESC, page.id",
        ),
        SortOrder::Distance if query.near.is_some() => (
            "ORDER BY distance_km, a.id",
            "ORDER BY page.distance_km, page.id",
        ),
        SortOrder::Updated => (
            "ORDER BY a.updated_at DESC, a.id DESC",
            "ORDER BY page.updated_at DESC, page.id DESC",
        ),
        _ => (
            "ORDER BY a.sort_name, a.id",
            "ORDER BY page.sort_name, page.id",
        ),
    };
    // One row more than asked tells whether there is a next page.
    let mut limit = format!(
        "LIMIT {}",
        matching.arg(Arg::Int(i64::from(query.limit) + 1))
    );
    if offset > 0 {
        limit.push_str(&format!(
            " OFFSET {}",
            matching.arg(Arg::Int(i64::from(offset)))
        ));
    }
    // Relevance ranks in two steps so that a broad query costs a bounded amount: every
    // match gets only a cheap score (trigram similarity of the text to the names, no
    // detoasting of the search document), and only the best RANKED_CANDIDATES of that
    // order get the full score. The order is one total order whatever the page: those
    // candidates by full score (always >= 0) first, then every other match by the cheap
    // score (shifted below 0), so offset cursors stay consistent.
    let two_phase = match (has_text, query.sort) {
        (true, SortOrder::Relevance) => {
            let needed = i64::from(offset) + i64::from(query.limit) + 1;
            Some(TwoStepRanking {
                ranked: matching.arg(Arg::Int(if broad {
                    BROAD_RANKED
                } else {
                    RANKED_CANDIDATES
                })),
                candidates: matching.arg(Arg::Int(if broad {
                    needed
                } else {
                    RANKED_CANDIDATES.max(needed)
                })),
                broad: broad.then(|| BroadSource {
                    per_term: matching.arg(Arg::Int(POSTINGS_PER_TERM)),
                    name_words: expanded
                        .and_then(|expanded| name_words_condition(&expanded.words, &mut matching)),
                }),
            })
        }
        _ => None,
    };
    let (mut from_where, mut page_sql) = matching.take_sql();
    if let Some(ranking) = &two_phase {
        let TwoStepRanking {
            ranked,
            candidates,
            broad,
        } = ranking;
        let cheap = NAME_LIKENESS;
        let source = match broad {
            Some(BroadSource {
                per_term,
                name_words,
            }) => BROAD_CANDIDATES_SQL
                .replace(
                    "{beyond_top}",
                    match taken_from {
                        Candidates::RankedPostings => "",
                        _ => BROAD_BEYOND_TOP_SQL,
                    },
                )
                .replace(
                    "{check_from_where}",
                    &match taken_from {
                        Candidates::RankedPostings => candidate_row_alone(&from_where),
                        _ => from_where.clone(),
                    },
                )
                .replace("{from_where}", &from_where)
                .replace("{per_term}", per_term)
                .replace("{name_words}", name_words.as_deref().unwrap_or("false"))
                .replace("{ranked}", ranked)
                .replace("{needed}", candidates)
                .replace("{cheap}", cheap),
            None => format!(
                "(SELECT a.id AS candidate_id, {cheap} AS cheap, \
                   row_number() OVER (ORDER BY {cheap} DESC, a.id) AS cheap_position, \
                   count(*) OVER () AS matches{from_where} \
                   ORDER BY {cheap} DESC, a.id LIMIT {candidates}) c"
            ),
        };
        from_where = format!(" FROM {source} JOIN actors a ON a.id = c.candidate_id CROSS JOIN sq");
    }
    // With a text or place filter PostgreSQL reads and sorts every match anyway, so a
    // first page counts them in the same scan. Without one, the page can walk the order's
    // index and stop after a page, and a separate count is cheaper; after a cursor the
    // scan sees only what follows it, so a separate query counts all matches. A large box
    // counted from the stored map cells (`stored_count`) lets the page walk the order's
    // index too.
    let count_in_page = stored_count.is_none()
        && (broad
            || query.after.is_none() && (has_text || query.bbox.is_some() || query.near.is_some()));
    let (text_cte, text_join, score, search_columns) = match &text {
        Some(text) => (
            // Inlined where it is used, so the tsqueries are values to the planner; under a
            // generic plan (see below), made once: there a cast of a parameter to a tsquery
            // inlined is made again for every row it is used on.
            format!(
                "sq AS {} {},",
                if planned_once {
                    "MATERIALIZED"
                } else {
                    "NOT MATERIALIZED"
                },
                text.relation
            ),
            " CROSS JOIN sq",
            match &two_phase {
                Some(ranking) => format!(
                    "CASE WHEN c.cheap_position <= {} THEN {} ELSE c.cheap - 2 END",
                    ranking.ranked,
                    // The cheap step's likeness, taken once per candidate.
                    SEARCH_SCORE_SQL.replace("{likeness}", "c.cheap")
                ),
                None => SEARCH_SCORE_SQL.replace("{likeness}", NAME_LIKENESS),
            },
            SEARCH_COLUMNS_SQL.to_owned(),
        ),
        None => (
            String::new(),
            "",
            "NULL::float8".to_owned(),
            NO_SEARCH_COLUMNS.to_owned(),
        ),
    };
    let counted_by_window = count_in_page && !broad && two_phase.is_none();
    let total = if broad {
        // The caller reports the estimate.
        "NULL::int8"
    } else if count_in_page && two_phase.is_some() {
        "c.matches"
    } else if counted_by_window {
        "count(*) OVER ()"
    } else {
        "NULL::int8"
    };
    let (distance, score, from_where) = if counted_by_window {
        // The count reads every match, but the planner costs the page's scan as if its
        // LIMIT stopped it early: a large box with two filters walked the name index through
        // every actor (300 ms at 100k) instead of combining the filters' indexes (8 ms). In a
        // subquery of its own (OFFSET 0 keeps it one) the scan is costed for all its rows.
        (
            "a.distance_km".to_owned(),
            "a.score".to_owned(),
            format!(
                " FROM (SELECT a.id, a.sort_name, a.updated_at, {distance} AS distance_km, \
                 {score} AS score{from_where} OFFSET 0) a"
            ),
        )
    } else {
        (distance, score, from_where)
    };
    page_sql.push(
        &LIST_ACTORS_SQL
            .replace("{text}", &text_cte)
            .replace("{text_join}", text_join)
            .replace("{distance}", &distance)
            .replace("{score}", &score)
            .replace("{total}", total)
            .replace("{from_where}", &from_where)
            .replace("{order}", order)
            .replace("{limit}", &limit)
            .replace("{columns}", ACTOR_COLUMNS)
            .replace("{search_columns}", &search_columns)
            .replace("{page_order}", page_order),
    );

    // A separate count query, when the page does not count in its own scan.
    let count_sql = stored_count.or_else(|| {
        (!count_in_page).then(|| matching_sql("SELECT count(*) AS count", query, expanded))
    });
    match count_sql {
        None => {
            if planned_once {
                set_plan_cache_mode(conn, "force_generic_plan").await?;
            }
            let rows = page_sql
                .into_query()
                .load::<ListedActorRow>(&mut &*conn)
                .await?;
            if planned_once {
                set_plan_cache_mode(conn, "force_custom_plan").await?;
            }
            let total = rows
                .as_slice()
                .first()
                .and_then(|row| row.total)
                .unwrap_or(0);
            Ok((rows, total))
        }
        Some(count_sql) => {
            // Both queries go out on one connection without waiting for each other
            // (pipelining).
            let (rows, count) = futures_util::try_join!(
                page_sql.into_query().load::<ListedActorRow>(&mut &*conn),
                count_sql.into_query().get_result::<CountRow>(&mut &*conn),
            )?;
            Ok((rows, count.count))
        }
    }
}

/// Sets how the next statements on `conn`, a search connection, are planned (the next search
/// on it plans for values again, see `Store::run_search`).
async fn set_plan_cache_mode(conn: &AsyncPgConnection, mode: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('plan_cache_mode', $1, false)")
        .bind::<Text, _>(mode)
        .execute(&mut &*conn)
        .await?;
    Ok(())
}

impl Store {
    /// A page of published actors matching the query, in its order, with the total count.
    pub async fn list_actors(&self, query: &ActorQuery) -> StoreResult<ActorPage> {
        let (rows, total, estimated, relaxed) = match &query.text {
            // Text search is bounded by the search statement timeout; plain listings walk
            // an index and stop after a page.
            Some(text) => {
                let (query, text) = (query.clone(), text.as_str().to_owned());
                let expansions = self.expansions.clone();
                let broad_matches = self.broad_matches;
                self.run_search(on_connection(move |conn, counter| {
                    async move {
                        let Some(expanded) =
                            expanded_text(expansions.as_deref(), conn, counter, &text).await?
                        else {
                            return Ok((Vec::new(), 0, false, false));
                        };
                        let (rows, total, estimated) =
                            text_page(conn, &query, &expanded, broad_matches).await?;
                        // Nothing matches every word (an empty first page says so; an empty
                        // later page may only be past the end): ask for fewer words.
                        if rows.is_empty()
                            && (query.after.is_none()
                                || !has_match(conn, &query, &expanded).await?)
                        {
                            if let Some(relaxed) = relax_text(conn, &query, &expanded).await? {
                                let (rows, total, estimated) =
                                    text_page(conn, &query, &relaxed, broad_matches).await?;
                                return Ok((rows, total, estimated, true));
                            }
                        }
                        Ok((rows, total, estimated, false))
                    }
                    .boxed()
                }))
                .await?
            }
            None => {
                let stored_count = self.stored_count_sql(query).await?;
                let conn = self.conn().await?;
                let (rows, total) =
                    load_page(&conn, query, None, Candidates::EveryMatch, stored_count).await?;
                (rows, total, false, false)
            }
        };
        let offset = rank_offset(query);

        let has_more = rows.len() > query.limit as usize;
        let mut items = Vec::with_capacity(rows.len().min(query.limit as usize));
        let mut last_key = None;
        for row in rows.into_iter().take(query.limit as usize) {
            last_key = Some((row.sort_name.clone(), row.distance_km));
            let matches = row.matches();
            items.push(ListedActor {
                actor: Actor::try_from(row.actor)?,
                distance_km: row.distance_km,
                matches,
            });
        }
        let next = match (has_more, items.last(), last_key) {
            (true, Some(last), Some((sort_name, distance))) => Some(match query.sort {
                SortOrder::Relevance if query.text.is_some() => PageCursor::Rank {
                    offset: offset.saturating_add(query.limit),
                },
                SortOrder::Updated => PageCursor::Updated {
                    at: last.actor.updated_at,
                    id: last.actor.id,
                },
                SortOrder::Distance if distance.is_some() => PageCursor::Distance {
                    km: distance.unwrap_or_default(),
                    id: last.actor.id,
                },
                _ => PageCursor::Name {
                    k: sort_name,
                    id: last.actor.id,
                },
            }),
            _ => None,
        };
        // A broad query's total is the planner's estimate, except on its last page, which
        // shows how many there are (a page past the end shows nothing of the kind).
        let listed = i64::from(offset) + items.len() as i64;
        let past_the_end = items.is_empty() && offset > 0;
        let (total, total_estimated) = match (estimated, has_more, past_the_end) {
            (false, _, _) => (total, false),
            (true, false, false) => (listed, false),
            (true, true, _) => (total.max(listed + 1), true),
            (true, false, true) => (total, true),
        };
        Ok(ActorPage {
            items,
            next,
            total: u64::try_from(total).unwrap_or_default(),
            total_estimated,
            relaxed,
        })
    }

    /// One published actor by id or slug.
    pub async fn published_actor(&self, reference: &ActorRef) -> StoreResult<Option<Actor>> {
        let mut sql = SqlBuilder::new(&format!(
            "SELECT {ACTOR_COLUMNS} FROM actors a WHERE a.status = 'published' AND "
        ));
        match reference {
            ActorRef::Id(id) => {
                let p = sql.arg(Arg::Uuid(id.0));
                sql.push(&format!("a.id = {p}"));
            }
            ActorRef::Slug(slug) => {
                let p = sql.arg(Arg::Text(slug.clone()));
                sql.push(&format!("a.slug = {p}"));
            }
        }
        let mut conn = self.conn().await?;
        let row: Option<ActorRow> = sql.into_query().get_result(&mut conn).await.optional()?;
        row.map(Actor::try_from).transpose()
    }

    /// How many actors are published (for start-up and seeding decisions).
    pub async fn count_published(&self) -> StoreResult<u64> {
        let mut conn = self.conn().await?;
        let row: CountRow =
            diesel::sql_query("SELECT count(*) AS count FROM actors WHERE status = 'published'")
                .get_result(&mut conn)
                .await?;
        Ok(u64::try_from(row.count).unwrap_or_default())
    }

    /// Private contact details, for moderators and owners only.
    pub async fn contact_details(&self, id: ActorId) -> StoreResult<ContactDetails> {
        let mut conn = self.conn().await?;
        let row: Option<(Option<String>, Option<String>)> = actor_contacts::table
            .filter(actor_contacts::actor_id.eq(id.0))
            .select((actor_contacts::email, actor_contacts::phone))
            .first(&mut conn)
            .await
            .optional()?;
        Ok(row
            .map(|(email, phone)| ContactDetails { email, phone })
            .unwrap_or_default())
    }

    /// Creates or updates one actor from an import source, keyed by its id there (a batch of
    /// one of [`Store::import_actors`]). A record whose profile and contact did not change
    /// writes nothing, so re-running an import is a no-op. An existing actor keeps its status.
    pub async fn import_actor(&self, import: ImportedActor<'_>) -> StoreResult<ImportOutcome> {
        let author = format!("import:{}", import.source);
        let row = ImportRow {
            id: ActorId::for_external(import.source, import.external_id),
            external_id: Some(format!("{}:{}", import.source, import.external_id)),
            actor: import.actor,
            status_if_new: import.status,
            replace_contact: true,
            author: &author,
        };
        let outcomes = self
            .import_actors(std::slice::from_ref(&row), false)
            .await?;
        outcomes
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("an import of one row returned no outcome".into()))
    }
}

pub(crate) async fn write_revision(
    conn: &mut AsyncPgConnection,
    id: ActorId,
    version: i32,
    status: &str,
    profile: &serde_json::Value,
    author: &str,
    note: Option<&str>,
) -> StoreResult<()> {
    diesel::insert_into(actor_revisions::table)
        .values((
            actor_revisions::actor_id.eq(id.0),
            actor_revisions::version.eq(version),
            actor_revisions::status.eq(status),
            actor_revisions::profile.eq(profile),
            actor_revisions::author.eq(author),
            actor_revisions::note.eq(note),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The slug itself when free, else the slug with a suffix from the id.
pub(crate) async fn free_slug(
    conn: &mut AsyncPgConnection,
    slug: &Slug,
    id: ActorId,
) -> StoreResult<Slug> {
    let taken: i64 = actors::table
        .filter(actors::slug.eq(slug.as_str()))
        .count()
        .get_result(conn)
        .await?;
    Ok(if taken == 0 {
        slug.clone()
    } else {
        slug.with_suffix(id)
    })
}
