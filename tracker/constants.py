from django.db import models


class Priority(models.TextChoices):
    """Shared by briefs, projects and deliverables; ordered by `PRIORITY_RANK` for sorting."""

    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    URGENT = "URGENT", "Urgent"


PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3, Priority.URGENT: 4}
