-- A text search dictionary changes its options; a configuration copied from
-- english appears, with a mapping to that dictionary; a template and a
-- parser of the server's functions appear.
-- a:
CREATE SCHEMA ts;
CREATE TEXT SEARCH DICTIONARY ts.plain (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
-- b:
CREATE SCHEMA ts;
CREATE TEXT SEARCH DICTIONARY ts.plain (
    TEMPLATE = pg_catalog.simple, STOPWORDS = english, ACCEPT = false
);
COMMENT ON TEXT SEARCH DICTIONARY ts.plain IS 'Stop words only.';
CREATE TEXT SEARCH CONFIGURATION ts.notes (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION ts.notes
    ALTER MAPPING FOR asciiword WITH ts.plain, english_stem;
ALTER TEXT SEARCH CONFIGURATION ts.notes DROP MAPPING FOR url;
COMMENT ON TEXT SEARCH CONFIGURATION ts.notes IS 'For notes.';
CREATE TEXT SEARCH TEMPLATE ts.simple_copy (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH PARSER ts.default_copy (
    START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
    LEXTYPES = prsd_lextype, HEADLINE = prsd_headline
);
