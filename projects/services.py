"""Writes for projects: create, upsert on the OMG job number, update; and the pipeline editor's writes.

Every function is transactional and safe to call concurrently with itself. Each write checks its actor's
permission itself (`require_permission`): PROJECT_CREATE / PROJECT_EDIT for projects, ADMIN_SETTINGS for the
pipeline editor; `actor=None` is an upstream system its edge already authenticated.
"""

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from tracker.db import upsert
from tracker.errors import ApplicationError, ConflictError, NotFoundError
from tracker.events import emit
from tracker.models import Organisation
from tracker.permissions import Permission, require_permission

from .models import ApprovalType, PipelineStageTemplate, PipelineTemplate, Project
from .selectors import pipeline_template_default

# Fields a caller may set on a project (the model's names).
PROJECT_FIELDS = (
    "name",
    "status",
    "priority",
    "client_team",
    "business_unit",
    "client",
    "description",
    "notes",
    "outputs",
    "start_date",
    "due_date",
    "requestor",
    "owner",
    "custom_fields",
    "pipeline_template",
    "source",
)


def _project_code_candidate(today: date) -> str:
    return f"PRJ-{today:%Y}-{secrets.token_hex(3).upper()}"


def _event_payload(project: Project) -> dict:
    # organisationId lets a recorder that only needs the organisation (the outbound one, to find the endpoints
    # that want the event) skip loading the project: for a project written in bulk (a 10,000-row import) that
    # load was a quarter of each row's cost.
    return {
        "organisationId": str(project.organisation_id),
        "projectId": str(project.pk),
        "projectCode": project.project_code,
        "omgJobNumber": project.omg_job_number,
        "name": project.name,
        "status": project.status,
    }


def _only_known(fields: dict) -> dict:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    return fields


def _check_dates(start: date | None, due: date | None) -> None:
    if start and due and due < start:
        raise ApplicationError(f"the due date ({due:%-d %b %Y}) is before the start date", {"field": "due_date"})


def _with_pipeline(organisation: Organisation, fields: dict) -> dict:
    """A new project records the pipeline its deliverables will copy: the one asked for, else the default at
    creation (so a later change of default never changes which stages its next deliverable gets)."""
    if fields.get("pipeline_template") is None:
        fields = {**fields, "pipeline_template": pipeline_template_default(organisation=organisation)}
    return fields


@transaction.atomic
def project_create(
    *,
    organisation: Organisation,
    actor=None,
    project_code: str | None = None,
    omg_job_number: str | None = None,
    **fields,
) -> Project:
    """Create a project. Without a `project_code`, a unique one is generated (PRJ-<year>-<hex>).

    A duplicate `project_code` or OMG job number raises ConflictError. A person needs PROJECT_CREATE;
    `actor=None` is an intake path that its edge already authenticated.
    """
    require_permission(actor, Permission.PROJECT_CREATE)
    fields = _with_pipeline(organisation, _only_known(fields))
    _check_dates(fields.get("start_date"), fields.get("due_date"))
    for _attempt in range(5):
        code = project_code or _project_code_candidate(timezone.localdate())
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    organisation=organisation, project_code=code, omg_job_number=omg_job_number, **fields
                )
        except IntegrityError as error:
            if project_code is None and Project.objects.filter(project_code=code).exists():
                continue  # the generated code collided: try another one
            raise ConflictError(_conflict_message(code, omg_job_number)) from error
        emit("project.created", _event_payload(project))
        return project
    raise ConflictError("could not generate a unique project code")


def _conflict_message(code: str, omg_job_number: str | None) -> str:
    if Project.objects.filter(project_code=code).exists():
        return f"project code {code!r} already exists"
    if omg_job_number and Project.objects.filter(omg_job_number=omg_job_number).exists():
        return f"OMG job number {omg_job_number!r} already exists"
    return "project conflicts with an existing one"


@transaction.atomic
def project_upsert_by_omg(
    *,
    organisation: Organisation,
    omg_job_number: str,
    project_code: str | None = None,
    create_only: dict | None = None,
    **fields,
) -> tuple[Project, bool]:
    """Create or update the project keyed by its OMG job number. Returns `(project, created)`.

    Only the fields passed are written on update, so an upstream update that omits a field keeps the
    stored value. `project_code` (generated when not given) and `create_only` (e.g. source, pipeline
    template) are used on create only. A number held by another organisation's project is a ConflictError,
    and nothing is written.
    """
    _only_known(fields)
    create_fields = _with_pipeline(organisation, {**_only_known(dict(create_only or {})), **fields})
    for _attempt in range(5):
        code = project_code or _project_code_candidate(timezone.localdate())
        try:
            project, created = upsert(
                Project,
                lookup={"omg_job_number": omg_job_number},
                create_fields={"organisation": organisation, "project_code": code, **create_fields},
                update_fields=fields,
            )
        except IntegrityError as error:
            if project_code is None and not Project.objects.filter(omg_job_number=omg_job_number).exists():
                continue  # the generated code collided: try another one
            raise ConflictError(_conflict_message(code, None)) from error
        if project.organisation_id != organisation.pk:
            raise ConflictError(f"OMG job number {omg_job_number!r} already exists")  # rolls the update back
        emit("project.created" if created else "project.updated", _event_payload(project))
        return project, created
    raise ConflictError("could not generate a unique project code")


