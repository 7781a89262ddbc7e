from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The composition root for `make run`: `manage.py demo` loads a demo studio through every app's services,
    `manage.py welcome` prints where to sign in. It may import every app; no app imports it."""

    name = "demo"
    verbose_name = "Demo data"
