-- A text's words as suggestions compare them with category labels: normalised, punctuation
-- as spaces. "second h" was not in "Second-hand, swap & free shops", so the English page
-- was offered the Czech label ("Second handy, swapy a darovny") instead.
CREATE FUNCTION atlas_label_words(label text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN trim(regexp_replace(atlas_normalise(label), '[^[:alnum:]]+', ' ', 'g'));
COMMENT ON FUNCTION atlas_label_words(text) IS
    'A text normalised (atlas_normalise) with every run of characters other than letters and digits made one space.';

-- Every label's words so, stored (84 categories): made on each keystroke, the words of all
-- the labels took ~10 ms.
ALTER TABLE categories ADD COLUMN label_words text
    GENERATED ALWAYS AS (atlas_label_words(labels::text)) STORED;
COMMENT ON COLUMN categories.label_words IS
    'The labels in every language as atlas_label_words has them: what suggestions look for a text in.';
