-- Relevance of one matching actor (sq = the tsqueries of atlas_search_query(q), see
-- migrations 000030 and 000150). Weights of search_doc: A names, B categories/kind/tags,
-- C place, D texts; ts_rank weights are listed D, C, B, A.
-- Score: every word as typed or stemmed (match_exact) counts fully, typo corrections a third,
-- and closeness of the whole text to the name breaks ties among similar matches, so names
-- rank above descriptions and exact words above corrected ones. ts_rank reads words only
-- (rank_exact, rank_all: the queries without their c:<id> lexemes, migration 000380): a
-- c:<id>'s position is only its place in the actor's list of categories, so ts_rank over
-- them put actors in many categories first, in the accidental order of their lists.
-- Categories count apart. A text that names one of the actor's categories (every word found
-- in that category's labels, or its parent's, in any language: "cooperativas de consumo",
-- "circular economy" for the actors of its children) counts more than a name holding some of
-- the words (1.0: with 0.5, "moneda social" listed "Social Stock Exchange" above the actors
-- of "Monedas sociales"), and among the category's actors those most in it come first (0.3
-- × the share of their categories it covers: a food bank before a café in six food
-- categories; less than a name like the text adds, "Banca Etica" for "ethical bank").
-- (sq.whole_categories: the categories whose c:<id>, or their parent's, alone matches the
-- query, found once per query. match_whole is match_all but for a text relaxed to any of
-- its words: then the text's own, so that the actors with most of the words come first,
-- not those of a category one word names.) Otherwise the share of the text's words
-- naming one of the actor's categories counts as a category match always did (0.4, weight
-- B's: "bicycle repair" for a bike kitchen in the repair category).
-- A text naming a category in a language other than English (sq.label_languages, migration
-- 000340: "Tafel", "banque alimentaire") prefers the category's actors writing that language:
-- among them, whose names are unlike the text, they come first (1.0: more than the share of
-- the category adds). Only the category's actors: a name holding the words still comes
-- before a German text that has "Verein" in it.
-- An actor with every word as typed (or stemmed, or one of its other forms) ranks above every
-- actor that needs a typo correction for some word, wherever the words are (10 is more than
-- the rest of a score adds up to): "bayern" in a text comes before "Bakery" in a name, as in
-- Meilisearch, whose typo rule comes before its attribute rule.
-- ts_rank of the words as typed counts only for an actor that has them all: of a partial
-- match it reads the alternatives of one word as neighbours ("comunity garden": a text with
-- "garden", "gardens" and "gard" ranked 1.0, a name "… Community Garden" 0).
-- A word of the text in the actor's place (town, region, postcode, country), for an actor
-- with the words as typed, adds 0.5: the actors of a town typed come before texts that
-- mention it ("Constanta": English texts with "constant" came before the one actor in
-- Constanța). Not through a correction ("verien" is not Verden), and less than a name typed
-- ("Sargfabrik Lisboa", which no actor has both of: Sargfabrik before the actors of
-- Lisboa). Where every match has the place ("cooperative austria"), it ranks nothing.
(CASE WHEN a.search_doc @@ sq.match_exact
      THEN 10.0 + ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_doc, sq.rank_exact)
           + CASE WHEN a.search_doc @@ sq.place_any THEN 0.5 ELSE 0 END
      ELSE 0 END
   + 0.3 * ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_doc, sq.rank_all)
   + CASE WHEN a.search_doc @@ sq.name_whole THEN 0.5 ELSE 0 END
   + CASE WHEN a.categories && sq.whole_categories
          THEN 1.0 + 0.3 * (SELECT count(*) FROM unnest(a.categories) AS own (id)
                            WHERE own.id = ANY (sq.whole_categories)) / cardinality(a.categories)
               + CASE WHEN a.summary ?| sq.label_languages OR a.description ?| sq.label_languages
                           OR a.languages && sq.label_languages THEN 1.0 ELSE 0 END
          ELSE 0.4 * (SELECT count(*) FROM unnest(sq.word_categories) AS named (q)
                      WHERE a.search_doc @@ named.q) / greatest(sq.content_words, 1)
          END
   -- The text is the actor's name, give or take a letter (trigram similarity 0.8 or more,
   -- as Meilisearch's exactness rule): up to 2.0 more, so that the actor typed comes first
   -- ("Ethiquable" came after actors of categories whose labels share its stem, "éthique").
   -- The likeness: that similarity, as the cheap step of the ranking computed it (once a row).
   + greatest({likeness}, 11 * {likeness} - 8)
   -- The text is the actor's names with one typo (two from 9 letters; two neighbouring
   -- letters swapped count as one), as Meilisearch counts typos: 2.0 more, as for a name
   -- typed as written. "Ethiquabel" came 46th, after the actors of the "éthique" categories
   -- its correction's stem names (its trigram likeness to "ethiquable" is 0.57). Only for
   -- names alike enough to be worth comparing letter by letter.
   + CASE WHEN {likeness} >= 0.3
               AND CASE levenshtein_less_equal(sq.normalised, a.search_names, 2)
                     WHEN 1 THEN char_length(a.search_names) >= 5
                     WHEN 2 THEN char_length(a.search_names) >= 9
                                 OR atlas_letters_swapped(sq.normalised,
                                                          a.search_names)
                     ELSE false END
          THEN 2.0 ELSE 0 END)::float8
