"""Hand-written statements that run on every request, prepared once per PostgreSQL connection.

Planning is most of what the database spends on the statements every signed-in page runs (a few tenths of a
millisecond each, against ~0.05 ms to execute them). A prepared statement is planned once per connection; the
connections are persistent (CONN_MAX_AGE), so that is once per worker and minute or so.

Prepared statements belong to the database session, and survive a rolled-back transaction: a new connection
starts with none, which `connection_created` records. (Behind a pooler in transaction mode, such as PgBouncer's,
sessions are shared between clients and this would not hold: the portal talks to PostgreSQL directly.)
"""

from __future__ import annotations

import copy
import hashlib
import re

from django.db import connection
from django.db.backends.signals import connection_created

PREPARED_ATTR = "_ptf_prepared_statements"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _forget_on_new_connection(sender, connection, **kwargs):
    setattr(connection, PREPARED_ATTR, set())


connection_created.connect(_forget_on_new_connection, dispatch_uid="core.prepared")


def table(model) -> str:
    """A model's table name, quoted for hand-written SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field_name: str) -> str:
    """A model field's column name, quoted for hand-written SQL."""
    return connection.ops.quote_name(model._meta.get_field(field_name).column)


class ModelReader:
    """Model instances from the columns of hand-written SQL, converted as the ORM would (datetimes and booleans
    on SQLite); the fields not read are deferred, as with `QuerySet.only()`."""

    def __init__(self, model, field_names=None):
        self.model = model
        # In the model's order of fields, which `from_db` expects of a partial row; all of them by default.
        if field_names is None:
            fields = list(model._meta.concrete_fields)
        else:
            fields = sorted((model._meta.get_field(name) for name in field_names),
                            key=model._meta.concrete_fields.index)
        self.attnames = [field.attname for field in fields]
        self.columns = [field.get_col(model._meta.db_table) for field in fields]
        self.converters = [
            connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            for field, col in zip(fields, self.columns, strict=True)
        ]

    def __len__(self) -> int:
        return len(self.attnames)

    def select(self, alias: str) -> str:
        """The columns to select, in order, from the table known as `alias`."""
        return ", ".join(f"{alias}.{connection.ops.quote_name(col.target.column)}" for col in self.columns)

    def read_from(self, row, start: int = 0):
        """The instance read from `row[start:]`, or None when its primary key is NULL (an outer join found no
        row), and where the next columns start."""
        end = start + len(self.attnames)
        values = row[start:end]
        found = values[0] is not None or not self.columns[0].target.primary_key
        return (self.read(values) if found else None), end

    def read(self, values):
        converted = []
        for value, col, converters in zip(values, self.columns, self.converters, strict=True):
            for converter in converters:
                value = converter(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.attnames, converted)


def fetch_prepared(name: str, sql: str, params) -> list[tuple]:
    """The rows of `sql` run as the prepared statement `name` (see `prepared`)."""
    with connection.cursor() as cursor:
        cursor.execute(prepared(name, sql), params)
        return cursor.fetchall()


def _numbered(sql: str) -> str:
    """%s placeholders as PostgreSQL's $1, $2… (the text must hold no other percent sign)."""
    if "%" in sql.replace("%s", ""):
        raise ValueError("a prepared statement's text may hold no percent sign but its placeholders")
    count = iter(range(1, sql.count("%s") + 1))
    return re.sub(r"%s", lambda _match: f"${next(count)}", sql)


def prepared(name: str, sql: str) -> str:
    """The statement to run for `sql` (same placeholders, same parameters): on PostgreSQL, `EXECUTE name(…)`,
    preparing it first if this connection has not yet; elsewhere, `sql` itself."""
    if connection.vendor != "postgresql":
        return sql
    if not _NAME.match(name):
        raise ValueError(f"not a statement name: {name!r}")
    connection.ensure_connection()  # a new connection resets the set below
    done = getattr(connection, PREPARED_ATTR, None)
    if done is None:
        done = set()
        setattr(connection, PREPARED_ATTR, done)
    if name not in done:
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        done.add(name)
    placeholders = ", ".join(["%s"] * sql.count("%s"))
    return f"EXECUTE {name}({placeholders})" if placeholders else f"EXECUTE {name}"


