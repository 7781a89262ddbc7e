from django.db import migrations

from tracker.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    """The project search's fields (the projects list, `GET /api/v1/projects?q=`, the deliverables list's project
    match), indexed for `icontains` on Postgres."""

    dependencies = [("projects", "0005_list_and_updated_indexes")]

    operations = trigram_indexes("projects_project", "name", "project_code", "omg_job_number")
