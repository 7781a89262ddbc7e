"""Database helpers shared by the domain services.

Statements compiled once. Django compiles a queryset to SQL anew each time it runs it; for a wide row that costs
more CPU than the statement's round trip (0.4-0.7 ms for a 20-column SELECT on the development machine, against
about 0.1 ms to run it). Intake runs the same few statements on every call, so `rows`, `insert` and `upsert` build
their SQL once per connection and shape (the model and the column names) and only prepare the values on each call.
They read and write exactly what the queryset and `save()` would: the same columns, the same value preparation
(`get_db_prep_value` / `pre_save` + `get_db_prep_save`) and the same converters on the way back. They take plain
values (an expression such as F() goes through the ORM as before) and send no model signals (none is connected to
the models they are used on).
"""

import copy

from django.db import IntegrityError, connections, models, router
from django.db.models import sql
from django.db.models.constants import OnConflict


def _statements(connection) -> dict:
    """This connection's compiled statements. Per connection wrapper (so per thread), as the converters are bound
    to its backend."""
    statements = connection.__dict__.get("_tracker_statements")
    if statements is None:
        statements = connection.__dict__["_tracker_statements"] = {}
    return statements


def _plain(value) -> bool:
    return not hasattr(value, "resolve_expression")


def _lookup_value(field, value, connection):
    """A lookup's value as the database takes it, as an `exact` lookup prepares it (a row stands for its id)."""
    if isinstance(value, models.Model):
        value = value.pk
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


def _select(model, connection, names: tuple[str, ...], nulls: frozenset, limit: int | None):
    key = ("select", model, names, nulls, limit)
    statement = _statements(connection).get(key)
    if statement is None:
        opts, quote = model._meta, connection.ops.quote_name
        table = quote(opts.db_table)
        fields = list(opts.concrete_fields)
        lookups = [opts.get_field(name) for name in names]
        where = [
            f"{table}.{quote(f.column)} {'IS NULL' if name in nulls else '= %s'}"
            for name, f in zip(names, lookups, strict=True)
        ]
        # Names from the model's meta, quoted by the backend; every value is a parameter.
        columns = ", ".join(f"{table}.{quote(f.column)}" for f in fields)
        text = " ".join(
            [
                f"SELECT {columns} FROM {table}",  # noqa: S608
                f"WHERE {' AND '.join(where)}" if where else "",
                f"ORDER BY {table}.{quote(opts.pk.column)}",
                f"LIMIT {int(limit)}" if limit is not None else "",
            ]
        )
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(opts.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, column, found))
        statement = (text, lookups, [f.attname for f in fields], converters)
        _statements(connection)[key] = statement
    return statement


def rows(model: type[models.Model], *, limit: int | None = None, **lookup) -> list:
    """`model.objects.filter(**lookup).order_by("pk")[:limit]` for exact matches on the model's own fields (a
    foreign key by its row or its id; None matches NULL), with the SQL built once."""
    using = router.db_for_read(model)
    connection = connections[using]
    if not all(_plain(value) for value in lookup.values()):
        queryset = model.objects.using(using).filter(**lookup).order_by("pk")
        return list(queryset[:limit] if limit is not None else queryset)
    names = tuple(lookup)
    nulls = frozenset(name for name, value in lookup.items() if value is None)
    text, lookups, attnames, converters = _select(model, connection, names, nulls, limit)
    params = [_lookup_value(f, lookup[n], connection) for n, f in zip(names, lookups, strict=True) if n not in nulls]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        fetched = cursor.fetchall()
    return [model.from_db(using, attnames, _converted(values, converters, connection)) for values in fetched]


def _converted(values, converters, connection) -> list:
    """A fetched row's values as the model holds them (JSON decoded, SQLite's dates parsed ...)."""
    values = list(values)
    for index, column, functions in converters:
        for function in functions:
            values[index] = function(values[index], column, connection)
    return values


def row(model: type[models.Model], **lookup):
    """The one row `lookup` names (the first by id), or None: `rows(..., limit=1)`."""
    found = rows(model, limit=1, **lookup)
    return found[0] if found else None


