"""Pages of the intake log beyond Django admin's own: the receipts list's "Download XLSX"."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required

from tracker.errors import PermissionDeniedError
from tracker.export import dated_name, xlsx_response

from .models import WebhookReceipt

HEADERS = ("Received", "Route", "Status", "Outcome", "External key", "Event", "Action", "Object id", "Source IP",
           "Signature verified", "Body SHA-256", "Body bytes", "Error", "Payload id", "Detail")  # fmt: skip


@staff_member_required
def receipts_export(request):
    """Exactly the receipts admin's changelist shows for the same query string (its filters, search and date
    drill-down, every page), for whoever may view that list."""
    model_admin = admin.site.get_model_admin(WebhookReceipt)
    if not model_admin.has_view_permission(request):
        raise PermissionDeniedError("you may not view webhook receipts")
    receipts = model_admin.get_changelist_instance(request).get_queryset(request)
    rows = (
        (r.created_at, r.get_route_display(), r.status_code, r.get_outcome_display(), r.external_key, r.event,
         r.action, r.object_id, r.source_ip, r.signature_verified, r.body_sha256, r.body_bytes, r.error,
         r.payload_id, r.detail)
        for r in receipts.iterator(chunk_size=1000)
    )  # fmt: skip
    return xlsx_response(file_name=dated_name("webhook-receipts"), headers=HEADERS, rows=rows, sheet_title="Receipts")
