from django.db import migrations

from tracker.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    """The deliverable name the deliverables list and the review builder search, indexed for `icontains` on
    Postgres."""

    dependencies = [("deliverables", "0005_revision_thumbnail")]

    operations = trigram_indexes("deliverables_deliverable", "name")
