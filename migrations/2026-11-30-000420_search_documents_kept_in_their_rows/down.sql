-- Rows written from now on are stored as before; those stored already stay as they are.
ALTER TABLE actors ALTER COLUMN search_doc SET STORAGE EXTENDED;
ALTER TABLE actors RESET (toast_tuple_target);
