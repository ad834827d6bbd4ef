-- The matches after a broad query's ranked candidates (`top`, sql/broad_candidates.sql), in
-- the cheap order: read only when a page reaches past the candidates.
UNION ALL
(SELECT a.id, {cheap}, {ranked} + 1 {from_where}
   AND a.id NOT IN (SELECT top.id FROM top)
   AND (SELECT count(*) FROM top) < {needed}
 ORDER BY {cheap} DESC, a.id
 LIMIT {needed})
