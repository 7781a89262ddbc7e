from projects.models import PipelineTemplate
from tracker.models import Organisation


def pipeline_template_default(*, organisation: Organisation) -> PipelineTemplate | None:
    return (
        PipelineTemplate.objects.filter(organisation=organisation, is_default=True).prefetch_related("stages").first()
    )
