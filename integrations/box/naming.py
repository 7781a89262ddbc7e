"""The external-delivery naming convention: `{omgJobNumber}_{slug}_v{round}`, both ways.

Pure functions with no Box or database imports, so any transport that delivers folders to the client (Box
today, the OMG API later) names them the same way and the inbound matcher reads them back the same way.
"""

import re
from dataclasses import dataclass

# Characters Box refuses in item names; an OMG number carrying one still gets a usable folder name.
_UNSAFE = re.compile(r"[\\/\x00-\x1f]")
_ROUND_SUFFIX = re.compile(r"^(?P<stem>.+)_v(?P<round>[1-9][0-9]*)$", re.IGNORECASE)


@dataclass(frozen=True)
class DeliveryFolderName:
    omg_job_number: str
    slug: str
    round: int


def delivery_folder_name(*, omg_job_number: str, slug: str, round: int) -> str:
    """`OMG-10001_hero-banner_v3`. Raises ValueError for a missing OMG number or slug or a round below 1."""
    omg = _UNSAFE.sub("-", (omg_job_number or "").strip())
    if not omg:
        raise ValueError("an OMG job number is needed to name the delivery folder")
    if not slug:
        raise ValueError("a slug is needed to name the delivery folder")
    if round < 1:
        raise ValueError("rounds start at 1")
    return f"{omg}_{slug}_v{round}"


def parse_delivery_folder_name(name: str) -> list[DeliveryFolderName]:
    """Every reading of a folder name as `{omg}_{slug}_v{round}`, the likeliest first; [] when it is none.

    Both an OMG number and a slug may contain underscores, so `A_B_c_v2` reads as (`A`, `B_c`) or (`A_B`, `c`).
    OMG numbers rarely carry one, so splitting at the first underscore comes first; the matcher keeps the
    first reading whose OMG number and slug both exist.
    """
    match = _ROUND_SUFFIX.match((name or "").strip())
    if match is None:
        return []
    stem, round_ = match.group("stem"), int(match.group("round"))
    readings = []
    for index, char in enumerate(stem):
        if char != "_":
            continue
        omg, slug = stem[:index], stem[index + 1 :]
        if omg and slug:
            readings.append(DeliveryFolderName(omg_job_number=omg, slug=slug.lower(), round=round_))
    return readings
