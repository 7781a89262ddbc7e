"""The sidebar's entries, registered by the apps that own the pages they link to.

`tracker` draws the sidebar (`templates/base.html`) but names no app above it: each app registers its entries in
its `AppConfig.ready()`, and the page renders whatever is registered, in order.

    register_nav_item("briefs", "Briefs", "briefs:inbox", order=10, count=pending_briefs_count,
                      count_testid="pending-briefs-count")
    register_nav_item("pipelines", "Pipelines", "projects:pipelines", order=10, section=SETTINGS)

Sections: MAIN is the list of top-level links; SETTINGS is the admin's settings menu (shown to ADMIN_SETTINGS,
the "Settings" link opens its first entry). A MAIN entry lights up (`aria-current`) on the pages of its URL
namespace, and of any namespace added with `register_nav_namespace`; a SETTINGS entry on the pages under its URL.

`count(user) -> int` puts a badge on the entry. It must cost one query whatever the data (a COUNT): the sidebar
runs each registered count once per request, so a page costs one query per counting entry plus the bell's.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from .models import User
from .selectors import notification_unread_count

MAIN = "main"
SETTINGS = "settings"
SECTIONS = (MAIN, SETTINGS)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int
    section: str
    count: Callable[[User], int] | None = None
    count_testid: str | None = None
    # Shown only to users for whom this is true (None: everyone); it must not query the database.
    visible: Callable[[User], bool] | None = None


_items: dict[str, NavItem] = {}
_namespaces: dict[str, set[str]] = {}


def register_nav_item(
    key: str,
    label: str,
    url_name: str,
    order: int,
    section: str = MAIN,
    count: Callable[[User], int] | None = None,
    *,
    count_testid: str | None = None,
    visible: Callable[[User], bool] | None = None,
) -> NavItem:
    """Add (or, for a key already registered, replace) a sidebar entry. `url_name` is resolved when a page renders,
    so it may name a URL of the registering app before the URLconf is loaded."""
    if section not in SECTIONS:
        raise ValueError(f"unknown sidebar section {section!r}: use one of {', '.join(SECTIONS)}")
    item = NavItem(
        key=key,
        label=label,
        url_name=url_name,
        order=order,
        section=section,
        count=count,
        count_testid=count_testid or f"{key}-count",
        visible=visible,
    )
    _items[key] = item
    namespace = url_name.rpartition(":")[0]
    if namespace:
        register_nav_namespace(key, namespace)
    return item


def register_nav_namespace(key: str, namespace: str) -> None:
    """Light up the entry `key` on the pages of URL namespace `namespace` too (e.g. a project's deliverables
    belong under "Projects"). The entry may be registered later."""
    _namespaces.setdefault(key, set()).add(namespace)


def nav_items(section: str = MAIN) -> list[NavItem]:
    return sorted((item for item in _items.values() if item.section == section), key=lambda i: (i.order, i.key))


@dataclass(frozen=True)
class NavLink:
    """One entry as a page shows it."""

    key: str
    label: str
    href: str
    active: bool
    count: int | None
    count_testid: str | None


@dataclass(frozen=True)
class Sidebar:
    main: list[NavLink]
    settings: list[NavLink]
    in_settings: bool
    unread_notifications: int

    @property
    def settings_href(self) -> str | None:
        return self.settings[0].href if self.settings else None


EMPTY_SIDEBAR = Sidebar(main=[], settings=[], in_settings=False, unread_notifications=0)


def _links(request: HttpRequest, section: str, namespace: str | None, in_settings: bool) -> list[NavLink]:
    user = request.user
    links = []
    for item in nav_items(section):
        if item.visible is not None and not item.visible(user):
            continue
        href = reverse(item.url_name)
        if section == MAIN:
            # A settings page (Settings -> Pipelines lives in the projects namespace) lights up "Settings" only.
            active = not in_settings and (
                href == request.path or (bool(namespace) and namespace in _namespaces.get(item.key, ()))
            )
        else:
            active = href in request.path
        links.append(
            NavLink(
                key=item.key,
                label=item.label,
                href=href,
                active=active,
                count=item.count(user) if item.count is not None else None,
                count_testid=item.count_testid if item.count is not None else None,
            )
        )
    return links


def sidebar_for_request(request: HttpRequest) -> Sidebar:
    """The sidebar of the signed-in user's page, built once per request: one query per counting entry and one for
    the unread notifications, however many rows they count."""
    cached = getattr(request, "_tracker_sidebar", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return EMPTY_SIDEBAR
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else None
    in_settings = "/settings/" in request.path
    sidebar = Sidebar(
        main=_links(request, MAIN, namespace, in_settings),
        settings=_links(request, SETTINGS, namespace, in_settings),
        in_settings=in_settings,
        unread_notifications=notification_unread_count(user),
    )
    request._tracker_sidebar = sidebar
    return sidebar