def _compiled_insert(model, using: str, fields: list, on_conflict, row) -> tuple[str, list]:
    """Django's INSERT of `row` (RETURNING the database's values), compiled: `(sql, params)`."""
    query = sql.InsertQuery(model, on_conflict=on_conflict)
    query.insert_values(fields, [row])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = model._meta.db_returning_fields
    [(text, params)] = compiler.as_sql()
    return text, params


def _insert_statement(model, connection, using: str, fields: list, on_conflict, row) -> str:
    key = ("insert", model, tuple(f.attname for f in fields), on_conflict)
    text = _statements(connection).get(key)
    if text is None:
        # Compiled on a copy: compiling runs pre_save again, which would stamp the row's timestamps anew.
        text, _params = _compiled_insert(model, using, fields, on_conflict, copy.copy(row))
        _statements(connection)[key] = text
    return text


def insert(row: models.Model, *, or_nothing: bool = False) -> bool:
    """INSERT `row`, as `save()` does a new row (timestamps filled in, its id and the database's values set on it),
    with the SQL built once. `or_nothing`: unless it conflicts with a unique constraint (`INSERT ... ON CONFLICT
    DO NOTHING`; SQLite `INSERT OR IGNORE`). True when it went in. One statement, whatever the outcome."""
    model, opts = type(row), row._meta
    using = router.db_for_write(model)
    connection = connections[using]
    fields = opts.local_concrete_fields
    if row.pk is None:  # as Model.save(): the database numbers the row
        fields = [f for f in fields if f is not opts.auto_field]
    values = [f.pre_save(row, add=True) for f in fields]
    on_conflict = OnConflict.IGNORE if or_nothing else None
    if not all(_plain(value) for value in values) or any(hasattr(f, "get_placeholder") for f in fields):
        text, params = _compiled_insert(model, using, fields, on_conflict, row)  # SQL that depends on the values
    else:
        text = _insert_statement(model, connection, using, fields, on_conflict, row)
        params = [f.get_db_prep_save(value, connection=connection) for f, value in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        returned = cursor.fetchone()
    if returned is None:
        return False
    for value, field in zip(returned, opts.db_returning_fields, strict=True):
        setattr(row, field.attname, value)
    row._state.adding, row._state.db = False, using
    return True


def _find_or_insert(model, lookup: dict, candidate: models.Model) -> tuple[models.Model | None, bool]:
    """The row `lookup` names, or `candidate` inserted (unless it conflicts) when there is none: `(row, created)`.
    `(None, False)` when neither: another transaction inserted the row since this one's snapshot.

    On Postgres one statement does both, a read and an insert that runs only when the read found nothing:

        WITH found AS (SELECT ... WHERE <lookup> LIMIT 1),
             inserted AS (INSERT ... SELECT <values> WHERE NOT EXISTS (SELECT 1 FROM found)
                          ON CONFLICT DO NOTHING RETURNING ...)
        SELECT true, ... FROM inserted UNION ALL SELECT false, ... FROM found

    Elsewhere, or for values only Django can compile, the read and then `insert(..., or_nothing=True)`."""
    using = router.db_for_write(model)
    connection = connections[using]
    opts = model._meta
    fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field or candidate.pk is not None]
    values = [f.pre_save(candidate, add=True) for f in fields]
    if (
        connection.vendor != "postgresql"
        or not all(_plain(value) for value in [*values, *lookup.values()])
        or any(hasattr(f, "get_placeholder") for f in fields)
    ):
        found = row(model, **lookup)
        if found is not None:
            return found, False
        return (candidate, True) if insert(candidate, or_nothing=True) else (None, False)
    names = tuple(lookup)
    nulls = frozenset(name for name, value in lookup.items() if value is None)
    select_text, lookups, attnames, converters = _select(model, connection, names, nulls, 1)
    key = ("find_or_insert", model, names, nulls, tuple(f.attname for f in fields))
    text = _statements(connection).get(key)
    if text is None:
        quote = connection.ops.quote_name
        table = quote(opts.db_table)
        columns = ", ".join(quote(f.column) for f in opts.concrete_fields)
        returning = ", ".join(f"{table}.{quote(f.column)}" for f in opts.concrete_fields)
        text = _statements(connection)[key] = " ".join(
            [  # names from the model's meta; every value a parameter
                f"WITH found AS ({select_text}), inserted AS (",
                f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)})",
                f"SELECT {', '.join(['%s'] * len(fields))} WHERE NOT EXISTS (SELECT 1 FROM found)",  # noqa: S608
                f"ON CONFLICT DO NOTHING RETURNING {returning})",
                f"SELECT true, {columns} FROM inserted UNION ALL SELECT false, {columns} FROM found",  # noqa: S608
            ]
        )
    params = [_lookup_value(f, lookup[n], connection) for n, f in zip(names, lookups, strict=True) if n not in nulls]
    params += [f.get_db_prep_save(value, connection=connection) for f, value in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        fetched = cursor.fetchone()
    if fetched is None:
        return None, False
    created, values = fetched[0], _converted(fetched[1:], converters, connection)
    if created:  # the caller's row, as `insert` leaves it (with the related rows it was given)
        returned = dict(zip(attnames, values, strict=True))
        for field in opts.db_returning_fields:
            setattr(candidate, field.attname, returned[field.attname])
        candidate._state.adding, candidate._state.db = False, using
        return candidate, True
    return model.from_db(using, attnames, values), False


def upsert(
    model: type[models.Model], *, lookup: dict, create_fields: dict, update_fields: dict
) -> tuple[models.Model, bool]:
    """Insert a row, or lock and update the one matching `lookup`. Returns `(row, created)`.

    Safe when called concurrently with itself: the insert is `INSERT ... ON CONFLICT DO NOTHING` (SQLite: `INSERT
    OR IGNORE`), so losing the race to a unique constraint inserts nothing and raises nothing, and the winner's row
    is re-read under a lock and updated instead. A row that would not change (a replay) is read without a lock and
    left alone; one that would is re-read under the lock and compared again. No savepoint. On Postgres the read and
    the insert are one statement (`_find_or_insert`), so a create or a replay costs one statement and an update
    three; elsewhere a create costs two. Call inside a transaction. `lookup` must be covered by a unique
    constraint; a conflict on another one (no row matches `lookup` after the insert did nothing) raises
    IntegrityError, and the transaction is still usable, so a caller may retry with, say, another generated code.
    A create is written with `insert` (no model signal is sent: none is used).
    """
    found, created = _find_or_insert(model, lookup, model(**lookup, **create_fields))
    if created:
        return found, True
    if found is not None and not _changes(found, update_fields):
        return found, False  # a replay: nothing to write, so no lock either (16 replays of one row do not queue)
    locked = model.objects.select_for_update().filter(**lookup).first()
    if locked is None:  # the conflict was on another constraint: not ours to resolve
        raise IntegrityError(f"{model._meta.label}: the insert conflicted with a row another key names")
    changed = _changes(locked, update_fields)
    for name in changed:
        setattr(locked, name, update_fields[name])
    if changed:
        if any(f.name == "updated_at" for f in model._meta.fields):
            changed.append("updated_at")
        locked.save(update_fields=changed)
    return locked, False


def _changes(row: models.Model, update_fields: dict) -> list[str]:
    return [name for name, value in update_fields.items() if _value_of(row, name, value) != value]


def _value_of(row: models.Model, name: str, new_value):
    """The row's `name`, to compare with `new_value`; a foreign key compared by id, without reading the row it
    points to (the id stands in for it: rows are equal when their ids are)."""
    field = row._meta.get_field(name)
    if field.is_relation and field.many_to_one:
        current = getattr(row, field.attname)
        if isinstance(new_value, models.Model):
            return new_value if current == new_value.pk else current
        return current if new_value is None else getattr(row, name)
    return getattr(row, name)
