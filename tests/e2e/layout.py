"""Layout checks shared by the browser tests: a page fits its width, its titles are readable, its actions reachable.

The check itself runs in the page (layout_problems.js): the page must not scroll sideways; each title and active tab
must lie inside the viewport on a background it contrasts with (not the sidebar's dark band); every visible action in
the content must lie inside the viewport's width.
"""

from pathlib import Path

# The file opens with a comment line; Playwright takes the script as a function only when it starts with one.
LAYOUT_PROBLEMS_JS = (Path(__file__).parent / "layout_problems.js").read_text().split("\n", 1)[1]


WIDTHS = {"desktop": (1280, 900), "tablet": (768, 1024), "phone": (390, 844)}


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS_JS)
