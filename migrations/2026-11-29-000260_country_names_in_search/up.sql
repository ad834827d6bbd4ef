-- A word naming a country finds the actors in that country: "cooperatives in Austria",
-- "food bank Greece", "repair cafe UK" or "Österreich" found only actors with that word in a
-- name or text (1, 2, relaxed and 24 on the seed; Austria has 402 actors there).
--
-- The names are the domain's (atlas_domain::country::names_for_search: English, native and
-- other languages' names, "UK"; no codes, as "MAR", "NOR" or "AND" are words too); a test
-- checks this table against them. A document holds its country as the lexeme cc:<code> at
-- the place weight (C), so a country counts as much as a town in ranking and `_matches`
-- lists it as `place`; atlas_search_query adds cc:<code> to each word of a country's name
-- (all words of a name of several, in order), and takes such a word as meant.
--
-- The last word of a text, as a prefix, names a category only from 4 letters: with labels
-- in fifteen languages, "repair cafe UK" named the categories whose Croatian labels begin
-- with "uk".

CREATE TABLE search_country_names (
    name    text NOT NULL,
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    -- The name's place in the domain's list for the country: 0 is the English short name.
    rank    smallint NOT NULL,
    -- Split as a query is: lowercase, no accents, words separated by one space.
    words   text GENERATED ALWAYS AS (trim(regexp_replace(atlas_normalise(name), '[^[:alnum:]]+', ' ', 'g'))) STORED,
    -- What a query's word is looked up by (then the name's other words are checked).
    first_word text GENERATED ALWAYS AS (split_part(trim(regexp_replace(atlas_normalise(name), '[^[:alnum:]]+', ' ', 'g')), ' ', 1)) STORED,
    PRIMARY KEY (name, country)
);
COMMENT ON TABLE search_country_names IS 'Names of countries (as atlas_domain::country::names_for_search gives them), for matching a query word to the actors in a country.';
COMMENT ON COLUMN search_country_names.words IS 'The name as a query is split into words.';
COMMENT ON COLUMN search_country_names.first_word IS 'The first of words.';
COMMENT ON COLUMN search_country_names.rank IS 'The name''s place in the domain''s list for its country (0: the English short name), for showing one.';
CREATE INDEX search_country_names_first_word ON search_country_names (first_word);

