"""Optumus' share of the upstream tables, as proxies so Django admin lists them on their own."""

from integrations.upstream.models import Provider, UpstreamMapping, UpstreamObject


class OptumusMapping(UpstreamMapping):
    """The studio's brand map for Optumus: a brand id or name -> a client team's name."""

    PROVIDER = Provider.OPTUMUS

    class Meta:
        proxy = True
        verbose_name = "Optumus mapping"


class OptumusOpportunity(UpstreamObject):
    """An Optumus opportunity seen by the webhook: its brief, last status and the time of the last event applied."""

    PROVIDER = Provider.OPTUMUS

    class Meta:
        proxy = True
        verbose_name = "Optumus opportunity"
        verbose_name_plural = "Optumus opportunities"
