-- Constraints of tables and of domains, named schema.table.constraint or
-- schema.domain.constraint. The definition comes from pg_get_constraintdef
-- (foreign keys include their ON DELETE / ON UPDATE actions and MATCH type);
-- the DEFERRABLE, INITIALLY DEFERRED and NOT VALID it appends are cut off and
-- reported as attributes of their own, so each shows as one clear change.
-- inherited_from: the parent's constraint a partition's (or child's) comes from.
-- Left out: NOT NULL constraints (PostgreSQL 18 stores them here with
-- generated names; nullability is part of the column) and constraint
-- triggers (read as triggers).
SELECT
    'constraint' AS kind,
    quote_ident(n.nspname) || '.' || quote_ident(coalesce(c.relname, t.typname))
    || '.' || quote_ident(co.conname) AS name,
    CASE co.contype
        WHEN 'p' THEN 'primary key'
        WHEN 'f' THEN 'foreign key'
        WHEN 'u' THEN 'unique'
        WHEN 'c' THEN 'check'
        WHEN 'x' THEN 'exclusion'
        ELSE co.contype::text
    END AS type,
    CASE
        WHEN right(def.full_text, length(def.suffix)) = def.suffix
            THEN left(def.full_text, length(def.full_text) - length(def.suffix))
        ELSE def.full_text
    END AS definition,
    CASE
        WHEN NOT co.condeferrable THEN 'not deferrable'
        WHEN co.condeferred THEN 'deferrable initially deferred'
        ELSE 'deferrable initially immediate'
    END AS "deferrable",
    CASE WHEN co.convalidated THEN 'validated' ELSE 'not validated' END AS validated,
    CASE
        WHEN co.conparentid <> 0
            THEN (
                SELECT
                    quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) || '.'
                    || quote_ident(pco.conname)
                FROM pg_catalog.pg_constraint AS pco
                INNER JOIN pg_catalog.pg_class AS pc ON pco.conrelid = pc.oid
                INNER JOIN pg_catalog.pg_namespace AS pn ON pc.relnamespace = pn.oid
                WHERE pco.oid = co.conparentid
            )
        WHEN co.coninhcount > 0 AND NOT co.conislocal THEN 'the parent table'
    END AS inherited_from,
    descr.description AS comment
FROM pg_catalog.pg_constraint AS co
INNER JOIN pg_catalog.pg_namespace AS n ON co.connamespace = n.oid
LEFT JOIN pg_catalog.pg_class AS c ON co.conrelid = c.oid
LEFT JOIN pg_catalog.pg_type AS t ON co.contypid = t.oid
LEFT JOIN pg_catalog.pg_description AS descr
    ON
        co.oid = descr.objoid
        AND descr.classoid = 'pg_catalog.pg_constraint'::regclass
        AND descr.objsubid = 0
-- OFFSET 0 keeps the subquery from being flattened into the select list,
-- which would deparse each constraint once for every use of full_text
-- (sqlfluff can neither parse it here nor lay out what is around it).
-- noqa: disable=ST05,LT02
CROSS JOIN LATERAL (
    SELECT
        pg_get_constraintdef(co.oid) AS full_text,
        CASE WHEN co.condeferrable THEN ' DEFERRABLE' ELSE '' END
        || CASE WHEN co.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
        || CASE WHEN co.convalidated THEN '' ELSE ' NOT VALID' END AS suffix
    OFFSET 0 -- noqa: PRS
) AS def
-- noqa: enable=ST05,LT02
WHERE
    co.contype NOT IN ('n', 't')
    AND (c.relkind IN ('r', 'p') OR t.typtype = 'd')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp\_%'
    AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend AS d
        WHERE
            d.deptype = 'e'
            AND (
                (d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = co.conrelid)
                OR (d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = co.contypid)
            )
    );