@transaction.atomic
def project_intake(
    *,
    organisation: Organisation,
    omg_job_number: str | None = None,
    project_code: str | None = None,
    create_only: dict | None = None,
    **fields,
) -> tuple[Project, bool]:
    """The one intake write for projects (OMG webhook, REST twin, /api/v1, and every later channel): upsert on
    the OMG job number when one is given (all intake paths key on it), otherwise create. Returns
    `(project, created)`. The channel passes its `source` (and any other create-only field) in `create_only`;
    an update writes only `fields`, so an omitted optional field never overwrites a stored one."""
    if omg_job_number:
        return project_upsert_by_omg(
            organisation=organisation,
            omg_job_number=omg_job_number,
            project_code=project_code,
            create_only=create_only,
            **fields,
        )
    return project_create(organisation=organisation, project_code=project_code, **(create_only or {}), **fields), True


_UNCHANGED = object()


@transaction.atomic
def project_update(*, project: Project, actor=None, omg_job_number: str | None = _UNCHANGED, **fields) -> Project:
    """Write the fields passed. `omg_job_number` may be set or cleared too (the producer's edit form); one that
    another project already holds raises ConflictError with `{"field": "omg_job_number"}`. A person needs
    PROJECT_EDIT; `actor=None` is an intake path that its edge already authenticated."""
    require_permission(actor, Permission.PROJECT_EDIT)
    _only_known(fields)
    if omg_job_number is not _UNCHANGED:
        fields["omg_job_number"] = omg_job_number or None
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_dates(fields.get("start_date", project.start_date), fields.get("due_date", project.due_date))
    changed = [name for name, value in fields.items() if getattr(project, name) != value]
    for name in changed:
        setattr(project, name, fields[name])
    if changed:
        try:
            with transaction.atomic():
                project.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise ConflictError(
                f"OMG job number {omg_job_number!r} already exists", {"field": "omg_job_number"}
            ) from error
        emit("project.updated", _event_payload(project))
    return project


# --- Pipeline templates ---------------------------------------------------------------------------------------
# A template is a recipe: deliverables copy its stages when they are created, so editing a template never
# touches the Stage rows of existing deliverables (their `template_stage` link is SET_NULL on removal).
# Every structural change locks the template row first, so concurrent edits of one template run one at a time
# and stage orders stay a dense 0..n-1 sequence.


def _lock_template(template: PipelineTemplate) -> PipelineTemplate:
    return PipelineTemplate.objects.select_for_update().get(pk=template.pk)


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(f"give the {what} a name", {"field": "name"})
    return name


def _renumber(template: PipelineTemplate) -> list[PipelineStageTemplate]:
    stages = list(template.stages.order_by("order", "id"))
    for index, stage in enumerate(stages):
        stage.order = index
    PipelineStageTemplate.objects.bulk_update(stages, ["order"])
    return stages


def _free_stage_slug(template: PipelineTemplate, name: str) -> str:
    base = slugify(name)[:100] or "stage"
    taken = set(template.stages.values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


@transaction.atomic
def pipeline_template_create(
    *, organisation: Organisation, actor, name: str, copy_from: PipelineTemplate | None = None
) -> PipelineTemplate:
    """Create a template, optionally starting from a copy of another one's stages. Names are unique per
    organisation (a database constraint): a duplicate raises ConflictError."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    name = _clean_name(name, "pipeline")
    try:
        with transaction.atomic():
            template = PipelineTemplate.objects.create(organisation=organisation, name=name)
    except IntegrityError as error:
        raise ConflictError(f"a pipeline named {name!r} already exists", {"field": "name"}) from error
    if copy_from is not None:
        PipelineStageTemplate.objects.bulk_create(
            PipelineStageTemplate(
                template=template, name=s.name, slug=s.slug, order=index, approval_type=s.approval_type
            )
            for index, s in enumerate(copy_from.stages.order_by("order", "id"))
        )
    return template


@transaction.atomic
def pipeline_template_rename(*, template: PipelineTemplate, actor, name: str) -> PipelineTemplate:
    require_permission(actor, Permission.ADMIN_SETTINGS)
    name = _clean_name(name, "pipeline")
    template = _lock_template(template)
    if template.name == name:
        return template
    template.name = name
    try:
        with transaction.atomic():
            template.save(update_fields=["name", "updated_at"])
    except IntegrityError as error:
        raise ConflictError(f"a pipeline named {name!r} already exists", {"field": "name"}) from error
    return template


@transaction.atomic
def pipeline_template_set_default(*, template: PipelineTemplate, actor) -> PipelineTemplate:
    """Make this the organisation's default template. The old default is cleared first, in the same
    transaction, so the one-default-per-organisation constraint holds at every statement; the organisation's
    templates are locked so two admins switching at once run one after the other."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    locked = list(
        PipelineTemplate.objects.select_for_update().filter(organisation_id=template.organisation_id).order_by("pk")
    )
    template = next(t for t in locked if t.pk == template.pk)
    if template.is_default:
        return template
    PipelineTemplate.objects.filter(organisation_id=template.organisation_id, is_default=True).update(
        is_default=False, updated_at=timezone.now()
    )
    template.is_default = True
    template.save(update_fields=["is_default", "updated_at"])
    return template


