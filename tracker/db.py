"""Database helpers shared by the domain services."""

from django.db import IntegrityError, connections, models, router
from django.db.models import sql
from django.db.models.constants import OnConflict


def upsert(
    model: type[models.Model], *, lookup: dict, create_fields: dict, update_fields: dict
) -> tuple[models.Model, bool]:
    """Insert a row, or lock and update the one matching `lookup`. Returns `(row, created)`.

    Safe when called concurrently with itself: the insert is `INSERT ... ON CONFLICT DO NOTHING` (SQLite: `INSERT
    OR IGNORE`), so losing the race to a unique constraint inserts nothing and raises nothing, and the winner's row
    is re-read under a lock and updated instead. A row that would not change (a replay) is read without a lock and
    left alone; one that would is re-read under the lock and compared again. No savepoint: a create costs two
    statements, a replay one, an update three. Call inside a transaction. `lookup` must be covered by a unique
    constraint; a conflict on another one (no row matches `lookup` after the insert did nothing) raises
    IntegrityError, and the transaction is still usable, so a caller may retry with, say, another generated code.
    Rows are written without `save()`, so no model signal is sent (none is used).
    """
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **create_fields)
        if _insert_or_nothing(row):
            return row, True
    elif not _changes(row, update_fields):
        return row, False  # a replay: nothing to write, so no lock either (16 replays of one row do not queue)
    row = model.objects.select_for_update().filter(**lookup).first()
    if row is None:  # the conflict was on another constraint: not ours to resolve
        raise IntegrityError(f"{model._meta.label}: the insert conflicted with a row another key names")
    changed = _changes(row, update_fields)
    for name in changed:
        setattr(row, name, update_fields[name])
    if changed:
        if any(f.name == "updated_at" for f in model._meta.fields):
            changed.append("updated_at")
        row.save(update_fields=changed)
    return row, False


def _insert_or_nothing(row: models.Model) -> bool:
    """INSERT `row` unless it conflicts with a unique constraint; True (with its pk and the database's values
    set, as `save()` would) when it went in. One statement, whatever the outcome."""
    opts = row._meta
    using = router.db_for_write(type(row))
    fields = opts.local_concrete_fields
    if row.pk is None:  # as Model.save(): the database numbers the row
        fields = [f for f in fields if f is not opts.auto_field]
    query = sql.InsertQuery(type(row), on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [row])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = opts.db_returning_fields
    [(statement, params)] = compiler.as_sql()
    with connections[using].cursor() as cursor:
        cursor.execute(statement, params)
        returned = cursor.fetchone()
    if returned is None:
        return False
    for value, field in zip(returned, opts.db_returning_fields, strict=True):
        setattr(row, field.attname, value)
    row._state.adding, row._state.db = False, using
    return True


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
