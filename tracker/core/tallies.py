"""The triggers that keep tracker_commitmenttally exact (see models.CommitmentTally).

One row per value of (status, category, agency field, target date, published, the source's
term and session) with how many commitments have it. The database adds and subtracts on
every insert, update and delete of a commitment, and moves a source's commitments when its
term or session changes, so no write path (the ORM's save, bulk_create and update, deletes,
the importer, raw SQL) can forget it. Subtracting only updates an existing row: when a flush
empties the tally table before the commitments, the deletes after it change nothing.
Rows are kept at zero rather than deleted (readers skip them): a deleted row could race an
insert of the same key on PostgreSQL.

The SQL is written once here for both databases (SQLite 3.33+ and PostgreSQL 13+: upserts,
UPDATE ... FROM), and the migration that creates the triggers calls these functions.

Every trigger that moves a count also draws a new *counts token* in the data version's row
(``DataVersion.counts_token``; on PostgreSQL once per statement), in the same transaction:
what is computed from the tallies alone (the list's length and menus, the overview's charts)
is kept under that token, so a save that moves no count (a log entry, a wording fix: most
saves) leaves it valid, while the pages themselves follow the data version. Because the
triggers write tracker_dataversion, a migration that makes SQLite rebuild that table must
drop them first (drop_sql) and create them again after (create_sql).
"""

from __future__ import annotations

from tracker.core.data_version import SINGLETON

# ruff: noqa: S608 (the SQL is built from the constant names below, never from input)

TABLE = "tracker_commitmenttally"
COMMITMENT_FIELDS = ("status", "category", "responsible_agency", "target_date", "is_published")
SOURCE_FIELDS = ("term", "session_period")
COLUMNS = (*COMMITMENT_FIELDS, *SOURCE_FIELDS)
# Changes to these move a commitment from one tally to another.
COMMITMENT_WATCHED = (*COMMITMENT_FIELDS, "source_id")
# A new random token: SQLite's random() is a signed 64-bit integer; PostgreSQL's a double in
# [0, 1) (52 random bits, well inside a bigint).
_NEW_TOKEN = {"sqlite": "random()", "postgresql": "floor(random() * 4503599627370496)::bigint"}


_MOVED = "tracker.counts_moved"  # PostgreSQL: a setting local to the transaction


def _new_counts_token(vendor: str) -> str:
    """Return the statement drawing a new counts token in the data version's one row
    (migration 0026 makes sure it exists; a flush removes it, and counts_tag then keeps
    nothing)."""
    return (
        f"UPDATE tracker_dataversion SET counts_token = {_NEW_TOKEN[vendor]} WHERE id = {SINGLETON}"
    )


def _postgresql_token_sql() -> list[str]:
    """Return PostgreSQL's statement-level draw of the counts token.

    The row triggers only note that a count moved (a transaction-local setting); one draw
    follows each statement that moved any. Drawing per row updated one row once per
    commitment, and PostgreSQL walks every earlier version of a row updated in the same
    transaction: bench/scale_database.py's copy of 117,315 commitments (one transaction) was
    still running after about 7 minutes, where it now takes under one. A rolled-back
    savepoint undoes the note with the counts.
    """
    return [
        "CREATE FUNCTION counts_token_draw() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF current_setting('{_MOVED}', true) = 'yes' THEN "
        f"{_new_counts_token('postgresql')}; PERFORM set_config('{_MOVED}', 'no', true); "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER commitment_counts_token AFTER INSERT OR UPDATE OR DELETE "
        "ON tracker_commitment FOR EACH STATEMENT EXECUTE FUNCTION counts_token_draw()",
        "CREATE TRIGGER source_counts_token AFTER INSERT OR UPDATE "
        "ON tracker_source FOR EACH STATEMENT EXECUTE FUNCTION counts_token_draw()",
    ]


