-- Back to migration 000370's atlas_typo_corrections.
CREATE OR REPLACE FUNCTION atlas_typo_corrections(term text, max_typos integer)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
DECLARE
    found text[];
BEGIN
    -- A word search knows is meant: a word of the vocabulary, a part of a category's label
    -- (7 letters or more, as atlas_search_query matches parts: "fahrrad" in
    -- "Fahrradwerkstätten" is not "fairtrad"), a word written in two texts or more.
    IF max_typos <= 0 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term)
       OR (length(term) >= 7
           AND EXISTS (SELECT 1 FROM categories c WHERE position(term IN c.search_labels) > 0))
       OR atlas_written_often(term) THEN
        RETURN '{}';
    END IF;
    found := ARRAY(
        SELECT n.word FROM (
            SELECT * FROM atlas_words_near(term, CASE WHEN length(term) >= 8 THEN max_typos
                                                      ELSE least(max_typos, 1) END,
                                           'search_vocabulary')
            UNION
            -- A word of 6 or 7 letters is two edits from a name's word only when two
            -- neighbouring letters are swapped ("berlni": "berlin", not "beni"): each such
            -- word is looked up.
            SELECT v.word, 2 FROM search_vocabulary v
            WHERE max_typos >= 2 AND length(term) < 8
              AND v.word = ANY (atlas_swapped_spellings(term))
            UNION
            -- Words of texts correct a short word (under 8 letters) by one edit only.
            SELECT * FROM atlas_words_near(term, CASE WHEN length(term) >= 8 THEN max_typos
                                                      ELSE least(max_typos, 1) END,
                                           'search_text_vocabulary')) AS n
        ORDER BY n.typos, n.word
        LIMIT 8);
    -- A town's name is meant: only the town's other names correct it.
    IF cardinality(found) > 0 AND atlas_names_town(term) THEN
        found := ARRAY(SELECT w FROM unnest(found) WITH ORDINALITY AS f (w, n)
                       WHERE atlas_same_town(term, w) ORDER BY n);
    END IF;
    RETURN found;
END
$$;
