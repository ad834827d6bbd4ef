-- Relevance and highlights of one matching actor (sq = atlas_search_query(q), see the
-- 2026-11-28-000030_search migration). Weights of search_doc: A names, B categories/kind/tags,
-- C place, D texts; ts_rank weights are listed D, C, B, A.
-- Score: every word as typed or stemmed (match_exact) counts fully, typo corrections a third,
-- and closeness of the whole text to the name breaks ties among similar matches, so names
-- rank above descriptions and exact words above corrected ones.
(ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_doc, sq.match_exact)
   + 0.3 * ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_doc, sq.match_all)
   + CASE WHEN ts_filter(a.search_doc, '{a}') @@ sq.match_all THEN 0.5 ELSE 0 END
   + similarity(atlas_normalise({q}), a.search_names))::float8 AS score,
ts_filter(a.search_doc, '{a}') @@ sq.match_any AS name_hit,
ARRAY(SELECT c.id FROM categories c
      WHERE c.id = ANY (a.categories)
        AND (c.search_doc || array_to_tsvector(ARRAY['c:' || c.id])) @@ sq.match_any) AS matched_categories,
to_tsvector('simple', atlas_normalise(concat_ws(' ', replace(array_to_string(a.tags, ' '), '_', ' '),
    nullif(replace(a.kind, '_', ' '), 'other')))) @@ sq.match_any AS tags_hit,
ts_filter(a.search_doc, '{c}') @@ sq.match_any AS place_hit,
(SELECT ts_headline(atlas_ts_config(t.key),
            replace(replace(replace(t.value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
            sq.match_any,
            'MaxFragments=1, MaxWords=30, MinWords=12, StartSel=<mark>, StopSel=</mark>')
 FROM jsonb_each_text(a.summary || a.description) AS t
 WHERE (to_tsvector(atlas_ts_config(t.key), atlas_normalise(t.value))
        || to_tsvector('simple', atlas_normalise(t.value))) @@ sq.match_any
 LIMIT 1) AS snippet
