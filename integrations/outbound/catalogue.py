"""The events other systems may subscribe to, in the groups the settings page shows (as Creative Force groups its
own), with a line each. docs/WEBHOOKS.md has an example body for every one."""

from dataclasses import dataclass

TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str


GROUPS: list[tuple[str, list[EventType]]] = [
    (
        "Briefs",
        [
            EventType("brief.received", "A new brief arrived (webhook, API or the inbox)."),
            EventType("brief.updated", "An upstream system sent a brief again with changes."),
            EventType("brief.accepted", "A brief was promoted to a project (the project is in the body)."),
            EventType("brief.rejected", "A brief was rejected, with the reason."),
            EventType("brief.reopened", "A rejected or accepted brief went back to pending."),
        ],
    ),
    (
        "Projects",
        [
            EventType("project.created", "A project was created (from a brief, upstream or by hand)."),
            EventType("project.updated", "A project's fields changed."),
        ],
    ),
    (
        "Deliverables",
        [
            EventType("deliverable.created", "A deliverable was added to a project."),
            EventType("deliverable.updated", "A deliverable's fields changed."),
            EventType("deliverable.status_changed", "A deliverable's status changed (the previous one is included)."),
            EventType("deliverable.stage_completed", "A pipeline stage was completed; the next one is current."),
            EventType(
                "deliverable.changes_requested", "A review asked for changes: the deliverable is back at Amends."
            ),
            EventType("deliverable.approved", "A deliverable reached APPROVED."),
            EventType("revision.created", "A new revision (file round) was uploaded or arrived from Box or the API."),
        ],
    ),
    (
        "Reviews",
        [
            EventType("review_session.started", "A review session started."),
            EventType("review_session.completed", "A review session completed, with its decisions."),
            EventType("feedback.created", "Feedback (or an annotation's action item) was added."),
            EventType("feedback.resolved", "A feedback item was resolved or marked won't fix."),
        ],
    ),
    ("Box", [EventType("box.push_failed", "A push of approved work to the client's Box failed for good.")]),
    ("Webhooks", [EventType(TEST_EVENT, "Sent by “Send test event”; only to the endpoint that asked.")]),
]

EVENT_NAMES: tuple[str, ...] = tuple(event.name for _, events in GROUPS for event in events)
# What an endpoint can choose: the test event goes to whoever asks for it, whatever they subscribe to.
SUBSCRIBABLE: tuple[str, ...] = tuple(name for name in EVENT_NAMES if name != TEST_EVENT)
