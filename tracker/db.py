"""Database helpers shared by the domain services."""

from django.db import IntegrityError, models, transaction


def upsert(
    model: type[models.Model], *, lookup: dict, create_fields: dict, update_fields: dict
) -> tuple[models.Model, bool]:
    """Insert a row, or lock and update the one matching `lookup`. Returns `(row, created)`.

    Safe when called concurrently with itself: the insert runs in a savepoint, and losing the race to a
    unique constraint re-reads the winner's row under a lock and updates it instead. Call inside a
    transaction. `lookup` must be covered by a unique constraint.
    """
    row = model.objects.select_for_update().filter(**lookup).first()
    if row is None:
        try:
            with transaction.atomic():
                return model.objects.create(**lookup, **create_fields), True
        except IntegrityError:
            row = model.objects.select_for_update().filter(**lookup).first()
            if row is None:  # the conflict was on another constraint: not ours to resolve
                raise
    changed = [name for name, value in update_fields.items() if _value_of(row, name, value) != value]
    for name in changed:
        setattr(row, name, update_fields[name])
    if changed:
        if any(f.name == "updated_at" for f in model._meta.fields):
            changed.append("updated_at")
        row.save(update_fields=changed)
    return row, False


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
