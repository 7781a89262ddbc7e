"""Writes for the formal review workflow, one module per job: `revisions` (a new round and its carry-forward),
`feedback` (pins and feedback items), `sessions` (review sessions) and `gate` (the FORMAL approval gate).

Permissions are checked in these services with `require_permission`, so every page and API that calls one gets
the same answer. Stage and status changes of a deliverable go through `deliverables.services` (its one state
machine); Revision rows are written only by `deliverables.revisions`. Refusals are `ApplicationError`s with a
message a person can act on: ConflictError (409) for a state that does not allow the change,
PermissionDeniedError (403), NotFoundError (404), plain ApplicationError (400) for bad input.

Callers import from the modules. `revision_upload` is also offered here because it is how the rest of the
project hands reviews a file (the Box inbound integration, the demo data).
"""

from .revisions import revision_upload

__all__ = ["revision_upload"]
