"""The columns an import understands, the header spellings each is known by, and the headers exports write.

A header is matched after normalising it (case, spaces and punctuation ignored), so "OMG #", "omg job no." and
"OMG Job Number" all name the job number. The first spelling of each column is the one the template and the
projects export write, which is what lets an export re-import cleanly.
"""

import re

PROJECTS = "projects"
DELIVERABLES = "deliverables"

# field -> header spellings; the first is the canonical header.
PROJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "omg_job_number": ("OMG Job Number", "OMG #", "OMG No", "OMG Number", "Job No", "Job Number", "Job #", "OMG Job"),
    "project_code": ("Project Code", "Code", "Project No"),
    "name": ("Project Name", "Name", "Job Name", "Project", "Title"),
    "client": ("Client", "Client Name", "Account"),
    "client_team": ("Team", "Client Team", "Dow Team"),
    "business_unit": ("Category", "Business Unit", "Project Category", "Dow Project Category"),
    "priority": ("Priority", "Prio"),
    "status": ("Status", "Job Status", "Stage"),
    "outputs": ("Outputs", "No of Outputs", "Output Count"),
    "start_date": ("Accepted", "Start Date", "Start", "Date Accepted", "Accepted Date"),
    "due_date": ("External Deadline", "Due", "Due Date", "Deadline", "Delivery Date"),
    "requestor": ("Requestor", "Requester", "Project Lead", "Lead Email", "Requestor Email"),
    "notes": ("Notes", "Comments", "Remarks"),
    "description": ("Description", "Brief", "Summary"),
}

DELIVERABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "project_omg_job_number": ("OMG Job Number", "OMG #", "OMG No", "Job No", "Job Number", "Project OMG Job Number"),
    "name": ("Deliverable Name", "Deliverable", "Name", "Asset Name"),
    "priority": ("Priority", "Prio"),
    "status": ("Status",),
    "due_date": ("Due Date", "Due", "Deadline"),
    "notes": ("Notes", "Comments"),
    "cmf_sku": ("CMF SKU", "SKU", "CMF"),
    "asset_count": ("Asset Count", "Assets", "No of Assets"),
}

COLUMNS = {PROJECTS: PROJECT_COLUMNS, DELIVERABLES: DELIVERABLE_COLUMNS}
REQUIRED = {PROJECTS: ("omg_job_number",), DELIVERABLES: ("project_omg_job_number", "name")}
# Sheet names that say which kind a sheet holds; a workbook's first sheet is projects when none is named.
SHEET_NAMES = {PROJECTS: ("projects", "jobs", "omg export", "omg"), DELIVERABLES: ("deliverables", "assets", "outputs")}


def normalise(header) -> str:
    return re.sub(r"[^a-z0-9#]+", "", str(header or "").lower()).replace("#", "no")


_LOOKUP = {
    kind: {normalise(s): field for field, spellings in cols.items() for s in spellings}
    for kind, cols in COLUMNS.items()
}


def header_label(kind: str, field: str) -> str:
    return COLUMNS[kind][field][0]


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """`{header: field}` for the headers recognised; each field taken by its first matching header only."""
    mapping, taken = {}, set()
    for header in headers:
        field = _LOOKUP[kind].get(normalise(header))
        if field and field not in taken:
            mapping[header] = field
            taken.add(field)
    return mapping


def recognised_count(kind: str, cells: list) -> int:
    return sum(1 for cell in cells if normalise(cell) in _LOOKUP[kind])


def sheet_kind(sheet_name: str) -> str | None:
    name = sheet_name.strip().lower()
    return next((kind for kind, names in SHEET_NAMES.items() if name in names), None)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a person finds the cell in Excel."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
