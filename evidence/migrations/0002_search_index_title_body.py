"""A GIN index on the concatenated search vector of Wagtail's PostgreSQL search backend.

The backend ranks and filters full-text queries on ``title || body`` of
wagtailsearch_indexentry, but Wagtail indexes ``title`` and ``body`` separately, so PostgreSQL
scans every entry (wagtail/wagtail#6546). This expression index is what the query can use: a
ranked search over 100,000 pieces of evidence goes from a sequential scan to a bitmap index scan
(bench/search.py). Other databases have no such index, and nothing to do."""

from django.db import migrations

INDEX = "wagtailsearch_indexentry_title_body_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            'USING gin (("title" || "body"))'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
