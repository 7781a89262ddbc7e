from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "integrations.inbound"
    label = "inbound"
