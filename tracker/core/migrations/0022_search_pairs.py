"""PostgreSQL keeps the pairs of neighbouring CJK tokens as words (tracker.core.search).

``pairs_tsv`` holds 疫苗 苗採 採購 for `` 疫 苗 採 購 ``, without positions, so a two-character
term is one word that the GIN index answers alone: the phrase of its tokens made PostgreSQL
re-read every candidate's stored vector to check positions (at 100× the corpus, 18,200 for
疫苗, most of a search's time). Longer terms stay phrases of tokens.
``tracker_cjk_pairs`` pairs what ``search._single`` says: tokens of one non-ASCII character.
SQLite's FTS5 checks phrases from its own position lists and needs none of this.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION tracker_cjk_pairs(tokens text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array(
            SELECT token || next
            FROM unnest(
                string_to_array(btrim(tokens), ' '), (string_to_array(btrim(tokens), ' '))[2:]
            ) AS neighbours(token, next)
            WHERE length(token) = 1 AND ascii(token) > 127
                AND length(next) = 1 AND ascii(next) > 127
        )
    $$
    """,
    "ALTER TABLE tracker_searchdocument ADD COLUMN pairs_tsv tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(tracker_cjk_pairs(tokens))) STORED",
    "CREATE INDEX tracker_searchdocument_pairs ON tracker_searchdocument USING gin (pairs_tsv)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS tracker_searchdocument_pairs",
    "ALTER TABLE tracker_searchdocument DROP COLUMN IF EXISTS pairs_tsv",
    "DROP FUNCTION IF EXISTS tracker_cjk_pairs(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0021_search_document_keys"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
