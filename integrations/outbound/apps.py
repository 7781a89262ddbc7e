from django.apps import AppConfig


class OutboundConfig(AppConfig):
    name = "integrations.outbound"
    label = "outbound"
