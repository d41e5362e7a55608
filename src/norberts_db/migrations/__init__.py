"""Schema migrations: generated from the schema file, linted, applied safely.

``catalog`` reads two live databases (the catalog snapshot verify compares,
plus the pieces DDL needs and the dependencies between objects); ``plan``
turns their differences into ordered statements, with ``ddl_*`` writing the
statements of each object kind; ``files`` names, numbers and checksums the
migration files; ``history`` and ``runner`` apply them under the schema lock;
``squawk`` lints them for operations unsafe on a live database.
"""
