"""Django admin views of the upstream tables for Creative Force alone (proxies: no tables of their own)."""

from integrations.upstream.models import UpstreamMapping, UpstreamObject


class CreativeForceMapping(UpstreamMapping):
    """The studio's Creative Force mappings: step -> stage, job and product status, client -> team, CF user."""

    class Meta:
        proxy = True
        verbose_name = "Creative Force mapping"


class CreativeForceObject(UpstreamObject):
    """A Creative Force job, product or task the adapter has seen, and what it is linked to here."""

    class Meta:
        proxy = True
        verbose_name = "Creative Force object"
