"""Many rows into a read model table at driver speed.

SQLAlchemy's per-row parameter processing costs more than the insert itself when a
rebuild writes a million rows, so rows go to the driver's ``executemany`` as tuples, with
the few conversions SQLAlchemy would have made on SQLite (UTC times and dates as text,
booleans as integers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from eventstore.tables import UTCDateTime


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return value.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")[:26]


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _sqlite_converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    if isinstance(column.type, UTCDateTime):
        return _sqlite_time
    if isinstance(column.type, sa.Date):
        return _sqlite_date
    if isinstance(column.type, sa.Boolean):
        return _sqlite_bool
    return None


def _copy(connection: Connection, table: sa.Table, names: list[str],
          rows: Sequence[Mapping[str, Any]]) -> None:
    """PostgreSQL's fast path for many rows: COPY, through psycopg's own adaptation."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    getter = itemgetter(*names)
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(getter(row))


def _remembered(converter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`converter`, once per distinct value: the rows of one commit share their times, and
    many rows share a date or a flag."""
    known: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return known[value]
        except KeyError:
            if len(known) > 10_000:
                known.clear()
            converted = known[value] = converter(value)
            return converted

    return convert


def insert_rows(connection: Connection, table: sa.Table,
                rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT `rows` (dicts keyed by column name) in one driver call."""
    if not rows:
        return
    names = [column.name for column in table.columns]
    compiled = table.insert().compile(dialect=connection.dialect, column_keys=names)
    if connection.dialect.name == "postgresql":
        _copy(connection, table, names, rows)
        return
    order = list(compiled.positiontup or names)
    getter = itemgetter(*order)
    conversions = [(index, _remembered(converter)) for index, name in enumerate(order)
                   if (converter := _sqlite_converter(table.columns[name])) is not None]
    values = []
    for row in rows:
        value = list(getter(row))
        for index, converter in conversions:
            value[index] = converter(value[index])
        values.append(tuple(value))
    connection.exec_driver_sql(str(compiled), values)
