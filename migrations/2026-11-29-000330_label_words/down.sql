ALTER TABLE categories DROP COLUMN label_words;
DROP FUNCTION atlas_label_words(text);
