-- The matches a broad text query ranks (one whose planner estimate is large, see actors.rs),
-- as the relation `c (candidate_id, cheap, cheap_position)` of list_actors: its best
-- ranked candidates come from the top of each query term's postings (search_postings,
-- migration 000170: names, categories, kind, tags, place; best impact first), so a query
-- matching tens of thousands of actors reads a few thousand index entries instead of every
-- match. Each candidate is checked against the whole query and the filters (from_where,
-- the same FROM … WHERE as every match) until ranked pass — those whose postings hold more
-- of the text's words first (one whose postings hold every word matches; "repair cafe" at
-- 100k actors checked 904 candidates in impact order alone for 200 matches), then by
-- impact; they get the full score (cheap_position 1). Only when a page reaches past them
-- (a deep page, or a query whose best matches are text-only and have no postings) are the
-- other matches read, in the cheap order after them, as the two-step ranking does for every
-- query (beyond_top: sql/broad_beyond_top.sql; left out of a page asked of the ranked
-- candidates alone, see actors.rs).
(WITH top AS MATERIALIZED (
    -- Candidates in order first (OFFSET 0 keeps this sort from being merged into the outer
    -- query), then checked one by one until as many pass as are ranked; the check reads the row,
    -- and its likeness to the text (cheap, which the score reads) is taken there, once.
    SELECT c.actor_id AS id, m.cheap
    -- words: how many of the text's words its postings hold, as the bits set of one bit per
    -- word (in the one hashed grouping; count(DISTINCT) sorted 3,000 rows, +2 ms).
    FROM (SELECT u.actor_id, max(u.impact) AS impact,
                 bit_count(bit_or(1 << (least(u.word, 31)::int - 1))::bit(32)) AS words
          FROM (SELECT p.actor_id, p.impact, w.n AS word
                FROM sq, unnest(sq.word_all) WITH ORDINALITY AS w (q, n), atlas_tsquery_terms(w.q) AS t,
                     LATERAL (SELECT s.actor_id, s.impact FROM search_postings s
                              WHERE NOT t.prefix AND s.term = t.term COLLATE "C"
                              ORDER BY s.impact DESC LIMIT {per_term}) AS p
                UNION ALL
                -- A prefix (the last word as typed so far) reads a bounded run of its terms.
                SELECT p.actor_id, p.impact, w.n
                FROM sq, unnest(sq.word_all) WITH ORDINALITY AS w (q, n), atlas_tsquery_terms(w.q) AS t,
                     LATERAL (SELECT s.actor_id, s.impact FROM search_postings s
                              WHERE t.prefix AND s.term >= t.term COLLATE "C"
                                AND s.term < (t.term || chr(1114111)) COLLATE "C"
                              ORDER BY s.term LIMIT {per_term}) AS p
                UNION ALL
                -- Names with every word of a query of several (actors.rs, name_words_condition)
                -- come first: the full score ranks them high, and each word's postings may
                -- hold thousands of names with that word alone.
                SELECT a.id, 100::real, w.n
                FROM actors a, sq, generate_series(1, cardinality(sq.word_all)) AS w (n)
                WHERE a.status = 'published' AND {name_words}) AS u
          GROUP BY u.actor_id
          ORDER BY words DESC, impact DESC, u.actor_id
          LIMIT ALL OFFSET 0) AS c
    -- (check_from_where is from_where, or, planned once with filters, from_where reading the
    -- candidate's row alone: a plan made for any bbox read the whole box for each candidate.)
    CROSS JOIN LATERAL (SELECT {cheap} AS cheap {check_from_where} AND a.id = c.actor_id) AS m
    -- Said again: a hash join (chosen on small tables) does not keep the order.
    ORDER BY c.words DESC, c.impact DESC, c.actor_id
    LIMIT {ranked}
 )
 SELECT top.id AS candidate_id, top.cheap, 1::int8 AS cheap_position FROM top
 {beyond_top}) c
