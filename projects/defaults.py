"""What a deployment starts with: the client teams and the default 11-stage pipeline, which the first migration
(`0003_default_organisation_teams_pipeline`) creates for the default organisation."""

CLIENT_TEAMS = [
    ("Brand", "brand"),
    ("Events", "events"),
    ("B2B", "b2b"),
    ("Content", "content"),
    ("Briefing Team", "briefing-team"),
    ("Performance", "performance"),
]

DEFAULT_PIPELINE = [
    ("Pipeline", "pipeline", "NONE"),
    ("New", "new", "NONE"),
    ("Briefing", "briefing", "NONE"),
    ("Concept", "concept", "NONE"),
    ("Design", "design", "NONE"),
    ("Internal Review", "internal-review", "SIMPLE"),
    ("Client Review", "client-review", "FORMAL"),
    ("Amends", "amends", "NONE"),
    ("Final Approval", "final-approval", "FORMAL"),
    ("Delivery", "delivery", "NONE"),
    ("Completed", "completed", "NONE"),
]
