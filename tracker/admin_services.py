"""Django admin through the services: what every app's admin uses so that a state change made there is the same
change the pages make (permission check, history, events), never a raw row edit."""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils.functional import cached_property

from .errors import ApplicationError
from .views import refusal_text


def run_for_each(modeladmin: admin.ModelAdmin, request, queryset, call, done: str) -> None:
    """Apply `call(obj)` (a service call) to each selected row; report how many it changed and each refusal."""
    changed = 0
    for obj in queryset:
        try:
            call(obj)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {refusal_text(error)}", messages.WARNING)
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, f"{done}: {changed}.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the services write (an approval trail, a decision): admins may look, never add, edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows of a parent that only services create: listed, never added or deleted from the parent's page."""

    extra = 0
    can_delete = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.readonly_fields = tuple(cls.fields or ())

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EstimatedCountPaginator(Paginator):
    """A changelist paginator for a log that only grows (receipts, events): unfiltered, a big table's row count
    is Postgres's own estimate (`pg_class.reltuples`, kept by autovacuum) instead of a scan of every row on every
    view; filtered, or small, or on another database, it is the exact count."""

    # Below this many rows an exact count costs less than being a few rows off.
    EXACT_BELOW = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if connection.vendor == "postgresql" and isinstance(queryset, QuerySet) and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                               [queryset.model._meta.db_table])  # fmt: skip
                row = cursor.fetchone()
            if row and row[0] >= self.EXACT_BELOW:
                return row[0]
        return super().count


class CheapChangelist(admin.ModelAdmin):
    """What every changelist over a big table sets: no second count of the whole table beside the filtered one
    ("N of M selected" reads "Show all" instead), no date drill-down (it reads every row's date to draw the years
    and months: a date filter with fixed choices, today, past 7 days, ..., takes its place), and 50 rows a page."""

    show_full_result_count = False
    date_hierarchy = None
    list_per_page = 50  # Django's 100 rows are most of a changelist's time: its template renders each cell
