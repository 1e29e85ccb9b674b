"""The triggers that keep tracker_latestentry exact (see models.LatestEntry).

One row per commitment that has timeline entries: the date of its newest entry, and its own
last update and published flag copied beside it, so that /recent/ (commitments by their
newest entry, then by last update) reads one index in order instead of grouping every entry.
The database keeps it on every insert, update and delete of an entry (a new entry raises the
date; a deleted or moved one makes it read its commitment's entries again, and the row goes
when the last entry goes) and of a commitment (inserted after entries of its own, its last
update or published flag changed, or deleted), so no write path (save, bulk_create,
QuerySet.update, deletes, the importer's prepared inserts, raw SQL, merges) can forget it.

The SQL is written once here for both databases (SQLite 3.33+ and PostgreSQL 13+: upserts),
as tracker/core/tallies.py is, and the migration that creates the triggers calls these.
"""

from __future__ import annotations

# ruff: noqa: S608 (the SQL is built from the constant names below, never from input)

TABLE = "tracker_latestentry"
ENTRIES = "tracker_trackinglog"
COMMITMENTS = "tracker_commitment"


def _raise(entry: str, *, sqlite: bool) -> str:
    """Return an upsert making ENTRY's date its commitment's newest, if it is newer."""
    newest = "MAX" if sqlite else "GREATEST"
    return (
        f"INSERT INTO {TABLE} (commitment_id, entry_date, last_updated, is_published) "
        f"SELECT c.id, {entry}.entry_date, c.last_updated, c.is_published "
        f"FROM {COMMITMENTS} c WHERE c.id = {entry}.commitment_id "
        f"ON CONFLICT (commitment_id) DO UPDATE SET "
        f"entry_date = {newest}({TABLE}.entry_date, excluded.entry_date)"
    )


def _reread(commitment: str) -> list[str]:
    """Return the statements setting COMMITMENT's row from its entries (none: no row)."""
    return [
        f"DELETE FROM {TABLE} WHERE commitment_id = {commitment} "
        f"AND NOT EXISTS (SELECT 1 FROM {ENTRIES} e WHERE e.commitment_id = {commitment})",
        f"UPDATE {TABLE} SET entry_date = (SELECT MAX(e.entry_date) FROM {ENTRIES} e "
        f"WHERE e.commitment_id = {commitment}) WHERE commitment_id = {commitment}",
    ]


# A commitment inserted after entries of its own (foreign keys are checked at commit): its
# row from them. None otherwise (GROUP BY yields no row for no entries).
_ADOPT = (
    f"INSERT INTO {TABLE} (commitment_id, entry_date, last_updated, is_published) "
    f"SELECT NEW.id, MAX(e.entry_date), NEW.last_updated, NEW.is_published "
    f"FROM {ENTRIES} e WHERE e.commitment_id = NEW.id GROUP BY e.commitment_id "
    "ON CONFLICT (commitment_id) DO UPDATE SET entry_date = excluded.entry_date, "
    "last_updated = excluded.last_updated, is_published = excluded.is_published"
)
_COPY = (
    f"UPDATE {TABLE} SET last_updated = NEW.last_updated, is_published = NEW.is_published "
    "WHERE commitment_id = NEW.id"
)
_FORGET = f"DELETE FROM {TABLE} WHERE commitment_id = OLD.id"


def backfill_sql() -> str:
    """Return the statement that fills the (empty) table from the entries there are."""
    return (
        f"INSERT INTO {TABLE} (commitment_id, entry_date, last_updated, is_published) "
        f"SELECT c.id, MAX(e.entry_date), c.last_updated, c.is_published "
        f"FROM {COMMITMENTS} c JOIN {ENTRIES} e ON e.commitment_id = c.id "
        "GROUP BY c.id, c.last_updated, c.is_published"
    )