def _values(commitment: str, source: str | None) -> list[str]:
    """Return the SQL of the tally's columns for aliases COMMITMENT and SOURCE (None: no
    source yet, its term and session NULL)."""
    values = [f"{commitment}.{name}" for name in COMMITMENT_FIELDS]
    return values + [f"{source}.{name}" if source else "NULL" for name in SOURCE_FIELDS]


def key_sql(values: list[str]) -> str:
    """Return the SQL of a row's key: each value as its length and text, NULL as "~"."""
    parts = [
        f"CASE WHEN {value} IS NULL THEN '~' "
        f"ELSE CAST(LENGTH(CAST({value} AS TEXT)) AS TEXT) || ':' || CAST({value} AS TEXT) END"
        for value in values
    ]
    return " || ',' || ".join(parts)


def _add(values: list[str], number: str, rows: str, *, group: bool) -> str:
    """Return an upsert adding NUMBER to the tally of each of ROWS (a FROM ... WHERE)."""
    grouping = f" GROUP BY {', '.join(v for v in values if v != 'NULL')}" if group else ""
    return (
        f"INSERT INTO {TABLE} (key, {', '.join(COLUMNS)}, number) "
        f"SELECT {key_sql(values)}, {', '.join(values)}, {number} {rows}{grouping} "
        f"ON CONFLICT (key) DO UPDATE SET number = {TABLE}.number + excluded.number"
    )


def _subtract(values: list[str], number: str, rows: str, *, group: bool) -> str:
    """Return an update subtracting NUMBER from the tally of each of ROWS (which exists
    unless a flush emptied the table first: then nothing is left to subtract from)."""
    grouping = f" GROUP BY {', '.join(v for v in values if v != 'NULL')}" if group else ""
    return (
        f"UPDATE {TABLE} SET number = {TABLE}.number - moved.number "
        f"FROM (SELECT {key_sql(values)} AS key, {number} AS number {rows}{grouping}) AS moved "
        f"WHERE {TABLE}.key = moved.key"
    )


def _commitment_rows(row: str) -> str:
    # A LEFT JOIN: a commitment saved before its source is counted without a term.
    return (
        f"FROM (SELECT 1) AS one LEFT JOIN tracker_source s ON s.id = {row}.source_id WHERE 1 = 1"
    )


def _source_rows(row: str) -> str:
    return f"FROM tracker_commitment c WHERE c.source_id = {row}.id"


def backfill_sql() -> str:
    """Return the statement that counts every commitment into the (empty) tally table."""
    rows = "FROM tracker_commitment c LEFT JOIN tracker_source s ON s.id = c.source_id WHERE 1 = 1"
    return _add(_values("c", "s"), "COUNT(*)", rows, group=True)


