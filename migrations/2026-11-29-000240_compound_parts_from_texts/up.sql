-- An unknown word is split into two words search knows (migration 000190) also when the
-- parts are known only from actors' texts: the vocabulary holds the words of names, places,
-- tags and category labels, so "reparaturwerkstatt", "nachbarschaftshilfe",
-- "fahrradreparatur" or "stadtteilzentrum" were not split and found nothing. A word is now
-- known when it is in the vocabulary or in some published actor's document (as written: the
-- `simple` lexemes every text has; one probe of the documents' GIN index, only for the parts
-- of a word of 8 letters or more that is not in the vocabulary).

CREATE FUNCTION atlas_known_word(word text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = $1)
    OR EXISTS (SELECT 1 FROM actors a
               WHERE a.status = 'published' AND a.search_doc @@ to_tsquery('simple', quote_literal($1)));
COMMENT ON FUNCTION atlas_known_word(text) IS
    'Whether search knows a (normalised) word: in search_vocabulary, or in a published actor''s search document as written.';

CREATE OR REPLACE FUNCTION atlas_compound_split(term text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    head text;
    tail text;
BEGIN
    -- A word of names, places, tags or labels is never split ("foodcoop"); one only in texts
    -- may be ("bildungszentrum" also finds "Bildung" and "Zentrum").
    IF length(term) < 8 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term) THEN
        RETURN NULL;
    END IF;
    FOR i IN REVERSE length(term) - 4 .. 4 LOOP
        head := left(term, i);
        tail := substr(term, i + 1);
        CONTINUE WHEN NOT atlas_known_word(tail);
        -- A German linking s first: "bildungs" occurs in texts too ("Bildungs- und …"),
        -- but the word is "bildung".
        IF right(head, 1) = 's' AND length(head) > 4 AND atlas_known_word(left(head, -1)) THEN
            RETURN left(head, -1) || ' ' || tail;
        END IF;
        IF atlas_known_word(head) THEN
            RETURN head || ' ' || tail;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