def create_sql(vendor: str) -> list[str]:
    """Return the statements creating the triggers on VENDOR ("sqlite" or "postgresql")."""
    if vendor == "sqlite":
        body = "; ".join
        return [
            f"CREATE TRIGGER latest_entry_insert AFTER INSERT ON {ENTRIES} "
            f"BEGIN {_raise('NEW', sqlite=True)}; END",
            f"CREATE TRIGGER latest_entry_delete AFTER DELETE ON {ENTRIES} "
            f"BEGIN {body(_reread('OLD.commitment_id'))}; END",
            f"CREATE TRIGGER latest_entry_update AFTER UPDATE OF entry_date, commitment_id "
            f"ON {ENTRIES} WHEN OLD.entry_date IS NOT NEW.entry_date "
            "OR OLD.commitment_id IS NOT NEW.commitment_id "
            f"BEGIN {body(_reread('OLD.commitment_id'))}; {_raise('NEW', sqlite=True)}; END",
            f"CREATE TRIGGER latest_entry_commitment_update AFTER UPDATE OF last_updated, "
            f"is_published ON {COMMITMENTS} WHEN OLD.last_updated IS NOT NEW.last_updated "
            f"OR OLD.is_published IS NOT NEW.is_published BEGIN {_COPY}; END",
            f"CREATE TRIGGER latest_entry_commitment_delete AFTER DELETE ON {COMMITMENTS} "
            f"BEGIN {_FORGET}; END",
            f"CREATE TRIGGER latest_entry_commitment_insert AFTER INSERT ON {COMMITMENTS} "
            f"BEGIN {_ADOPT}; END",
        ]
    if vendor == "postgresql":
        reread = "; ".join(_reread("OLD.commitment_id"))
        # First lock the commitment(s) the entry belongs to (in id order: two moves the
        # opposite way wait, not deadlock). A statement that waits for another transaction's
        # row lock works from the snapshot it started with, so without this two writers of
        # one commitment's timeline at once (a sync beside an editor, raw SQL) could store a
        # date from entries one of them could not see; with it, the second waits for the
        # first to commit, and each later statement of this function reads afresh.
        lock = f"PERFORM 1 FROM {COMMITMENTS} WHERE id IN (%s) ORDER BY id FOR NO KEY UPDATE"
        return [
            "CREATE FUNCTION latest_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {lock % 'NEW.commitment_id'}; "
            f"ELSIF TG_OP = 'DELETE' THEN {lock % 'OLD.commitment_id'}; "
            f"ELSE {lock % 'OLD.commitment_id, NEW.commitment_id'}; END IF; "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {reread}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_raise('NEW', sqlite=False)}; END IF; "
            "RETURN NULL; END $$",
            "CREATE FUNCTION latest_entry_commitment() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP = 'UPDATE' THEN {_COPY}; ELSIF TG_OP = 'INSERT' THEN {_ADOPT}; "
            f"ELSE {_FORGET}; END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER latest_entry_insert_delete AFTER INSERT OR DELETE ON {ENTRIES} "
            "FOR EACH ROW EXECUTE FUNCTION latest_entry()",
            f"CREATE TRIGGER latest_entry_update AFTER UPDATE OF entry_date, commitment_id "
            f"ON {ENTRIES} FOR EACH ROW WHEN (OLD.entry_date IS DISTINCT FROM NEW.entry_date "
            "OR OLD.commitment_id IS DISTINCT FROM NEW.commitment_id) "
            "EXECUTE FUNCTION latest_entry()",
            f"CREATE TRIGGER latest_entry_commitment_update AFTER UPDATE OF last_updated, "
            f"is_published ON {COMMITMENTS} FOR EACH ROW WHEN "
            "(OLD.last_updated IS DISTINCT FROM NEW.last_updated "
            "OR OLD.is_published IS DISTINCT FROM NEW.is_published) "
            "EXECUTE FUNCTION latest_entry_commitment()",
            f"CREATE TRIGGER latest_entry_commitment_delete AFTER DELETE ON {COMMITMENTS} "
            "FOR EACH ROW EXECUTE FUNCTION latest_entry_commitment()",
            f"CREATE TRIGGER latest_entry_commitment_insert AFTER INSERT ON {COMMITMENTS} "
            "FOR EACH ROW EXECUTE FUNCTION latest_entry_commitment()",
        ]
    raise NotImplementedError(f"the latest entries have no triggers for {vendor}")


def drop_sql(vendor: str) -> list[str]:
    """Return the statements dropping what create_sql(VENDOR) created."""
    if vendor == "sqlite":
        names = [
            "latest_entry_insert",
            "latest_entry_delete",
            "latest_entry_update",
            "latest_entry_commitment_update",
            "latest_entry_commitment_delete",
            "latest_entry_commitment_insert",
        ]
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [
        f"DROP TRIGGER IF EXISTS latest_entry_insert_delete ON {ENTRIES}",
        f"DROP TRIGGER IF EXISTS latest_entry_update ON {ENTRIES}",
        f"DROP TRIGGER IF EXISTS latest_entry_commitment_update ON {COMMITMENTS}",
        f"DROP TRIGGER IF EXISTS latest_entry_commitment_delete ON {COMMITMENTS}",
        f"DROP TRIGGER IF EXISTS latest_entry_commitment_insert ON {COMMITMENTS}",
        "DROP FUNCTION IF EXISTS latest_entry()",
        "DROP FUNCTION IF EXISTS latest_entry_commitment()",
    ]
