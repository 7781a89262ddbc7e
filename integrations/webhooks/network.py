"""Who is calling: the one `source_ip` lives in `tracker.network` (sign-in lockouts count by it too); the webhook
receivers keep importing it from here."""

from tracker.network import source_ip

__all__ = ["source_ip"]
