"""Names the Optimizely CMP adapter uses everywhere: who it is in history and receipts, and its upstream kinds."""

from integrations.upstream.models import Provider
from integrations.upstream.services import system_name

PROVIDER = Provider.OPTIMIZELY
SYSTEM = system_name(PROVIDER)  # "Optimizely CMP", as the deliverable's history shows it
BRIEF_SOURCE = "webhook:optimizely-cmp"
SECRET_SETTING = "OPTIMIZELY_CMP_CALLBACK_SECRET"

TASK = "task"  # UpstreamObject.kind of a CMP task: the link to its brief, project and deliverable
ASSET = "asset"  # UpstreamObject.kind of an asset added to a task: which task (and so deliverable) it belongs to
