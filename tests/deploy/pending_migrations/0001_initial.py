"""A migration no database has applied: `MIGRATION_MODULES` points an app here to make /readyz see one pending."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
