"""What the review pages share: a service call whose refusal becomes a message, and form errors as messages."""

from collections.abc import Callable

from django.contrib import messages

from tracker.errors import ApplicationError
from tracker.views import show_refusal


def show_form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = (form.fields[field].label or field.replace("_", " ")) if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label.capitalize()}: {error}" if label else error)


def run_service(request, call: Callable[[], object], success: str | None = None) -> bool:
    """Call a service; a refusal becomes an error message on the next page (`show_refusal`)."""
    try:
        call()
    except ApplicationError as error:
        show_refusal(request, error)
        return False
    if success:
        messages.success(request, success)
    return True
