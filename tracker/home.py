"""The home page's tiles, registered by the apps whose numbers they show.

The home page (`tracker.views.home`, the landing page after sign-in) belongs to `tracker`, which never imports the
apps above it. Each app that has something a role should see first registers a tile in its `AppConfig.ready()`:

    register_tile("briefs-waiting", "Briefs waiting", roles=(PRODUCER, ADMIN), section=PRODUCTION, order=10,
                  count=briefs_waiting_tile, url=lambda user: reverse("briefs:inbox"))

`count(user, organisation) -> TileCount | int` must cost a fixed number of queries whatever the data (a COUNT or
one aggregate): the page runs every tile of the user's role once, so the page's query count does not grow with
rows. `url(user)` is the filtered list the tile opens; it must not query.

A superuser is shown the ADMIN tiles. A role without tiles sees the page's empty state.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .models import Organisation, User

# Sections, in the order the page shows them. Integration health comes first: only admins see it, and it is the
# first thing an admin's day is for.
INTEGRATIONS = "integrations"  # what the edges did (admins)
ATTENTION = "attention"  # what waits for this person
PRODUCTION = "production"  # the studio's deadlines
SECTIONS = {
    INTEGRATIONS: "Integration health",
    ATTENTION: "Waiting for you",
    PRODUCTION: "Production",
}


@dataclass(frozen=True)
class TileCount:
    """What a tile shows: the number, an optional line under it ("oldest 3 days"), an optional breakdown
    (label, number) and whether a non-zero number is bad news (drawn as an alert)."""

    value: int
    note: str = ""
    breakdown: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Tile:
    key: str
    title: str
    roles: frozenset[str]
    section: str
    order: int
    count: Callable[[User, Organisation], "TileCount | int"]
    url: Callable[[User], str]
    alert: bool = False  # a non-zero count is a problem (failures, overdue work), not just work to do
    empty: str = ""  # what the tile says at zero


@dataclass(frozen=True)
class ShownTile:
    """One tile as the page draws it."""

    key: str
    title: str
    href: str
    value: int
    note: str
    breakdown: tuple[tuple[str, int], ...]
    alert: bool
    empty: str


@dataclass
class HomeSection:
    key: str
    title: str
    tiles: list[ShownTile] = field(default_factory=list)


_tiles: dict[str, Tile] = {}


def register_tile(
    key: str,
    title: str,
    *,
    roles: Iterable[str],
    section: str,
    order: int,
    count: Callable[[User, Organisation], "TileCount | int"],
    url: Callable[[User], str],
    alert: bool = False,
    empty: str = "",
) -> Tile:
    """Add (or, for a key already registered, replace) a tile shown to the users of `roles`."""
    if section not in SECTIONS:
        raise ValueError(f"unknown home section {section!r}: use one of {', '.join(SECTIONS)}")
    tile = Tile(key, title, frozenset(roles), section, order, count, url, alert, empty)
    _tiles[key] = tile
    return tile


def home_role(user: User) -> str:
    """The role whose tiles the user sees: a superuser is an admin whatever their role field says."""
    return User.Role.ADMIN if user.is_superuser else user.role


def tiles_for(user: User) -> list[Tile]:
    role = home_role(user)
    return sorted(
        (t for t in _tiles.values() if role in t.roles), key=lambda t: (list(SECTIONS).index(t.section), t.order, t.key)
    )


def home_sections(user: User, organisation: Organisation) -> list[HomeSection]:
    """The user's tiles with their numbers, grouped by section in page order (empty sections left out)."""
    sections: dict[str, HomeSection] = {}
    for tile in tiles_for(user):
        counted = tile.count(user, organisation)
        if not isinstance(counted, TileCount):
            counted = TileCount(value=counted)
        section = sections.setdefault(tile.section, HomeSection(tile.section, SECTIONS[tile.section]))
        section.tiles.append(
            ShownTile(
                key=tile.key,
                title=tile.title,
                href=tile.url(user),
                value=counted.value,
                note=counted.note,
                breakdown=counted.breakdown,
                alert=tile.alert and counted.value > 0,
                empty=tile.empty,
            )
        )
    return list(sections.values())
