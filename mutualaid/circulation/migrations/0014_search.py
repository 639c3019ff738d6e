"""Full-text search (circulation/search.py): on PostgreSQL a GIN index per language on the expression the search
uses; on SQLite an FTS5 table per model, filled from the rows there are and kept by triggers (an update that erases
a title erases its words from the index too)."""
from django.db import migrations

MODELS = ("circulation_need", "circulation_offer")
CONFIGS = ("english", "spanish")


def create(apps, schema_editor):
    """Idempotent (IF NOT EXISTS; a rebuild re-reads the rows): run again on a migrated database, it changes nothing."""
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for statement in _statements(vendor):
            cursor.execute(statement)


def _statements(vendor: str) -> list[str]:
    statements = []
    for table in MODELS:
        if vendor == "postgresql":
            for config in CONFIGS:
                statements.append(
                    f"CREATE INDEX IF NOT EXISTS {table}_search_{config[:2]} ON {table} "
                    f"USING gin (to_tsvector('{config}', title || ' ' || description))")
        elif vendor == "sqlite":
            fts = f"{table}_fts"
            statements.append(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(title, description, content='{table}', "
                "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')")
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO {fts}(rowid, title, description) VALUES (new.id, new.title, new.description); END")
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
                f"INSERT INTO {fts}({fts}, rowid, title, description) "
                "VALUES ('delete', old.id, old.title, old.description); END")
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF title, description ON {table} BEGIN "
                f"INSERT INTO {fts}({fts}, rowid, title, description) "
                "VALUES ('delete', old.id, old.title, old.description); "
                f"INSERT INTO {fts}(rowid, title, description) VALUES (new.id, new.title, new.description); END")
            statements.append(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    return statements


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in MODELS:
        if vendor == "postgresql":
            for config in CONFIGS:
                schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_{config[:2]}")
        elif vendor == "sqlite":
            fts = f"{table}_fts"
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


class Migration(migrations.Migration):
    dependencies = [("circulation", "0013_match_requested")]
    operations = [migrations.RunPython(create, drop)]
