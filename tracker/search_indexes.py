"""Trigram indexes for the list searches, in migrations (Postgres only; SQLite searches as it always did).

Every list search is `icontains`, which Django writes on Postgres as `UPPER(col::text) LIKE UPPER('%term%')`: a
B-tree cannot help a pattern with a leading `%`, so without these each search reads every row. A GIN index of
`UPPER(col)` with `gin_trgm_ops` (pg_trgm) answers the same LIKE from the trigrams of the term, and a search over
several fields becomes a BitmapOr of their indexes. Terms under three characters still scan (no trigram in them).

The index names follow `<table>_<column>_trgm`. They are not in the models' `Meta.indexes`, which would create
them on SQLite too, where GIN does not exist.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on another database (the development and test default is SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(table: str, *columns: str) -> list:
    """The operations that add pg_trgm (once per database) and a trigram index on each of `columns`."""
    return [
        TrigramExtension(),
        *(
            PostgresOnlySQL(
                sql=f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" '
                f'ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)',
                reverse_sql=f'DROP INDEX IF EXISTS "{index_name(table, column)}"',
            )
            for column in columns
        ),
    ]