INSERT INTO search_country_names (name, country, rank) VALUES
    ('Andorra', 'AD', 0),
    ('Principality of Andorra', 'AD', 2),
    ('Principat d''Andorra', 'AD', 3),
    ('Andorre', 'AD', 4),
    ('United Arab Emirates', 'AE', 0),
    ('U.A.E.', 'AE', 3),
    ('Emirates', 'AE', 4),
    ('Emirati Arabi Uniti', 'AE', 5),
    ('Emiratos Árabes Unidos', 'AE', 6),
    ('Émirats arabes unis', 'AE', 7),
    ('Vereinigte Arabische Emirate', 'AE', 8),
    ('Albania', 'AL', 0),
    ('Shqipëria', 'AL', 2),
    ('Shqipëri', 'AL', 3),
    ('Republika e Shqipërisë', 'AL', 4),
    ('Republic of Albania', 'AL', 5),
    ('Albanie', 'AL', 6),
    ('Albanien', 'AL', 7),
    ('Armenia', 'AM', 0),
    ('Հայաստան', 'AM', 2),
    ('Hayastan', 'AM', 3),
    ('Republic of Armenia', 'AM', 4),
    ('Arménie', 'AM', 5),
    ('Armenien', 'AM', 6),
    ('Argentina', 'AR', 0),
    ('Argentine', 'AR', 2),
    ('Argentine Republic', 'AR', 3),
    ('República Argentina', 'AR', 4),
    ('Argentinien', 'AR', 5),
    ('Austria', 'AT', 0),
    ('Österreich', 'AT', 2),
    ('Oesterreich', 'AT', 3),
    ('Republik Österreich', 'AT', 4),
    ('Republic of Austria', 'AT', 5),
    ('Autriche', 'AT', 6),
    ('Oostenrijk', 'AT', 7),
    ('Rakousko', 'AT', 8),
    ('Rakúsko', 'AT', 9),
    ('Austrija', 'AT', 10),
    ('Ausztria', 'AT', 11),
    ('Αυστρία', 'AT', 12),
    ('Australia', 'AU', 0),
    ('Commonwealth of Australia', 'AU', 2),
    ('Australie', 'AU', 3),
    ('Australien', 'AU', 4),
    ('Åland Islands', 'AX', 0),
    ('Åland', 'AX', 2),
    ('Aland Islands', 'AX', 3),
    ('Ahvenanmaa', 'AX', 4),
    ('Ahvenanmaan maakunta', 'AX', 5),
    ('Azerbaijan', 'AZ', 0),
    ('Azərbaycan', 'AZ', 2),
    ('Azerbaycan', 'AZ', 3),
    ('Republic of Azerbaijan', 'AZ', 4),
    ('Azerbaïdjan', 'AZ', 5),
    ('Aserbaidschan', 'AZ', 6),
    ('Azerbaiyán', 'AZ', 7),
    ('Azerbaigian', 'AZ', 8),
    ('Bosnia and Herzegovina', 'BA', 0),
    ('BiH', 'BA', 2),
    ('Bosnia & Herzegovina', 'BA', 3),
    ('Bosnia-Herzegovina', 'BA', 4),
    ('Bosnia Herzegovina', 'BA', 5),
    ('Bosnia', 'BA', 6),
    ('Bosna i Hercegovina', 'BA', 7),
    ('Bosna', 'BA', 8),
    ('Босна и Херцеговина', 'BA', 9),
    ('Босна', 'BA', 10),
    ('Bosnie-Herzégovine', 'BA', 11),
    ('Bosnien und Herzegowina', 'BA', 12),
    ('Bosnien-Herzegowina', 'BA', 13),
    ('Bosnia ed Erzegovina', 'BA', 14),
    ('Bosnia y Herzegovina', 'BA', 15),
    ('Bangladesh', 'BD', 0),
    ('Belgium', 'BE', 0),
    ('België', 'BE', 2),
    ('Belgique', 'BE', 3),
    ('Belgien', 'BE', 4),
    ('Belgio', 'BE', 5),
    ('Bélgica', 'BE', 6),
    ('Kingdom of Belgium', 'BE', 7),
    ('Royaume de Belgique', 'BE', 8),
    ('Koninkrijk België', 'BE', 9),
    ('Belgia', 'BE', 10),
    ('Belgie', 'BE', 11),
    ('Belgija', 'BE', 12),
    ('Βέλγιο', 'BE', 13),
    ('Bulgaria', 'BG', 0),
    ('България', 'BG', 2),
    ('Balgariya', 'BG', 3),
    ('Bălgarija', 'BG', 4),
    ('Republic of Bulgaria', 'BG', 5),
    ('Bulgarie', 'BG', 6),
    ('Bulgarien', 'BG', 7),
    ('Bulharsko', 'BG', 8),
    ('Bugarska', 'BG', 9),
    ('Bolgarija', 'BG', 10),
    ('Bulgarije', 'BG', 11),
    ('Βουλγαρία', 'BG', 12),
    ('Brazil', 'BR', 0),
    ('Brasil', 'BR', 2),
    ('Brasile', 'BR', 3),
    ('Brésil', 'BR', 4),
    ('Brasilien', 'BR', 5),
    ('Belarus', 'BY', 0),
    ('Беларусь', 'BY', 2),
    ('Белоруссия', 'BY', 3),
    ('Bielarus', 'BY', 4),
    ('Byelorussia', 'BY', 5),
    ('Belorussia', 'BY', 6),
    ('Republic of Belarus', 'BY', 7),
    ('Bielorussia', 'BY', 8),
    ('Bielorrusia', 'BY', 9),
    ('Biélorussie', 'BY', 10),
    ('Weißrussland', 'BY', 11),
    ('Białoruś', 'BY', 12),
    ('Canada', 'CA', 0),
    ('Kanada', 'CA', 2),
    ('Canadá', 'CA', 3),
    ('Switzerland', 'CH', 0),
    ('Schweiz', 'CH', 2),
    ('Suisse', 'CH', 3),
    ('Svizzera', 'CH', 4),
    ('Svizra', 'CH', 5),
    ('Suiza', 'CH', 6),
    ('Suíça', 'CH', 7),
    ('Helvetia', 'CH', 8),
    ('Confoederatio Helvetica', 'CH', 9),
    ('Swiss Confederation', 'CH', 10),
    ('Schweizerische Eidgenossenschaft', 'CH', 11),
    ('Confédération suisse', 'CH', 12),
    ('Confederazione Svizzera', 'CH', 13),
    ('Zwitserland', 'CH', 14),
    ('Szwajcaria', 'CH', 15),
    ('Švýcarsko', 'CH', 16),
    ('Švicarska', 'CH', 17),
    ('Svájc', 'CH', 18),
    ('Ελβετία', 'CH', 19),
    ('Côte d''Ivoire', 'CI', 0),
    ('Ivory Coast', 'CI', 2),
    ('Costa d''Avorio', 'CI', 3),
    ('Costa de Marfil', 'CI', 4),
    ('Elfenbeinküste', 'CI', 5),
    ('Chile', 'CL', 0),
    ('Cile', 'CL', 2),
    ('Chili', 'CL', 3),
    ('Cameroon', 'CM', 0),
    ('Cameroun', 'CM', 2),
    ('Kamerun', 'CM', 3),
    ('Camerún', 'CM', 4),
    ('China', 'CN', 0),
    ('People''s Republic of China', 'CN', 2),
    ('中国', 'CN', 4),
    ('中國', 'CN', 5),
    ('Zhongguo', 'CN', 6),
    ('Cina', 'CN', 7),
    ('Chine', 'CN', 8),
    ('Colombia', 'CO', 0),
    ('Colombie', 'CO', 2),
    ('Kolumbien', 'CO', 3),
    ('Cyprus', 'CY', 0),
    ('Κύπρος', 'CY', 2),
    ('Kypros', 'CY', 3),
    ('Kıbrıs', 'CY', 4),
    ('Republic of Cyprus', 'CY', 5),
    ('Chypre', 'CY', 6),
    ('Cipro', 'CY', 7),
    ('Chipre', 'CY', 8),
    ('Zypern', 'CY', 9),
    ('Cypern', 'CY', 10),
    ('Cypr', 'CY', 11),
    ('Kypr', 'CY', 12),
    ('Ciprus', 'CY', 13),
    ('Czechia', 'CZ', 0),
    ('Czech Republic', 'CZ', 2),
    ('Czech Rep.', 'CZ', 3),
    ('Czech', 'CZ', 4),
    ('Česko', 'CZ', 5),
    ('Česká republika', 'CZ', 6),
    ('Repubblica Ceca', 'CZ', 7),
    ('Cechia', 'CZ', 8),
    ('República Checa', 'CZ', 9),
    ('Chequia', 'CZ', 10),
    ('Tschechien', 'CZ', 11),
    ('Tschechische Republik', 'CZ', 12),
    ('Tchéquie', 'CZ', 13),
    ('République tchèque', 'CZ', 14),
    ('Tsjechië', 'CZ', 15),
    ('Czechy', 'CZ', 16),
    ('Češka', 'CZ', 17),
    ('Csehország', 'CZ', 18),
    ('Τσεχία', 'CZ', 19),
    ('Germany', 'DE', 0),
    ('Deutschland', 'DE', 2),
    ('Bundesrepublik Deutschland', 'DE', 3),
    ('Federal Republic of Germany', 'DE', 4),
    ('Allemagne', 'DE', 5),
    ('Alemania', 'DE', 6),
    ('Germania', 'DE', 7),
    ('Alemanha', 'DE', 8),
    ('Duitsland', 'DE', 9),
    ('Niemcy', 'DE', 10),
    ('Německo', 'DE', 11),
    ('Nemecko', 'DE', 12),
    ('Njemačka', 'DE', 13),
    ('Nemčija', 'DE', 14),
    ('Németország', 'DE', 15),
    ('Tyskland', 'DE', 16),
    ('Saksa', 'DE', 17),
    ('Saksamaa', 'DE', 18),
    ('Vācija', 'DE', 19),
    ('Vokietija', 'DE', 20),
    ('Γερμανία', 'DE', 21),
    ('Denmark', 'DK', 0),
    ('Danmark', 'DK', 2),
    ('Kingdom of Denmark', 'DK', 3),
    ('Danimarca', 'DK', 4),
    ('Dinamarca', 'DK', 5),
    ('Dänemark', 'DK', 6),
    ('Danemark', 'DK', 7),
    ('Denemarken', 'DK', 8),
    ('Dania', 'DK', 9),
    ('Dánsko', 'DK', 10),
    ('Dánia', 'DK', 11),
    ('Δανία', 'DK', 12),
    ('Algeria', 'DZ', 0),
    ('Algérie', 'DZ', 2),
    ('Algerien', 'DZ', 3),
    ('Argelia', 'DZ', 4),
    ('Estonia', 'EE', 0),
    ('Eesti', 'EE', 2),
    ('Republic of Estonia', 'EE', 3),
    ('Estland', 'EE', 4),
    ('Estonie', 'EE', 5),
    ('Estonsko', 'EE', 6),
    ('Észtország', 'EE', 7),
    ('Εσθονία', 'EE', 8),
    ('Egypt', 'EG', 0),
    ('Misr', 'EG', 2),
    ('مصر', 'EG', 3),
    ('Égypte', 'EG', 4),
    ('Egitto', 'EG', 5),
    ('Egipto', 'EG', 6),
    ('Ägypten', 'EG', 7),
    ('Spain', 'ES', 0),
    ('España', 'ES', 2),
    ('Espanya', 'ES', 3),
    ('Espainia', 'ES', 4),
    ('Kingdom of Spain', 'ES', 5),
    ('Reino de España', 'ES', 6),
    ('Spagna', 'ES', 7),
    ('Espagne', 'ES', 8),
    ('Spanien', 'ES', 9),
    ('Espanha', 'ES', 10),
    ('Spanje', 'ES', 11),
    ('Hiszpania', 'ES', 12),
    ('Španělsko', 'ES', 13),
    ('Španielsko', 'ES', 14),
    ('Španija', 'ES', 15),
    ('Španjolska', 'ES', 16),
    ('Spanyolország', 'ES', 17),
    ('Ισπανία', 'ES', 18),
    ('Ethiopia', 'ET', 0),
    ('Éthiopie', 'ET', 2),
    ('Äthiopien', 'ET', 3),
    ('Etiopia', 'ET', 4),
    ('Etiopía', 'ET', 5),
    ('Finland', 'FI', 0),
    ('Suomi', 'FI', 2),
    ('Republic of Finland', 'FI', 3),
    ('Finlandia', 'FI', 4),
    ('Finnland', 'FI', 5),
    ('Finlande', 'FI', 6),
    ('Finsko', 'FI', 7),
    ('Finska', 'FI', 8),
    ('Finnország', 'FI', 9),
    ('Φινλανδία', 'FI', 10),
    ('Faroe Islands', 'FO', 0),
    ('Faroes', 'FO', 2),
    ('Faeroe Islands', 'FO', 3),
    ('Faeroes', 'FO', 4),
    ('Føroyar', 'FO', 5),
    ('Færøerne', 'FO', 6),
    ('Färöer', 'FO', 7),
    ('Îles Féroé', 'FO', 8),
    ('Isole Fær Øer', 'FO', 9),
    ('Islas Feroe', 'FO', 10),
    ('France', 'FR', 0),
    ('French Republic', 'FR', 2),
    ('République française', 'FR', 3),
    ('Francia', 'FR', 4),
    ('Frankreich', 'FR', 5),
    ('Frankrijk', 'FR', 6),
    ('Francja', 'FR', 7),
    ('Francie', 'FR', 8),
    ('Francúzsko', 'FR', 9),
    ('Francuska', 'FR', 10),
    ('Francija', 'FR', 11),
    ('Franciaország', 'FR', 12),
    ('Franța', 'FR', 13),
    ('Frankrike', 'FR', 14),
    ('Ranska', 'FR', 15),
    ('Prantsusmaa', 'FR', 16),
    ('Γαλλία', 'FR', 17),
    ('United Kingdom', 'GB', 0),
    ('U.K.', 'GB', 2),
    ('United Kingdom of Great Britain and Northern Ireland', 'GB', 3),
    ('Great Britain', 'GB', 4),
    ('Britain', 'GB', 5),
    ('England', 'GB', 6),
    ('Scotland', 'GB', 7),
    ('Wales', 'GB', 8),
    ('Northern Ireland', 'GB', 9),
    ('Cymru', 'GB', 10),
    ('Royaume-Uni', 'GB', 11),
    ('Regno Unito', 'GB', 12),
    ('Reino Unido', 'GB', 13),
    ('Vereinigtes Königreich', 'GB', 14),
    ('Verenigd Koninkrijk', 'GB', 15),
    ('Großbritannien', 'GB', 16),
    ('Gran Bretagna', 'GB', 17),
    ('Gran Bretaña', 'GB', 18),
    ('Grande-Bretagne', 'GB', 19),
    ('Inghilterra', 'GB', 20),
    ('Inglaterra', 'GB', 21),
    ('Angleterre', 'GB', 22),
    ('Scozia', 'GB', 23),
    ('Escocia', 'GB', 24),
    ('Écosse', 'GB', 25),
    ('Schottland', 'GB', 26),
    ('Galles', 'GB', 27),
    ('Gales', 'GB', 28),
    ('Pays de Galles', 'GB', 29),
    ('Irlanda del Nord', 'GB', 30),
    ('Irlanda del Norte', 'GB', 31),
    ('Irlande du Nord', 'GB', 32),
    ('Nordirland', 'GB', 33),
    ('Wielka Brytania', 'GB', 34),
    ('Spojené království', 'GB', 35),
    ('Egyesült Királyság', 'GB', 36),
    ('Regatul Unit', 'GB', 37),
    ('Ηνωμένο Βασίλειο', 'GB', 38),
    ('Georgia', 'GE', 0),
    ('საქართველო', 'GE', 2),
    ('Sakartvelo', 'GE', 3),
    ('Géorgie', 'GE', 4),
    ('Georgien', 'GE', 5),
    ('Guernsey', 'GG', 0),
    ('Bailiwick of Guernsey', 'GG', 2),
    ('Ghana', 'GH', 0),
    ('Republic of Ghana', 'GH', 2),
    ('Gibraltar', 'GI', 0),
    ('Greenland', 'GL', 0),
    ('Kalaallit Nunaat', 'GL', 2),
    ('Grønland', 'GL', 3),
    ('Groenland', 'GL', 4),
    ('Grönland', 'GL', 5),
    ('Greece', 'GR', 0),
    ('Ελλάδα', 'GR', 2),
    ('Ελλάς', 'GR', 3),
    ('Hellas', 'GR', 4),
    ('Ellada', 'GR', 5),
    ('Ellas', 'GR', 6),
    ('Hellenic Republic', 'GR', 7),
    ('Ελληνική Δημοκρατία', 'GR', 8),
    ('Grecia', 'GR', 9),
    ('Grèce', 'GR', 10),
    ('Griechenland', 'GR', 11),
    ('Griekenland', 'GR', 12),
    ('Grecja', 'GR', 13),
    ('Řecko', 'GR', 14),
    ('Grécko', 'GR', 15),
    ('Grčka', 'GR', 16),
    ('Grčija', 'GR', 17),
    ('Görögország', 'GR', 18),
    ('Grécia', 'GR', 19),
    ('Kreikka', 'GR', 20),
    ('Kreeka', 'GR', 21),
    ('Hong Kong', 'HK', 0),
    ('香港', 'HK', 2),
    ('Croatia', 'HR', 0),
    ('Hrvatska', 'HR', 2),
    ('Republika Hrvatska', 'HR', 3),
    ('Republic of Croatia', 'HR', 4),
    ('Croazia', 'HR', 5),
    ('Croacia', 'HR', 6),
    ('Kroatien', 'HR', 7),
    ('Croatie', 'HR', 8),
    ('Kroatië', 'HR', 9),
    ('Chorwacja', 'HR', 10),
    ('Chorvatsko', 'HR', 11),
    ('Hrvaška', 'HR', 12),
    ('Horvátország', 'HR', 13),
    ('Croația', 'HR', 14),
    ('Κροατία', 'HR', 15),
    ('Hungary', 'HU', 0),
    ('Magyarország', 'HU', 2),
    ('Ungheria', 'HU', 3),
    ('Hungría', 'HU', 4),
    ('Ungarn', 'HU', 5),
    ('Hongrie', 'HU', 6),
    ('Hongarije', 'HU', 7),
    ('Węgry', 'HU', 8),
    ('Maďarsko', 'HU', 9),
    ('Madžarska', 'HU', 10),
    ('Mađarska', 'HU', 11),
    ('Ungaria', 'HU', 12),
    ('Unkari', 'HU', 13),
    ('Ουγγαρία', 'HU', 14),
    ('Indonesia', 'ID', 0),
    ('Indonésie', 'ID', 2),
    ('Indonesien', 'ID', 3),
    ('Ireland', 'IE', 0),
    ('Éire', 'IE', 2),
    ('Republic of Ireland', 'IE', 3),
    ('Irish Republic', 'IE', 4),
    ('Poblacht na hÉireann', 'IE', 5),
    ('Irlanda', 'IE', 6),
    ('Irlande', 'IE', 7),
    ('Irland', 'IE', 8),
    ('Ierland', 'IE', 9),
    ('Irlandia', 'IE', 10),
    ('Irsko', 'IE', 11),
    ('Irska', 'IE', 12),
    ('Írország', 'IE', 13),
    ('Ιρλανδία', 'IE', 14),
    ('Israel', 'IL', 0),
    ('State of Israel', 'IL', 2),
    ('ישראל', 'IL', 3),
    ('Israël', 'IL', 4),
    ('Israele', 'IL', 5),
    ('Isle of Man', 'IM', 0),
    ('Ellan Vannin', 'IM', 2),
    ('Île de Man', 'IM', 3),
    ('Isola di Man', 'IM', 4),
    ('Isla de Man', 'IM', 5),
    ('Insel Man', 'IM', 6),
    ('India', 'IN', 0),
    ('Bharat', 'IN', 2),
    ('भारत', 'IN', 3),
    ('Inde', 'IN', 4),
    ('Indien', 'IN', 5),
    ('Iraq', 'IQ', 0),
    ('Irak', 'IQ', 2),
    ('Iran', 'IR', 0),
    ('Islamic Republic of Iran', 'IR', 2),
    ('Persia', 'IR', 3),
    ('Iceland', 'IS', 0),
    ('Ísland', 'IS', 2),
    ('Islanda', 'IS', 3),
    ('Islandia', 'IS', 4),
    ('Islande', 'IS', 5),
    ('IJsland', 'IS', 6),
    ('Island', 'IS', 7),
    ('Islanti', 'IS', 8),
    ('Izland', 'IS', 9),
    ('Ισλανδία', 'IS', 10),
    ('Italy', 'IT', 0),
    ('Italia', 'IT', 2),
    ('Italian Republic', 'IT', 3),
    ('Repubblica Italiana', 'IT', 4),
    ('Italie', 'IT', 5),
    ('Italien', 'IT', 6),
    ('Italië', 'IT', 7),
    ('Włochy', 'IT', 8),
    ('Itálie', 'IT', 9),
    ('Taliansko', 'IT', 10),
    ('Italija', 'IT', 11),
    ('Olaszország', 'IT', 12),
    ('Ιταλία', 'IT', 13),
    ('Jersey', 'JE', 0),
    ('Bailiwick of Jersey', 'JE', 2),
    ('Jordan', 'JO', 0),
    ('Jordanie', 'JO', 2),
    ('Jordanien', 'JO', 3),
    ('Giordania', 'JO', 4),
    ('Jordania', 'JO', 5),
    ('Japan', 'JP', 0),
    ('Nippon', 'JP', 2),
    ('Nihon', 'JP', 3),
    ('日本', 'JP', 4),
    ('Japon', 'JP', 5),
    ('Japón', 'JP', 6),
    ('Giappone', 'JP', 7),
    ('Japão', 'JP', 8),
    ('Kenya', 'KE', 0),
    ('Kenia', 'KE', 2),
    ('Republic of Kenya', 'KE', 3),
    ('South Korea', 'KR', 0),
    ('Korea', 'KR', 2),
    ('Republic of Korea', 'KR', 3),
    ('Korea, Republic of', 'KR', 4),
    ('대한민국', 'KR', 5),
    ('한국', 'KR', 6),
    ('Corea del Sud', 'KR', 7),
    ('Corea del Sur', 'KR', 8),
    ('Corée du Sud', 'KR', 9),
    ('Südkorea', 'KR', 10),
    ('Kazakhstan', 'KZ', 0),
    ('Қазақстан', 'KZ', 2),
    ('Казахстан', 'KZ', 3),
    ('Qazaqstan', 'KZ', 4),
    ('Kazakstan', 'KZ', 5),
    ('Kasachstan', 'KZ', 6),
    ('Lebanon', 'LB', 0),
    ('Liban', 'LB', 2),
    ('Libanon', 'LB', 3),
    ('Líbano', 'LB', 4),
    ('Liechtenstein', 'LI', 0),
    ('Principality of Liechtenstein', 'LI', 2),
    ('Fürstentum Liechtenstein', 'LI', 3),
    ('Sri Lanka', 'LK', 0),
    ('Ceylon', 'LK', 2),
    ('Lithuania', 'LT', 0),
    ('Lietuva', 'LT', 2),
    ('Republic of Lithuania', 'LT', 3),
    ('Lietuvos Respublika', 'LT', 4),
    ('Lituania', 'LT', 5),
    ('Litauen', 'LT', 6),
    ('Lituanie', 'LT', 7),
    ('Litouwen', 'LT', 8),
    ('Litwa', 'LT', 9),
    ('Litva', 'LT', 10),
    ('Litvánia', 'LT', 11),
    ('Λιθουανία', 'LT', 12),
    ('Luxembourg', 'LU', 0),
    ('Lëtzebuerg', 'LU', 2),
    ('Luxemburg', 'LU', 3),
    ('Grand Duchy of Luxembourg', 'LU', 4),
    ('Grand-Duché de Luxembourg', 'LU', 5),
    ('Großherzogtum Luxemburg', 'LU', 6),
    ('Lussemburgo', 'LU', 7),
    ('Luxemburgo', 'LU', 8),
    ('Lucembursko', 'LU', 9),
    ('Luksemburg', 'LU', 10),
    ('Λουξεμβούργο', 'LU', 11),
    ('Latvia', 'LV', 0),
    ('Latvija', 'LV', 2),
    ('Republic of Latvia', 'LV', 3),
    ('Latvijas Republika', 'LV', 4),
    ('Lettonia', 'LV', 5),
    ('Letonia', 'LV', 6),
    ('Lettland', 'LV', 7),
    ('Lettonie', 'LV', 8),
    ('Letland', 'LV', 9),
    ('Łotwa', 'LV', 10),
    ('Lotyšsko', 'LV', 11),
    ('Lettország', 'LV', 12),
    ('Λετονία', 'LV', 13),
    ('Libya', 'LY', 0),
    ('Libia', 'LY', 2),
    ('Libye', 'LY', 3),
    ('Libyen', 'LY', 4),
    ('Morocco', 'MA', 0),
    ('Kingdom of Morocco', 'MA', 2),
    ('Al-Maghrib', 'MA', 3),
    ('المغرب', 'MA', 4),
    ('Maroc', 'MA', 5),
    ('Marocco', 'MA', 6),
    ('Marruecos', 'MA', 7),
    ('Marokko', 'MA', 8),
    ('Monaco', 'MC', 0),
    ('Principality of Monaco', 'MC', 2),
    ('Principauté de Monaco', 'MC', 3),
    ('Mónaco', 'MC', 4),
    ('Monako', 'MC', 5),
    ('Moldova', 'MD', 0),
    ('Republic of Moldova', 'MD', 2),
    ('Moldova, Republic of', 'MD', 3),
    ('Republica Moldova', 'MD', 4),
    ('Молдова', 'MD', 5),
    ('Moldavia', 'MD', 6),
    ('Moldavie', 'MD', 7),
    ('Moldawien', 'MD', 8),
    ('Mołdawia', 'MD', 9),
    ('Montenegro', 'ME', 0),
    ('Crna Gora', 'ME', 2),
    ('Црна Гора', 'ME', 3),
    ('Monténégro', 'ME', 4),
    ('Czarnogóra', 'ME', 5),
    ('Černá Hora', 'ME', 6),
    ('North Macedonia', 'MK', 0),
    ('Северна Македонија', 'MK', 2),
    ('Severna Makedonija', 'MK', 3),
    ('Republic of North Macedonia', 'MK', 4),
    ('Macedonia', 'MK', 5),
    ('Makedonija', 'MK', 6),
    ('Македонија', 'MK', 7),
    ('FYROM', 'MK', 8),
    ('Former Yugoslav Republic of Macedonia', 'MK', 9),
    ('Macédoine du Nord', 'MK', 10),
    ('Nordmazedonien', 'MK', 11),
    ('Macedonia del Nord', 'MK', 12),
    ('Macedonia del Norte', 'MK', 13),
    ('Noord-Macedonië', 'MK', 14),
    ('Macedonia Północna', 'MK', 15),
    ('Severní Makedonie', 'MK', 16),
    ('Malta', 'MT', 0),
    ('Republic of Malta', 'MT', 2),
    ('Repubblika ta'' Malta', 'MT', 3),
    ('Malte', 'MT', 4),
    ('Μάλτα', 'MT', 5),
    ('Mexico', 'MX', 0),
    ('United Mexican States', 'MX', 2),
    ('Estados Unidos Mexicanos', 'MX', 3),
    ('México', 'MX', 4),
    ('Méjico', 'MX', 5),
    ('Messico', 'MX', 6),
    ('Mexique', 'MX', 7),
    ('Mexiko', 'MX', 8),
    ('Malaysia', 'MY', 0),
    ('Malaisie', 'MY', 2),
    ('Malesia', 'MY', 3),
    ('Nigeria', 'NG', 0),
    ('Federal Republic of Nigeria', 'NG', 2),
    ('Nigéria', 'NG', 3),
    ('Netherlands', 'NL', 0),
    ('The Netherlands', 'NL', 2),
    ('Nederland', 'NL', 3),
    ('Holland', 'NL', 4),
    ('Nederlân', 'NL', 5),
    ('Kingdom of the Netherlands', 'NL', 6),
    ('Koninkrijk der Nederlanden', 'NL', 7),
    ('Paesi Bassi', 'NL', 8),
    ('Países Bajos', 'NL', 9),
    ('Pays-Bas', 'NL', 10),
    ('Niederlande', 'NL', 11),
    ('Olanda', 'NL', 12),
    ('Holanda', 'NL', 13),
    ('Hollande', 'NL', 14),
    ('Holandia', 'NL', 15),
    ('Nizozemsko', 'NL', 16),
    ('Nizozemska', 'NL', 17),
    ('Hollandia', 'NL', 18),
    ('Țările de Jos', 'NL', 19),
    ('Alankomaat', 'NL', 20),
    ('Ολλανδία', 'NL', 21),
    ('Norway', 'NO', 0),
    ('Norge', 'NO', 2),
    ('Noreg', 'NO', 3),
    ('Kingdom of Norway', 'NO', 4),
    ('Norvegia', 'NO', 5),
    ('Noruega', 'NO', 6),
    ('Norwegen', 'NO', 7),
    ('Norvège', 'NO', 8),
    ('Noorwegen', 'NO', 9),
    ('Norwegia', 'NO', 10),
    ('Norsko', 'NO', 11),
    ('Norveška', 'NO', 12),
    ('Norvégia', 'NO', 13),
    ('Νορβηγία', 'NO', 14),
    ('New Zealand', 'NZ', 0),
    ('Aotearoa', 'NZ', 2),
    ('Nuova Zelanda', 'NZ', 3),
    ('Nueva Zelanda', 'NZ', 4),
    ('Nouvelle-Zélande', 'NZ', 5),
    ('Neuseeland', 'NZ', 6),
    ('Oman', 'OM', 0),
    ('Sultanate of Oman', 'OM', 2),
    ('عمان', 'OM', 3),
    ('Peru', 'PE', 0),
    ('Perú', 'PE', 2),
    ('Pérou', 'PE', 3),
    ('Philippines', 'PH', 0),
    ('Filipinas', 'PH', 2),
    ('Filippine', 'PH', 3),
    ('Philippinen', 'PH', 4),
    ('Pakistan', 'PK', 0),
    ('Poland', 'PL', 0),
    ('Polska', 'PL', 2),
    ('Republic of Poland', 'PL', 3),
    ('Rzeczpospolita Polska', 'PL', 4),
    ('Polonia', 'PL', 5),
    ('Polen', 'PL', 6),
    ('Pologne', 'PL', 7),
    ('Polsko', 'PL', 8),
    ('Poljska', 'PL', 9),
    ('Lengyelország', 'PL', 10),
    ('Πολωνία', 'PL', 11),
    ('Palestine', 'PS', 0),
    ('State of Palestine', 'PS', 2),
    ('Palestina', 'PS', 3),
    ('Palästina', 'PS', 4),
    ('Portugal', 'PT', 0),
    ('Portuguese Republic', 'PT', 2),
    ('República Portuguesa', 'PT', 3),
    ('Portogallo', 'PT', 4),
    ('Portugalsko', 'PT', 5),
    ('Portugalia', 'PT', 6),
    ('Portugalska', 'PT', 7),
    ('Portugália', 'PT', 8),
    ('Πορτογαλία', 'PT', 9),
    ('Qatar', 'QA', 0),
    ('Katar', 'QA', 2),
    ('Romania', 'RO', 0),
    ('România', 'RO', 2),
    ('Roumanie', 'RO', 3),
    ('Rumänien', 'RO', 4),
    ('Rumania', 'RO', 5),
    ('Rumanía', 'RO', 6),
    ('Roemenië', 'RO', 7),
    ('Rumunia', 'RO', 8),
    ('Rumunsko', 'RO', 9),
    ('Rumunjska', 'RO', 10),
    ('Romunija', 'RO', 11),
    ('Románia', 'RO', 12),
    ('Ρουμανία', 'RO', 13),
    ('Serbia', 'RS', 0),
    ('Србија', 'RS', 2),
    ('Srbija', 'RS', 3),
    ('Republic of Serbia', 'RS', 4),
    ('Serbie', 'RS', 5),
    ('Serbien', 'RS', 6),
    ('Servië', 'RS', 7),
    ('Srbsko', 'RS', 8),
    ('Szerbia', 'RS', 9),
    ('Σερβία', 'RS', 10),
    ('Russia', 'RU', 0),
    ('Russian Federation', 'RU', 2),
    ('Россия', 'RU', 3),
    ('Российская Федерация', 'RU', 4),
    ('Rossiya', 'RU', 5),
    ('Rossija', 'RU', 6),
    ('Russie', 'RU', 7),
    ('Russland', 'RU', 8),
    ('Rusia', 'RU', 9),
    ('Rusland', 'RU', 10),
    ('Rosja', 'RU', 11),
    ('Rusko', 'RU', 12),
    ('Rusija', 'RU', 13),
    ('Oroszország', 'RU', 14),
    ('Ρωσία', 'RU', 15),
    ('Rwanda', 'RW', 0),
    ('Ruanda', 'RW', 2),
    ('Saudi Arabia', 'SA', 0),
    ('Kingdom of Saudi Arabia', 'SA', 3),
    ('Arabia Saudita', 'SA', 4),
    ('Arabia Saudí', 'SA', 5),
    ('Arabie saoudite', 'SA', 6),
    ('Saudi-Arabien', 'SA', 7),
    ('Sweden', 'SE', 0),
    ('Sverige', 'SE', 2),
    ('Kingdom of Sweden', 'SE', 3),
    ('Svezia', 'SE', 4),
    ('Suecia', 'SE', 5),
    ('Schweden', 'SE', 6),
    ('Suède', 'SE', 7),
    ('Zweden', 'SE', 8),
    ('Szwecja', 'SE', 9),
    ('Švédsko', 'SE', 10),
    ('Švedska', 'SE', 11),
    ('Svédország', 'SE', 12),
    ('Suedia', 'SE', 13),
    ('Ruotsi', 'SE', 14),
    ('Rootsi', 'SE', 15),
    ('Σουηδία', 'SE', 16),
    ('Singapore', 'SG', 0),
    ('Singapur', 'SG', 2),
    ('Singapour', 'SG', 3),
    ('Slovenia', 'SI', 0),
    ('Slovenija', 'SI', 2),
    ('Republika Slovenija', 'SI', 3),
    ('Republic of Slovenia', 'SI', 4),
    ('Eslovenia', 'SI', 5),
    ('Slowenien', 'SI', 6),
    ('Slovénie', 'SI', 7),
    ('Słowenia', 'SI', 8),
    ('Szlovénia', 'SI', 9),
    ('Σλοβενία', 'SI', 10),
    ('Svalbard and Jan Mayen', 'SJ', 0),
    ('Svalbard', 'SJ', 2),
    ('Jan Mayen', 'SJ', 3),
    ('Slovakia', 'SK', 0),
    ('Slovensko', 'SK', 2),
    ('Slovak Republic', 'SK', 3),
    ('Slovenská republika', 'SK', 4),
    ('Slovacchia', 'SK', 5),
    ('Eslovaquia', 'SK', 6),
    ('Slowakei', 'SK', 7),
    ('Slovaquie', 'SK', 8),
    ('Slowakije', 'SK', 9),
    ('Słowacja', 'SK', 10),
    ('Slovačka', 'SK', 11),
    ('Slovaška', 'SK', 12),
    ('Szlovákia', 'SK', 13),
    ('Slovacia', 'SK', 14),
    ('Σλοβακία', 'SK', 15),
    ('San Marino', 'SM', 0),
    ('Republic of San Marino', 'SM', 2),
    ('Repubblica di San Marino', 'SM', 3),
    ('Saint-Marin', 'SM', 4),
    ('Senegal', 'SN', 0),
    ('Sénégal', 'SN', 2),
    ('Thailand', 'TH', 0),
    ('Thaïlande', 'TH', 2),
    ('Tailandia', 'TH', 3),
    ('Thailandia', 'TH', 4),
    ('Tunisia', 'TN', 0),
    ('Tunisie', 'TN', 2),
    ('Tunesien', 'TN', 3),
    ('Túnez', 'TN', 4),
    ('Turkey', 'TR', 0),
    ('Türkiye', 'TR', 2),
    ('Republic of Türkiye', 'TR', 3),
    ('Republic of Turkey', 'TR', 4),
    ('Turchia', 'TR', 5),
    ('Turquía', 'TR', 6),
    ('Türkei', 'TR', 7),
    ('Turquie', 'TR', 8),
    ('Turkije', 'TR', 9),
    ('Turcja', 'TR', 10),
    ('Turecko', 'TR', 11),
    ('Turska', 'TR', 12),
    ('Törökország', 'TR', 13),
    ('Turcia', 'TR', 14),
    ('Τουρκία', 'TR', 15),
    ('Taiwan', 'TW', 0),
    ('Republic of China', 'TW', 2),
    ('臺灣', 'TW', 3),
    ('台灣', 'TW', 4),
    ('Taïwan', 'TW', 5),
    ('Tanzania', 'TZ', 0),
    ('United Republic of Tanzania', 'TZ', 2),
    ('Tanzanie', 'TZ', 3),
    ('Tansania', 'TZ', 4),
    ('Ukraine', 'UA', 0),
    ('Україна', 'UA', 2),
    ('Ukraina', 'UA', 3),
    ('Ukrayina', 'UA', 4),
    ('Ucraina', 'UA', 5),
    ('Ucrania', 'UA', 6),
    ('Oekraïne', 'UA', 7),
    ('Ukrajina', 'UA', 8),
    ('Ukrajna', 'UA', 9),
    ('Ουκρανία', 'UA', 10),
    ('Uganda', 'UG', 0),
    ('Republic of Uganda', 'UG', 2),
    ('Ouganda', 'UG', 3),
    ('United States', 'US', 0),
    ('United States of America', 'US', 2),
    ('U.S.A.', 'US', 3),
    ('U.S.', 'US', 4),
    ('America', 'US', 5),
    ('Estados Unidos', 'US', 6),
    ('Stati Uniti', 'US', 7),
    ('États-Unis', 'US', 8),
    ('Vereinigte Staaten', 'US', 9),
    ('Verenigde Staten', 'US', 10),
    ('Stany Zjednoczone', 'US', 11),
    ('Vatican City', 'VA', 0),
    ('Vatican', 'VA', 2),
    ('Vatican City State', 'VA', 3),
    ('Holy See', 'VA', 4),
    ('Città del Vaticano', 'VA', 5),
    ('Stato della Città del Vaticano', 'VA', 6),
    ('Vaticano', 'VA', 7),
    ('Ciudad del Vaticano', 'VA', 8),
    ('Cité du Vatican', 'VA', 9),
    ('Vatikan', 'VA', 10),
    ('Vatikanstadt', 'VA', 11),
    ('Status Civitatis Vaticanae', 'VA', 12),
    ('Vietnam', 'VN', 0),
    ('Viet Nam', 'VN', 2),
    ('Kosovo', 'XK', 0),
    ('Kosova', 'XK', 2),
    ('Kosovë', 'XK', 3),
    ('Косово', 'XK', 4),
    ('Republic of Kosovo', 'XK', 5),
    ('Republika e Kosovës', 'XK', 6),
    ('Kosowo', 'XK', 7),
    ('South Africa', 'ZA', 0),
    ('Republic of South Africa', 'ZA', 3),
    ('Sudáfrica', 'ZA', 4),
    ('Sudafrica', 'ZA', 5),
    ('Afrique du Sud', 'ZA', 6),
    ('Südafrika', 'ZA', 7),
    ('Zuid-Afrika', 'ZA', 8),
    ('Suid-Afrika', 'ZA', 9),
    ('UK', 'GB', 99);

