-- What a text query matched in one actor of a page (sq = the tsqueries of atlas_search_query(q)): computed for
-- the page's rows only, never for every match (ts_headline parses the whole text). A part
-- matched when it has any of the text's terms (sq.any_term, and name_any, place_any, text_any
-- made from it): a word written as two may be found in two parts.
a.search_doc @@ sq.name_any AS name_hit,
-- The actor's own categories among those matching any term (sq.category_any, found once per
-- text with the expansion). The document holds each category's parent too, so a text naming
-- the parent ("circular economy") matched the child the actor has ("zero waste"): that child,
-- whose c:<parent id> matches, is what matched.
ARRAY(SELECT own.id FROM unnest(a.categories) WITH ORDINALITY AS own (id, n)
      WHERE own.id = ANY (sq.category_any)
      ORDER BY own.n) AS matched_categories,
to_tsvector('simple', atlas_normalise(concat_ws(' ', replace(array_to_string(a.tags, ' '), '_', ' '),
    nullif(replace(a.kind, '_', ' '), 'other')))) @@ sq.any_term AS tags_hit,
a.search_doc @@ sq.place_any AS place_hit,
-- The texts are parsed only when the document's text part (weight D) matches at all: for a
-- name or city match, most rows of a page have no snippet to find. The snippet is the first
-- text (summary, then description, per language) in which ts_headline, with that language's
-- configuration, marks a word: one parse per text tried that may hold a term. None when no
-- text has a word to mark (a match only through another language's stemming); text_hit still
-- says the texts matched.
a.search_doc @@ sq.text_any AS text_hit,
CASE WHEN a.search_doc @@ sq.text_any THEN
(SELECT h.snippet
 FROM (SELECT s.key, s.value FROM jsonb_each_text(a.summary) AS s
       UNION ALL
       SELECT d.key, d.value FROM jsonb_each_text(a.description) AS d) AS t,
      LATERAL ts_headline(atlas_marking_config(t.key),
            replace(replace(replace(t.value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
            sq.any_term,
            'MaxFragments=1, MaxWords=30, MinWords=12, StartSel=<mark>, StopSel=</mark>') AS h (snippet)
 -- A text none of whose words begins as a term does is not parsed (sq.text_words; Irish
 -- and Serbian stemmers change a word's beginning): on a broad page, half the parses.
 WHERE (t.key IN ('ga', 'sr') OR atlas_normalise(t.value) ~ sq.text_words)
   AND strpos(h.snippet, '<mark>') > 0
 LIMIT 1) END AS snippet
