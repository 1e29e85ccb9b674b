"""Insert rows, and their history rows, with one prepared statement per table.

The import writes thousands of rows per second. Django's ``save`` and ``bulk_create``
compile the SQL and prepare every value of every object anew, which was most of a first
import's time; these functions write the same rows with a statement built once per model
and executed with ``executemany``. They send no signals, so the caller writes the history
rows (:func:`history_rows_copy`) and bumps the data version itself, in its own transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

_PASSED_AS_THEY_ARE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


@dataclass(frozen=True)
class _EachRow:
    call: Callable[[], Any]


@dataclass(frozen=True)
class _Table:
    names: tuple[str, ...]  # attnames, in column order
    convert: tuple[Callable[[Any], Any] | None, ...]
    defaults: tuple[Any, ...]
    now: tuple[bool, ...]  # auto_now / auto_now_add: the time of the write
    insert: str  # INSERT ... VALUES (%s, ...)


@functools.cache
def _table(model: type[Model], vendor: str) -> _Table:
    quote = connection.ops.quote_name
    # The database numbers an auto-incrementing key; any other key is a value of the row.
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
    convert = []
    for field in fields:
        kind = field.get_internal_type()
        if kind in _PASSED_AS_THEY_ARE:
            convert.append(None)
        elif kind == "DateField":
            convert.append(connection.ops.adapt_datefield_value)
        elif kind == "DateTimeField":
            convert.append(connection.ops.adapt_datetimefield_value)
        else:
            convert.append(functools.partial(field.get_db_prep_save, connection=connection))
    columns = ", ".join(quote(field.column) for field in fields)
    return _Table(
        names=tuple(field.attname for field in fields),
        convert=tuple(convert),
        # A callable default (timezone.now, uuid4) is called for each row, as Django does.
        defaults=tuple(
            _EachRow(field.get_default) if callable(field.default) else field.get_default()
            for field in fields
        ),
        now=tuple(
            bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
            for field in fields
        ),
        insert=(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        ),
    )


def _values(table: _Table, row: Mapping[str, Any], now) -> tuple:
    values = []
    for name, convert, default, is_now in zip(
        table.names, table.convert, table.defaults, table.now, strict=True
    ):
        if is_now:
            value = now
        elif name in row:
            value = row[name]
        else:
            value = default.call() if isinstance(default, _EachRow) else default
        values.append(value if convert is None or value is None else convert(value))
    return tuple(values)


def rows_insert(model: type[Model], rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert rows given as {attname: value}; missing fields take their defaults.

    Fields with ``auto_now`` or ``auto_now_add`` get the time of the write, as ``save`` does.
    """
    table = _table(model, connection.vendor)
    now = timezone.now()
    values = [_values(table, row, now) for row in rows]
    if values:
        with connection.cursor() as cursor:
            cursor.executemany(table.insert, values)


def row_insert(instance: Model) -> None:
    """Insert one new model instance and set its primary key (no signals, no ``save``)."""
    model = type(instance)
    table = _table(model, connection.vendor)
    now = timezone.now()
    for name, is_now in zip(table.names, table.now, strict=True):
        if is_now:
            setattr(instance, name, now)
    values = _values(table, {name: getattr(instance, name) for name in table.names}, now)
    pk = model._meta.pk
    with connection.cursor() as cursor:
        if model._meta.auto_field is None:  # the key is one of the values
            cursor.execute(table.insert, values)
            key = getattr(instance, pk.attname)
        elif connection.features.can_return_columns_from_insert:
            cursor.execute(
                f"{table.insert} RETURNING {connection.ops.quote_name(pk.column)}", values
            )
            (key,) = cursor.fetchone()
        else:
            cursor.execute(table.insert, values)
            key = connection.ops.last_insert_id(cursor, model._meta.db_table, pk.column)
    setattr(instance, pk.attname, key)
    instance._state.adding = False
    instance._state.db = connection.alias


@functools.cache
def _history_copy_sql(model: type[Model], vendor: str, where: str) -> str:
    quote = connection.ops.quote_name
    history = model.history.model
    tracked = history.tracked_fields
    target = [history._meta.get_field(field.name).column for field in tracked]
    target += ["history_date", "history_change_reason", "history_type", "history_user_id"]
    source = [field.column for field in tracked]
    return (
        f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608 - names from the models
        f"({', '.join(quote(column) for column in target)}) "
        f"SELECT {', '.join(quote(column) for column in source)}, %s, %s, '+', NULL "
        f"FROM {quote(model._meta.db_table)} WHERE {where}"
    )


def history_rows_copy(
    model: type[Model], *, where: str, params: list, change_reason: str, date=None
) -> None:
    """Write a creation history row ('+') for each row of the model matching ``where``.

    The history rows copy the stored rows in SQL, so they hold exactly what was written.
    ``where`` is fixed SQL over the model's columns (values go in ``params``). No user is
    recorded: the import runs from commands, outside any request.
    """
    date = connection.ops.adapt_datetimefield_value(date or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _history_copy_sql(model, connection.vendor, where), [date, change_reason, *params]
        )