CREATE OR REPLACE FUNCTION atlas_actor_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    names text := atlas_normalise(concat_ws(' ', NEW.name, array_to_string(NEW.alt_names, ' ')));
    latin_names text := atlas_latin(names);
    place text := atlas_search_text(concat_ws(' ', NEW.city, NEW.region, NEW.postcode));
    latin_place text := atlas_latin(place);
    name_words text;
    text_langs text[] := ARRAY(SELECT jsonb_object_keys(NEW.summary || NEW.description));
    name_doc tsvector;
    lang text;
    category_ids text[] := ARRAY(SELECT c.id FROM categories c
                                 WHERE c.id = ANY (NEW.categories)
                                    OR c.id IN (SELECT p.parent_id FROM categories p WHERE p.id = ANY (NEW.categories)));
BEGIN
    -- Names in Greek or Cyrillic letters are also kept in Latin letters, for typing them on
    -- a Latin keyboard (suggestions and similarity ranking read search_names too).
    IF latin_names <> names THEN
        names := names || ' ' || latin_names;
    END IF;
    IF latin_place <> place THEN
        place := place || ' ' || latin_place;
    END IF;
    name_words := atlas_search_text(names);
    name_doc := to_tsvector('simple', name_words) || to_tsvector('english', name_words);
    -- Names have no language of their own; stem them like the actor's texts.
    FOREACH lang IN ARRAY text_langs LOOP
        name_doc := name_doc || to_tsvector(atlas_ts_config(lang), name_words);
    END LOOP;
    NEW.search_names := names;
    NEW.search_doc :=
        setweight(name_doc, 'A')
        -- Each c:<id> with a position of its own (array_to_tsvector gives none): a lexeme
        -- without positions has no weight (ts_rank counts it as D, ts_filter drops it).
        || setweight(coalesce((SELECT string_agg(quote_literal('c:' || id) || ':' || n, ' ')
                               FROM unnest(category_ids) WITH ORDINALITY AS c (id, n))::tsvector, ''), 'B')
        || setweight(to_tsvector('simple', atlas_search_text(concat_ws(' ',
               nullif(replace(NEW.kind, '_', ' '), 'other'),
               array_to_string(NEW.tags, ' ')))), 'B')
        || setweight(to_tsvector('simple', place)
                     -- The country as cc:<code> (a query word naming it matches that).
                     || coalesce((quote_literal('cc:' || lower(NEW.country)) || ':1')::tsvector, ''), 'C')
        || setweight(atlas_lang_doc(NEW.summary) || atlas_lang_doc(NEW.description), 'D');
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION atlas_search_query(q text, OUT match_all tsquery, OUT match_any tsquery, OUT match_exact tsquery)
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    terms text[];
    term text;
    position integer := 0;
    cfg regconfig;
    is_stop_word boolean;
    form tsquery;
    seen text[];
    exact tsquery;
    typos tsquery;
    with_typos tsquery;
    corrected text;
    corrections text[];
    named_categories text[];
    max_typos integer;
    aliases text[];
    alias text;
    split text;
    spaced text;
    country_words text[];
    country_codes text[];
    countries text[];
    code text;
