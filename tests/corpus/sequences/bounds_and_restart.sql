-- Bounds rise above the old start, fall below it, and the sequence cycles:
-- START, MINVALUE, MAXVALUE and RESTART go in one ALTER SEQUENCE that
-- PostgreSQL accepts from either side ("START value cannot be less than MINVALUE").
-- a:
CREATE SEQUENCE public.up;
CREATE SEQUENCE public.down MINVALUE 100 START 500 MAXVALUE 1000;
CREATE SEQUENCE public.neg INCREMENT -1;
-- b:
CREATE SEQUENCE public.up MINVALUE 100 START 100 MAXVALUE 200 CYCLE;
CREATE SEQUENCE public.down MAXVALUE 50;
CREATE SEQUENCE public.neg INCREMENT 1 MINVALUE -100 MAXVALUE -10 START -50;
