-- Relevance of one matching actor (sq = atlas_search_query(q), see the
-- 2026-11-28-000030_search migration). Weights of search_doc: A names, B categories/kind/tags,
-- C place, D texts; ts_rank weights are listed D, C, B, A.
-- Score: every word as typed or stemmed (match_exact) counts fully, typo corrections a third,
-- and closeness of the whole text to the name breaks ties among similar matches, so names
-- rank above descriptions and exact words above corrected ones.
(ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_doc, sq.match_exact)
   + 0.3 * ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_doc, sq.match_all)
   + CASE WHEN ts_filter(a.search_doc, '{a}') @@ sq.match_all THEN 0.5 ELSE 0 END
   + similarity(atlas_normalise({q}), a.search_names))::float8
