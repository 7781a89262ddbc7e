"""Writes of the Optimizely CMP adapter: the task ↔ deliverable link (`links`) and the task assets' downloads
(`assets`). Event handling, which calls these, is `mapping`."""

from .assets import AssetRetryLater, asset_fetch_attempt, asset_fetch_sweep, asset_record
from .links import (
    task_apply_assignee,
    task_apply_due_date,
    task_brief,
    task_link,
    task_link_promoted,
    task_lock,
    task_unlink,
)

__all__ = [
    "AssetRetryLater",
    "asset_fetch_attempt",
    "asset_fetch_sweep",
    "asset_record",
    "task_apply_assignee",
    "task_apply_due_date",
    "task_brief",
    "task_link",
    "task_link_promoted",
    "task_lock",
    "task_unlink",
]