class CompiledRead:
    """A read written with the ORM, compiled once per key and process, and run as a prepared statement.

    For the few reads whose SQL the ORM takes longer to build and compile than the database takes to run them
    (the SEG dashboard's bodies and meetings: correlated subqueries, windows, a dozen conditions). The queryset
    stays the one definition: `build(**values)` returns a `values_list` queryset, compiled the first time a
    `key` is seen; the values named in `slots` (say, the moment of the request) change on every call and are put
    in the compiled parameters where the placeholders passed to `build` landed, every other input must be in
    `key` (a slot that lands nowhere in the SQL makes that key compiled on every call). The rows come back
    converted as the ORM converts them, in the SQL's order (fields, then annotations in the order they were
    added). On PostgreSQL the statement is also prepared once per connection; on other databases (datetimes
    become text when compiled, so a placeholder cannot be followed) it is compiled on every call. The equivalence with `list(build(**values))` is tested (tests/core/test_compiled_read.py).
    """

    MAX_KEYS = 8  # a key is a day, a month shown…: a few live at once

    def __init__(self, name: str, build, slots: tuple[str, ...] = ()):
        if not _NAME.match(name):
            raise ValueError(f"not a statement name: {name!r}")
        self.name, self.build, self.slots = name, build, slots
        self._compiled: dict = {}

    def read(self, key, **values) -> tuple[list[str], list[tuple]]:
        """The columns' names (a field's path as given to `values_list`, an annotation's name) and the rows."""
        entry = None
        if connection.vendor == "postgresql":
            if key not in self._compiled:
                if len(self._compiled) >= self.MAX_KEYS:
                    self._compiled.clear()
                markers = {slot: _Marker(values[slot]) for slot in self.slots}
                placed = {slot: marker.value for slot, marker in markers.items()}
                self._compiled[key] = self._compile({**values, **placed}, markers)
            entry = self._compiled[key]
        if entry is None:  # not PostgreSQL, or a slot the compiled SQL does not hold: compiled for this call
            compiler, sql, params, _positions = self._compile(values)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return _names(compiler), list(compiler.results_iter(results=[cursor.fetchall()],
                                                                    tuple_expected=True))
        compiler, sql, params, positions = entry
        params = list(params)
        for slot, where in positions.items():
            for index in where:
                params[index] = values[slot]
        statement = f"{self.name}_{hashlib.sha256(sql.encode()).hexdigest()[:12]}"
        rows = fetch_prepared(statement, sql, params)
        return _names(compiler), list(compiler.results_iter(results=[rows], tuple_expected=True))

    def _compile(self, values, markers=None):
        """The compiler, SQL and parameters; with `markers`, where each slot landed among the parameters, or None
        when one landed nowhere: a branch of the query left out (an empty list of ids) or a value the compiling
        converted into another object. Either way reusing the SQL could answer for another value: not kept."""
        queryset = self.build(**values)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        positions = {}
        for slot, marker in (markers or {}).items():
            positions[slot] = tuple(i for i, param in enumerate(params) if param is marker.value)
            if not positions[slot]:
                return None
        return compiler, sql, tuple(params), positions


def _names(compiler) -> list[str]:
    query = compiler.query
    return [*query.extra_select, *query.values_select, *query.annotation_select]


class _Marker:
    """A slot's value while compiling: the very object, so that where it lands among the parameters is found by
    identity (a copy of the value, not the caller's, so that no other parameter can be the same object)."""

    def __init__(self, value):
        self.value = copy.copy(value)
        if self.value is value:
            raise TypeError(f"a slot's value must be copyable into a new object: {value!r}")
