"""Files generated from the schema file: the Drizzle schema, the drop script, the schema docs.

Every generator reads one :class:`~norberts_db.gen.model.Catalog`: the schema
file built in a scratch database (:mod:`norberts_db.gen.reader`), never the
dev database, which may have drifted. Output depends only on the catalog, and
everything in it is sorted explicitly, so a file is byte-identical across runs
and PostgreSQL majors.
"""
