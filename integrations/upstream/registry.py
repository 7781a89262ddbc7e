"""The adapters the settings page lists. Each adapter app registers itself in `AppConfig.ready()`, so this app
never imports them."""

from dataclasses import dataclass, field

from integrations.webhooks.secrets import configured_secrets


@dataclass(frozen=True)
class Adapter:
    provider: str  # a `Provider` value
    label: str
    routes: list[tuple[str, str]] = field(default_factory=list)  # (receipt route, URL name)
    secret_setting: str = ""
    docs_anchor: str = ""
    has_mappings: bool = True  # the guide's own webhooks have none

    @property
    def configured(self) -> bool:
        return bool(configured_secrets(self.secret_setting))

    @property
    def rotating(self) -> bool:
        """Whether a previous secret is still accepted (a rotation in progress)."""
        return len(configured_secrets(self.secret_setting)) > 1


_ADAPTERS: dict[str, Adapter] = {}


def register_adapter(adapter: Adapter) -> Adapter:
    _ADAPTERS[adapter.provider] = adapter
    return adapter


def adapters() -> list[Adapter]:
    """The upstream adapters by name, then the guide's own webhooks."""
    return sorted(_ADAPTERS.values(), key=lambda adapter: (not adapter.has_mappings, adapter.label))


def register_guide_webhooks() -> None:
    """The Integration Guide's three webhooks, listed on the same page so one place shows every inbound system."""
    for route, label, secret in (
        ("briefs", "Briefs webhook", "BRIEF_WEBHOOK_SECRET"),
        ("omg", "OMG projects webhook", "OMG_WEBHOOK_SECRET"),
        ("deliverables", "Deliverables webhook", "DELIVERABLE_WEBHOOK_SECRET"),
    ):
        register_adapter(
            Adapter(route, label, [(route, f"inbound:webhook-{route}")], secret, "INTEGRATION_GUIDE.md", False)
        )