def create_sql(vendor: str, *, counts_token: bool = True) -> list[str]:
    """Return the statements creating the triggers on VENDOR ("sqlite" or "postgresql").

    COUNTS_TOKEN False: the triggers as migration 0016 made them, before the data version
    had a counts token (migration 0026 adds it and re-creates them).
    """
    if vendor not in _NEW_TOKEN:
        raise NotImplementedError(f"commitment tallies have no triggers for {vendor}")
    token = ""
    if counts_token:  # SQLite updates a row in place: there, one draw per row
        moved = f"PERFORM set_config('{_MOVED}', 'yes', true)"
        token = f"; {_new_counts_token(vendor) if vendor == 'sqlite' else moved}"
    add_new = _add(_values("NEW", "s"), "1", _commitment_rows("NEW"), group=False)
    subtract_old = _subtract(_values("OLD", "s"), "1", _commitment_rows("OLD"), group=False)
    # A source's commitments move from its old term and session (none, when it is new: a
    # commitment saved before its source, constraints being checked at commit) to the new.
    move_in = _add(_values("c", "NEW"), "COUNT(*)", _source_rows("NEW"), group=True)
    move_out = _subtract(_values("c", "OLD"), "COUNT(*)", _source_rows("OLD"), group=True)
    move_out_of_none = _subtract(_values("c", None), "COUNT(*)", _source_rows("NEW"), group=True)
    sqlite = vendor == "sqlite"
    differs = "IS NOT" if sqlite else "IS DISTINCT FROM"
    commitment_changed = " OR ".join(f"OLD.{n} {differs} NEW.{n}" for n in COMMITMENT_WATCHED)
    source_changed = " OR ".join(f"OLD.{n} {differs} NEW.{n}" for n in SOURCE_FIELDS)
    watched = ", ".join(COMMITMENT_WATCHED)
    if sqlite:
        return [
            "CREATE TRIGGER commitment_tally_insert AFTER INSERT ON tracker_commitment "
            f"BEGIN {add_new}{token}; END",
            "CREATE TRIGGER commitment_tally_delete AFTER DELETE ON tracker_commitment "
            f"BEGIN {subtract_old}{token}; END",
            f"CREATE TRIGGER commitment_tally_update AFTER UPDATE OF {watched} "
            f"ON tracker_commitment WHEN {commitment_changed} "
            f"BEGIN {subtract_old}; {add_new}{token}; END",
            "CREATE TRIGGER source_tally_insert AFTER INSERT ON tracker_source "
            f"BEGIN {move_out_of_none}; {move_in}{token}; END",
            "CREATE TRIGGER source_tally_update AFTER UPDATE OF term, session_period "
            f"ON tracker_source WHEN {source_changed} BEGIN {move_out}; {move_in}{token}; END",
        ]
    return [
        "CREATE FUNCTION commitment_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {subtract_old}; END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {add_new}; END IF{token}; "
        "RETURN NULL; END $$",
        "CREATE FUNCTION source_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' THEN {move_out}; ELSE {move_out_of_none}; END IF; "
        f"{move_in}{token}; RETURN NULL; END $$",
        "CREATE TRIGGER commitment_tally_insert_delete AFTER INSERT OR DELETE "
        "ON tracker_commitment FOR EACH ROW EXECUTE FUNCTION commitment_tally()",
        f"CREATE TRIGGER commitment_tally_update AFTER UPDATE OF {watched} "
        f"ON tracker_commitment FOR EACH ROW WHEN ({commitment_changed}) "
        "EXECUTE FUNCTION commitment_tally()",
        "CREATE TRIGGER source_tally_insert AFTER INSERT ON tracker_source "
        "FOR EACH ROW EXECUTE FUNCTION source_tally()",
        "CREATE TRIGGER source_tally_update AFTER UPDATE OF term, session_period "
        f"ON tracker_source FOR EACH ROW WHEN ({source_changed}) "
        "EXECUTE FUNCTION source_tally()",
    ] + (_postgresql_token_sql() if counts_token else [])


def drop_sql(vendor: str) -> list[str]:
    """Return the statements dropping what create_sql(VENDOR) created."""
    if vendor == "sqlite":
        names = ["commitment_tally_insert", "commitment_tally_delete", "commitment_tally_update"]
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names] + [
            "DROP TRIGGER IF EXISTS source_tally_insert",
            "DROP TRIGGER IF EXISTS source_tally_update",
        ]
    return [
        "DROP TRIGGER IF EXISTS commitment_tally_insert_delete ON tracker_commitment",
        "DROP TRIGGER IF EXISTS commitment_tally_update ON tracker_commitment",
        "DROP TRIGGER IF EXISTS source_tally_insert ON tracker_source",
        "DROP TRIGGER IF EXISTS source_tally_update ON tracker_source",
        "DROP FUNCTION IF EXISTS commitment_tally()",
        "DROP FUNCTION IF EXISTS source_tally()",
        "DROP TRIGGER IF EXISTS commitment_counts_token ON tracker_commitment",
        "DROP TRIGGER IF EXISTS source_counts_token ON tracker_source",
        "DROP FUNCTION IF EXISTS counts_token_draw()",
    ]
