-- Two edits of a word of 6 or 7 letters are accepted only as two neighbouring letters
-- swapped (migration 000320), but they were found by comparing the word with every word of
-- a similar length (the trigram index cannot bound two edits of a short word: 30,000
-- levenshtein calls, 10-18 ms at 100k actors), and the 8 closest were kept before the rule
-- was applied: with more words two edits away, the swapped one was often not among them
-- ("verien" did not find "verein" at 100k actors, nor "gartne" "garten"; 46 of 374 swapped
-- words there). Now the words one edit away come from the index and the swapped ones are
-- looked up (at most six).

-- The spellings of a word with two neighbouring letters swapped (each once, not the word):
-- what a slip of the fingers makes of it, and so what to look up for it (typo corrections,
-- suggestions).
CREATE FUNCTION atlas_swapped_spellings(word text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(SELECT DISTINCT s.spelling
             FROM generate_series(1, length(word) - 1) AS i,
                  LATERAL (SELECT overlay(word PLACING substr(word, i + 1, 1) || substr(word, i, 1)
                                          FROM i FOR 2) AS spelling) AS s
             WHERE s.spelling <> word
             ORDER BY s.spelling);
COMMENT ON FUNCTION atlas_swapped_spellings(text) IS
    'The word with two neighbouring letters swapped, each spelling once, the word itself left out.';

-- Migration 000320's test of a pair, now read from the same spellings.
CREATE OR REPLACE FUNCTION atlas_letters_swapped(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN a = ANY (atlas_swapped_spellings(b));

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
