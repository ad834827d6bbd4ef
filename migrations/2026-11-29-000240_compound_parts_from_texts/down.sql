-- Back to 000190's split: parts known from the vocabulary only.
CREATE OR REPLACE FUNCTION atlas_compound_split(term text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    head text;
    tail text;
BEGIN
    IF length(term) < 8 OR EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = term) THEN
        RETURN NULL;
    END IF;
    FOR i IN REVERSE length(term) - 4 .. 4 LOOP
        head := left(term, i);
        tail := substr(term, i + 1);
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = tail);
        IF EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = head) THEN
            RETURN head || ' ' || tail;
        END IF;
        IF right(head, 1) = 's' AND length(head) > 4
           AND EXISTS (SELECT 1 FROM search_vocabulary v WHERE v.word = left(head, -1)) THEN
            RETURN left(head, -1) || ' ' || tail;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

DROP FUNCTION atlas_known_word(text);
