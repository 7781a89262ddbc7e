"""Django admin through the services: what every app's admin uses so that a state change made there is the same
change the pages make (permission check, history, events), never a raw row edit."""

from django.contrib import admin, messages

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
