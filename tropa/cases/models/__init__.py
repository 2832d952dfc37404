"""Cases and their timelines (case.py), and what the staff workspace keeps
about them for each person and team (workspace.py).

Plaintext here is only what DESIGN.md allows: random ids, coded situation,
flags, region group, priority, status, assignments, labels, coarse times.
Everything a requester said is in the sealed fields, readable only with the
case key.
"""

from tropa.cases.models.case import (
    FLAGS,
    OPEN_STATUSES,
    Assignment,
    Attachment,
    AttachmentChunk,
    Case,
    Channel,
    Kind,
    Message,
    Outcome,
    RegionGroup,
    ReplyTemplate,
    Situation,
    Status,
    Task,
    TaskKind,
)
from tropa.cases.models.workspace import (
    BuiltinLabel,
    CaseLabel,
    Caseload,
    Label,
    LastSeen,
    SavedView,
    SearchIndex,
)

__all__ = [
    "Assignment",
    "Attachment",
    "AttachmentChunk",
    "BuiltinLabel",
    "Case",
    "CaseLabel",
    "Caseload",
    "Channel",
    "FLAGS",
    "Kind",
    "Label",
    "LastSeen",
    "Message",
    "OPEN_STATUSES",
    "Outcome",
    "RegionGroup",
    "ReplyTemplate",
    "SavedView",
    "SearchIndex",
    "Situation",
    "Status",
    "Task",
    "TaskKind",
]
