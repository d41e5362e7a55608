-- An operator with its commutator, an operator class for btree with its own
-- family, and a family that gains a cross-type member appear.
-- a:
CREATE SCHEMA ops;
CREATE FUNCTION ops.same(integer, integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
-- b:
CREATE SCHEMA ops;
CREATE FUNCTION ops.same(integer, integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR ops.=== (
    LEFTARG = integer, RIGHTARG = integer, FUNCTION = ops.same,
    COMMUTATOR = OPERATOR(ops.===), RESTRICT = eqsel, JOIN = eqjoinsel
);
COMMENT ON OPERATOR ops.=== (integer, integer) IS 'Same number.';
CREATE OPERATOR CLASS ops.int_order FOR TYPE integer USING btree AS
    OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(integer, integer);
COMMENT ON OPERATOR CLASS ops.int_order USING btree IS 'Plain order.';
ALTER OPERATOR FAMILY ops.int_order USING btree
    ADD OPERATOR 1 < (integer, bigint), FUNCTION 1 (integer, bigint) btint48cmp(integer, bigint);
