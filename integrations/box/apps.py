from django.apps import AppConfig


class BoxConfig(AppConfig):
    name = "integrations.box"
    label = "box"
