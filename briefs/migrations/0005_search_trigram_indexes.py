from django.db import migrations

from tracker.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    """The inbox search's fields (`briefs.selectors.brief_filtered`), indexed for `icontains` on Postgres."""

    dependencies = [("briefs", "0004_inbox_order_index")]

    operations = trigram_indexes(
        "briefs_brief", "title", "description", "requestor_name", "requestor_email", "external_id"
    )
