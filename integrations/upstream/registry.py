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
    return sorted(_ADAPTERS.values(), key=lambda adapter: adapter.label)
