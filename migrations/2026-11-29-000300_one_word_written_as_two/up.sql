-- One word that texts also write as two: "nonprofit" found 3 actors of the seed, "non profit"
-- or "non-profit" 26; "cooperative" missed the 34 that write "co-operative", "foodbank" the
-- food banks. A word now also means its two parts written next to each other, when some
-- document writes them so. Checking that on every query costs too much (at 100k actors
-- "food" and "bank" are both in 8,000 documents: 6–7 ms a probe), so it is learnt on
-- writes, like the vocabularies: search_words_apart holds each word of a vocabulary that a
-- document also writes as two. "understanding" is not "under standing": no text has that.

CREATE TABLE search_words_apart (
    word text NOT NULL,
    head text NOT NULL,
    tail text NOT NULL,
    PRIMARY KEY (word, head)
);
COMMENT ON TABLE search_words_apart IS 'Words of the vocabularies (search_vocabulary, search_text_vocabulary) that a search document also writes as two next to each other; learnt on writes (atlas_learn_words). Only grows; a stale row merely matches nothing.';
COMMENT ON COLUMN search_words_apart.word IS 'The word as one (head || tail).';
COMMENT ON COLUMN search_words_apart.head IS 'Its first part, 2 letters or more.';
COMMENT ON COLUMN search_words_apart.tail IS 'Its second part, 3 letters or more.';

-- The pairs of neighbouring words of a document that make a vocabulary word together.
CREATE FUNCTION atlas_words_apart_in(doc tsvector) RETURNS TABLE (word text, head text, tail text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH at AS (SELECT l.lexeme, p.position
                FROM unnest(doc) AS l, unnest(l.positions) AS p (position)
                WHERE l.lexeme ~ '^[[:alpha:]]{2,27}$')
    SELECT DISTINCT h.lexeme || t.lexeme, h.lexeme, t.lexeme
    FROM at h JOIN at t ON t.position = h.position + 1
    WHERE length(t.lexeme) >= 3
      AND (EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = h.lexeme || t.lexeme)
           OR EXISTS (SELECT 1 FROM search_text_vocabulary v WHERE v.word = h.lexeme || t.lexeme));
END;
$$;
COMMENT ON FUNCTION atlas_words_apart_in(tsvector) IS
    'The neighbouring words (head, tail) of a search document that together make a word of the vocabularies.';

-- The ways a word is written as two in published documents: each cut whose tail is a word
-- search knows, probed as a phrase (for a word new to the vocabularies, once).
-- (Index scans only: with few actors the planner read them all for each cut, most of which
-- no document has; seeding the 1,794 actors of the seed took ~2x longer.)
CREATE FUNCTION atlas_words_apart_of(new_word text) RETURNS TABLE (word text, head text, tail text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT new_word, left(new_word, i), substr(new_word, i + 1)
    FROM generate_series(2, length(new_word) - 3) AS i
    WHERE (EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = substr(new_word, i + 1))
           OR EXISTS (SELECT 1 FROM search_text_vocabulary v WHERE v.word = substr(new_word, i + 1)))
      AND EXISTS (SELECT 1 FROM actors a
                  WHERE a.status = 'published'
                    AND a.search_doc @@ to_tsquery('simple', quote_literal(left(new_word, i)) || ' <-> '
                                                            || quote_literal(substr(new_word, i + 1))));
END;
$$;
COMMENT ON FUNCTION atlas_words_apart_of(text) IS
    'The cuts (head, tail) of a word that some published document writes as two neighbouring words.';

-- Learning a document's words now also learns the words it writes as two, and how the
-- words new to the vocabularies are written as two elsewhere.
-- (PL/pgSQL, as the two functions above, so that the statements keep their plans: this runs
-- on every write, and an SQL function plans its statements on every call.)
CREATE OR REPLACE FUNCTION atlas_learn_words(doc tsvector) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH names AS (
        INSERT INTO search_vocabulary (word)
        SELECT DISTINCT w FROM unnest(tsvector_to_array(ts_filter(doc, '{a,b,c}'))) AS w
        WHERE w ~ '^[[:alpha:]]{4,30}$'
        ON CONFLICT DO NOTHING
        RETURNING word
    ), texts AS (
        INSERT INTO search_text_vocabulary (word)
        SELECT DISTINCT w FROM unnest(tsvector_to_array(ts_filter(doc, '{d}'))) AS w
        WHERE w ~ '^[[:alpha:]]{4,30}$'
        ON CONFLICT DO NOTHING
        RETURNING word
    )
    INSERT INTO search_words_apart (word, head, tail)
    SELECT apart.word, apart.head, apart.tail
    FROM (SELECT word FROM names UNION SELECT word FROM texts) AS learnt,
         atlas_words_apart_of(learnt.word) AS apart
    ON CONFLICT DO NOTHING;
    -- (A statement of its own: the words just learnt are visible to it.)
    INSERT INTO search_words_apart (word, head, tail)
    SELECT a.word, a.head, a.tail FROM atlas_words_apart_in(doc) AS a
    ON CONFLICT DO NOTHING;
END;
$$;
COMMENT ON FUNCTION atlas_learn_words(tsvector) IS 'Adds the words of names, categories, tags and places (weights A-C) of a search document to search_vocabulary, those of its texts (D) to search_text_vocabulary, and to search_words_apart the words it writes as two and how published documents write its new words as two.';

-- What the documents written so far write as two.
INSERT INTO search_words_apart (word, head, tail)
SELECT DISTINCT apart.word, apart.head, apart.tail
FROM (SELECT search_doc FROM actors UNION ALL SELECT setweight(search_doc, 'B') FROM categories) AS d,
     atlas_words_apart_in(d.search_doc) AS apart
ON CONFLICT DO NOTHING;

-- A word as typed (a prefix when it is the last: the user may still be typing), stemmed in
-- each language, and now its two parts as documents write them apart; NULL when some
-- language takes it for a stop word (migration 000290's, plus the last). A last word of one
-- letter is no longer a prefix: "e.V." listed 908 actors of the seed (every word beginning
-- with v), not the Vereine.
CREATE OR REPLACE FUNCTION atlas_word_forms(term text, is_last boolean) RETURNS tsquery[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    forms tsquery[] := ARRAY[to_tsquery('simple', term || CASE WHEN is_last AND length(term) >= 2 THEN ':*' ELSE '' END)];
    form tsquery;
    cfg regconfig;
BEGIN
    FOREACH cfg IN ARRAY atlas_query_configs() LOOP
        form := plainto_tsquery(cfg, term);
        IF numnode(form) = 0 THEN
            RETURN NULL;
        END IF;
        forms := forms || form;
    END LOOP;
    -- Written as two words ("non-profit" for "nonprofit"), when a document does.
    RETURN forms || ARRAY(SELECT to_tsquery('simple', quote_literal(w.head) || ' <-> ' || quote_literal(w.tail))
                          FROM search_words_apart w WHERE w.word = term ORDER BY w.head);
END;
$$;
COMMENT ON FUNCTION atlas_word_forms(text, boolean) IS
    'A query word as typed (a prefix if it is the last and has two letters or more), stemmed in each language, and as two words when documents write it so (search_words_apart); NULL when a language takes it for a stop word.';
