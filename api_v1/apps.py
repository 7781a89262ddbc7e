from django.apps import AppConfig


class ApiV1Config(AppConfig):
    """The external API v1 for machine clients holding an API key, mounted at `api/v1/`.

    An edge app like `integrations`: it reads and writes through the domain apps; no domain app imports it.
    Its plumbing (API keys, idempotency, errors, pagination, throttling, schema) is `tracker.api`.
    """

    name = "api_v1"
    verbose_name = "External API v1"
