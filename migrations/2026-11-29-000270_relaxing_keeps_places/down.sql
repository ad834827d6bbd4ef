DROP FUNCTION atlas_names_place(text, text);
