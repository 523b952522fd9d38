"""The full-text index itself, which is the database's own and not a Django model.

SQLite: an FTS5 table over the analysed columns of search_searchentry (external
content), kept in step by triggers, so every insert, update and delete of an
entry (even a flush in tests) reaches it in the same transaction.

PostgreSQL: a generated tsvector column (title weighted A, text B, compound
parts D) and a GIN index on it. Its configuration, kollegan_swedish, is the
swedish one with Snowball's Swedish stemmer but without the stop word list: the
words arrive stemmed and without stop words already (kollegan.search.analysis),
and a stem can look like a stop word ("nära" is "när"), which PostgreSQL's list
would then drop."""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, parts,
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3 4'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, body, parts)
        VALUES (new.id, new.title, new.body, new.parts);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, parts)
        VALUES ('delete', old.id, old.title, old.body, old.parts);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, parts)
        VALUES ('delete', old.id, old.title, old.body, old.parts);
        INSERT INTO search_fts(rowid, title, body, parts)
        VALUES (new.id, new.title, new.body, new.parts);
    END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL = [
    """CREATE TEXT SEARCH DICTIONARY kollegan_swedish_stem (
        TEMPLATE = snowball, Language = swedish
    )""",
    "CREATE TEXT SEARCH CONFIGURATION kollegan_swedish (COPY = pg_catalog.swedish)",
    """ALTER TEXT SEARCH CONFIGURATION kollegan_swedish
        ALTER MAPPING FOR asciiword, word, hword, hword_part, hword_asciipart, asciihword
        WITH kollegan_swedish_stem""",
    """ALTER TABLE search_searchentry ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('kollegan_swedish'::regconfig, title), 'A')
        || setweight(to_tsvector('kollegan_swedish'::regconfig, body), 'B')
        || setweight(to_tsvector('kollegan_swedish'::regconfig, parts), 'D')
    ) STORED""",
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)",
]
POSTGRESQL_UNDO = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kollegan_swedish",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS kollegan_swedish_stem",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}),
        )
    ]