BEGIN
    terms := ARRAY(
        SELECT left(w, 40) FROM regexp_split_to_table(atlas_normalise(left(q, 1000)), '[^[:alnum:]]+')
            WITH ORDINALITY AS s (w, n)
        WHERE w <> '' ORDER BY n LIMIT 12);
    -- Countries the text names, in one word ("Österreich", "Greece") or several ("United
    -- Kingdom", "Bosnia and Herzegovina": their words in that order).
    spaced := ' ' || array_to_string(terms, ' ') || ' ';
    SELECT array_agg(n.words), array_agg(n.country) INTO country_words, country_codes
    FROM search_country_names n
    WHERE n.first_word = ANY (terms) AND position(' ' || n.words || ' ' IN spaced) > 0;
    FOREACH term IN ARRAY terms LOOP
        position := position + 1;
        is_stop_word := false;
        exact := to_tsquery('simple', term || CASE WHEN position = cardinality(terms) THEN ':*' ELSE '' END);
        seen := ARRAY[exact::text];
        FOREACH cfg IN ARRAY atlas_query_configs() LOOP
            form := plainto_tsquery(cfg, term);
            IF numnode(form) = 0 THEN
                is_stop_word := true;
                EXIT;
            END IF;
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        CONTINUE WHEN is_stop_word;
        -- A word of a country's name also means the actors in that country, and is meant as
        -- typed (no typo corrections, no split).
        countries := ARRAY(SELECT DISTINCT 'cc:' || lower(c.country)
                           FROM unnest(country_words, country_codes) AS c (words, country)
                           WHERE term = ANY (string_to_array(c.words, ' '))
                           ORDER BY 1);
        FOREACH code IN ARRAY countries LOOP
            exact := exact || quote_literal(code)::tsquery;
        END LOOP;
        -- A town named in another language or script also means the name its actors give
        -- ("vienna" or "Bécs": "wien"); such a word is taken as meant, not as a typo
        -- ("munich" is not "music").
        aliases := atlas_town_aliases(term);
        FOREACH alias IN ARRAY aliases LOOP
            form := to_tsquery('simple', alias);
            IF NOT form::text = ANY (seen) THEN
                exact := exact || form;
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- A word search does not know may be two it knows written as one ("zerowaste",
        -- "energiegenossenschaft"): it also means both, each as a word of its own (stemmed,
        -- and the categories it names). The parts are known words, so this recursion ends.
        split := CASE WHEN cardinality(aliases) = 0 AND cardinality(countries) = 0
                      THEN atlas_compound_split(term) END;
        IF split IS NOT NULL THEN
            exact := exact || (SELECT s.match_exact FROM atlas_search_query(split) s);
        END IF;
        -- A transposition counts as two edits, so six letters and more allow two. A word
        -- search knows is taken as meant: "wien" is not corrected to "when".
        max_typos := CASE WHEN cardinality(aliases) > 0 OR cardinality(countries) > 0 THEN 0
                          WHEN length(term) >= 6 THEN 2 WHEN length(term) >= 4 THEN 1 ELSE 0 END;
        corrections := atlas_typo_corrections(term, max_typos);
        typos := NULL;
        FOREACH corrected IN ARRAY corrections LOOP
            form := to_tsquery('simple', corrected);
            IF NOT form::text = ANY (seen) THEN
                typos := coalesce(typos || form, form);
                seen := seen || form::text;
            END IF;
        END LOOP;
        -- The closest correction is also stemmed in each language, as the word typed right
        -- would be: "sustainabilty" finds what "sustainability" finds (its stem "sustain"),
        -- not only the texts with that very word.
        IF cardinality(corrections) > 0 THEN
            FOREACH cfg IN ARRAY atlas_query_configs() LOOP
                form := plainto_tsquery(cfg, corrections[1]);
                IF numnode(form) > 0 AND NOT form::text = ANY (seen) THEN
                    typos := coalesce(typos || form, form);
                    seen := seen || form::text;
                END IF;
            END LOOP;
        END IF;
        -- Categories the word names: a label word in any language (stemmed as the label's
        -- language), or — from 7 letters, as short words hide inside too many others ("wien"
        -- in "upodmiotowienie") — a part of a label ("genossenschaft" in
        -- "Wohnungsgenossenschaften"), also through a correction of the word. Typo
        -- corrections that name a label word count as corrections.
        -- (The last word as a prefix names a category from 4 letters: in labels of fifteen
        -- languages, "uk" begins Croatian "uključivanje", inclusion.)
        named_categories := ARRAY(
            SELECT 'c:' || c.id FROM categories c
            WHERE c.search_doc @@ CASE WHEN length(term) >= 4 THEN exact
                                       ELSE replace(exact::text, quote_literal(term) || ':*',
                                                    quote_literal(term))::tsquery END
               OR (length(term) >= 7 AND EXISTS (
                       SELECT 1 FROM unnest(term || corrections) AS w
                       WHERE position(w IN c.search_labels) > 0))
            ORDER BY c.id);
        FOREACH corrected IN ARRAY named_categories LOOP
            exact := exact || quote_literal(corrected)::tsquery;
        END LOOP;
        IF typos IS NOT NULL THEN
            FOR corrected IN
                SELECT 'c:' || c.id FROM categories c
                WHERE c.search_doc @@ typos AND NOT ('c:' || c.id) = ANY (named_categories)
                ORDER BY c.id
            LOOP
                typos := typos || quote_literal(corrected)::tsquery;
            END LOOP;
        END IF;
        with_typos := CASE WHEN typos IS NULL THEN exact ELSE exact || typos END;
        -- NULL until the first word: a query of stop words or punctuation matches nothing.
        match_all := coalesce(match_all && with_typos, with_typos);
        match_any := coalesce(match_any || with_typos, with_typos);
        match_exact := coalesce(match_exact && exact, exact);
    END LOOP;
END;
$$;
COMMENT ON FUNCTION atlas_search_query(text) IS 'Turns what a user typed into tsqueries: every word as typed, as a prefix, stemmed in each language (each form once), as the categories it names, as the local names of a town it names (search_place_aliases), as the country it names (cc:<code>, search_country_names), as the two known words of an unknown compound, and typo-corrected against search_vocabulary and search_text_vocabulary (the closest correction also stemmed).';

-- Actors' documents, with only the triggers that follow them (as in migration 000220): the
-- search postings. Nothing a reader of the change feed, the exports or the map sees changes.
ALTER TABLE actors DISABLE TRIGGER USER;
ALTER TABLE actors ENABLE TRIGGER actors_search_columns;
ALTER TABLE actors ENABLE TRIGGER actors_search_postings_update;
UPDATE actors SET search_doc = search_doc WHERE country IS NOT NULL;
ALTER TABLE actors ENABLE TRIGGER USER;
