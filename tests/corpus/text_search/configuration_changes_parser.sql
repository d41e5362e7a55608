-- A configuration moves to another parser: made again, with its mappings.
-- a:
CREATE TEXT SEARCH PARSER public.words (
    START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype
);
CREATE TEXT SEARCH CONFIGURATION public.notes (PARSER = pg_catalog."default");
ALTER TEXT SEARCH CONFIGURATION public.notes ADD MAPPING FOR asciiword WITH simple;
-- b:
CREATE TEXT SEARCH PARSER public.words (
    START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype
);
CREATE TEXT SEARCH CONFIGURATION public.notes (PARSER = public.words);
ALTER TEXT SEARCH CONFIGURATION public.notes ADD MAPPING FOR asciiword, word WITH simple;
COMMENT ON TEXT SEARCH CONFIGURATION public.notes IS 'Own parser.';
