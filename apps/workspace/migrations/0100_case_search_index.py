"""The GIN index behind the inbox's full-text search, on PostgreSQL only.

The index is Django's own compilation of `SearchVector("search_document", config="simple")`,
the expression `apps.workspace.search` filters on, so the planner matches the two exactly:
    to_tsvector('simple'::regconfig, COALESCE("search_document", ''))
SQLite searches with `icontains` and gets no index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Frozen here rather than imported, so later code changes cannot rewrite history; it must
# stay equal to apps.workspace.search.search_index().
INDEX = GinIndex(SearchVector("search_document", config="simple"), name="case_search_idx")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("workspace", "Case"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("workspace", "Case"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