@transaction.atomic
def pipeline_stage_add(
    *, template: PipelineTemplate, actor, name: str, approval_type: str = ApprovalType.NONE
) -> PipelineStageTemplate:
    """Append a stage to the template (its slug is made unique within the template)."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    name = _clean_name(name, "stage")
    if approval_type not in ApprovalType.values:
        raise ApplicationError(f"unknown approval type {approval_type!r}", {"field": "approval_type"})
    template = _lock_template(template)
    _refuse_duplicate_stage(template, name)
    stages = _renumber(template)
    # A new stage goes before a closing "Completed" stage: work is never added after the pipeline has finished.
    order = len(stages) - 1 if stages and stages[-1].slug == "completed" else len(stages)
    PipelineStageTemplate.objects.filter(template=template, order__gte=order).update(order=F("order") + 1)
    return PipelineStageTemplate.objects.create(
        template=template, name=name, slug=_free_stage_slug(template, name), order=order, approval_type=approval_type
    )


def _refuse_duplicate_stage(template: PipelineTemplate, name: str, exclude: int | None = None) -> None:
    """Two stages of one name would be told apart by nobody: the deliverable page, reviews and history name them."""
    if template.stages.filter(name__iexact=name.strip()).exclude(pk=exclude).exists():
        raise ConflictError(f"this pipeline already has a stage named {name.strip()!r}", {"field": "name"})


@transaction.atomic
def pipeline_stage_remove(*, stage: PipelineStageTemplate, actor) -> None:
    """Remove a stage from the template. Deliverables that already copied it keep their own Stage row."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    template = _lock_template(stage.template)
    PipelineStageTemplate.objects.filter(pk=stage.pk, template=template).delete()
    _renumber(template)


@transaction.atomic
def pipeline_stage_move(*, stage: PipelineStageTemplate, actor, direction: str) -> list[PipelineStageTemplate]:
    """Swap the stage with its neighbour ("up" or "down"). Returns the template's stages in their new order."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    if direction not in ("up", "down"):
        raise ApplicationError(f"unknown direction {direction!r}")
    template = _lock_template(stage.template)
    stages = _renumber(template)
    index = next((i for i, s in enumerate(stages) if s.pk == stage.pk), None)
    if index is None:
        raise NotFoundError("stage not found on this pipeline")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(stages):
        stages[index].order, stages[other].order = stages[other].order, stages[index].order
        PipelineStageTemplate.objects.bulk_update([stages[index], stages[other]], ["order"])
        stages[index], stages[other] = stages[other], stages[index]
    return stages


@transaction.atomic
def pipeline_stage_update(
    *,
    stage: PipelineStageTemplate,
    actor,
    name: str | None = None,
    approval_type: str | None = None,
    requires_different_approver: bool | None = None,
) -> PipelineStageTemplate:
    """Rename a stage and/or change its gate (NONE / SIMPLE / FORMAL) and its four-eyes rule (the approver must
    not be who uploaded the revision under review). Existing deliverables keep theirs."""
    require_permission(actor, Permission.ADMIN_SETTINGS)
    template = _lock_template(stage.template)
    stage = PipelineStageTemplate.objects.select_for_update().get(pk=stage.pk)
    changed = []
    if name is not None and _clean_name(name, "stage") != stage.name:
        _refuse_duplicate_stage(template, name, exclude=stage.pk)
        stage.name = name.strip()
        changed.append("name")
    if approval_type is not None and approval_type != stage.approval_type:
        if approval_type not in ApprovalType.values:
            raise ApplicationError(f"unknown approval type {approval_type!r}", {"field": "approval_type"})
        stage.approval_type = approval_type
        changed.append("approval_type")
    if requires_different_approver is not None and requires_different_approver != stage.requires_different_approver:
        stage.requires_different_approver = requires_different_approver
        changed.append("requires_different_approver")
    if changed:
        stage.save(update_fields=changed)
    return stage
