"""What a directory sync changes, as lines people read: the preview before an import, the
command's output, the record of a run. A change keeps its kind and plain parameters (JSON, for
`SyncRun.changes`) and is worded when shown, in the reader's language."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.models import Membership

TEXTS = {
    "department_created": _("New department %(name)s (%(code)s) under %(parent)s."),
    "department_renamed": _("Department %(old)s is renamed %(new)s."),
    "department_recoded": _("Department %(name)s: code %(old)s becomes %(new)s."),
    "department_moved": _("Department %(name)s moves from under %(old)s to under %(new)s."),
    "department_archived": _("Department %(name)s is archived: it is no longer in the directory."),
    "department_restored": _("Department %(name)s is restored: it is back in the directory."),
    "person_created": _("New person %(username)s (%(name)s), signing in through the directory."),
    "person_linked": _("%(username)s, already in Accord, is linked to the directory."),
    "person_updated": _("%(username)s: %(fields)s updated."),
    "person_deactivated": _("%(username)s is deactivated and hands over what they hold."),
    "person_reactivated": _("%(username)s is active again."),
    "membership_added": _("%(username)s joins %(department)s as %(role)s."),
    "membership_removed": _("%(username)s leaves %(department)s."),
    "role_changed": _("%(username)s in %(department)s: %(old)s becomes %(new)s."),
    "head_changed": _("Head of %(department)s: %(old)s becomes %(new)s."),
    "extra_head_ignored": _(
        "%(username)s is also named head of %(department)s, which %(head)s heads: made an agent."
    ),
    "username_in_use": _(
        "%(username)s is not added: another person in Accord, linked to another entry of the "
        "directory, has that username."
    ),
    "username_taken": _(
        "%(username)s cannot be renamed %(new)s: another person in Accord has that username."
    ),
    "deactivations_held": _(
        "%(count)s people are no longer active in the directory, more than the %(limit)s one "
        "sync may deactivate (of %(active)s active): nobody is deactivated until an "
        "administrator confirms."
    ),
}
# Kinds that report something the sync could not do as the directory says; they change nothing.
NOTICES = frozenset(
    {"extra_head_ignored", "username_taken", "username_in_use", "deactivations_held"}
)
NOBODY = _("nobody")
TOP_LEVEL = _("the top level")


def _role_label(role: str) -> str:
    return str(Membership.Role(role).label) if role in Membership.Role.values else role


def _field_label(name: str) -> str:
    if name == "language":
        return gettext("language")
    try:
        return str(get_user_model()._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@dataclass(frozen=True)
class Change:
    """One change (or notice): its kind (a key of TEXTS) and the names it mentions."""

    kind: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        params = dict(self.params)
        if self.kind in ("department_created", "department_moved"):
            params = {k: TOP_LEVEL if v is None else v for k, v in params.items()}
        elif self.kind == "head_changed":
            params = {k: NOBODY if v is None else v for k, v in params.items()}
        elif self.kind == "membership_added":
            params["role"] = _role_label(params["role"])
        elif self.kind == "role_changed":
            params["old"], params["new"] = _role_label(params["old"]), _role_label(params["new"])
        elif self.kind == "person_updated":
            params["fields"] = ", ".join(_field_label(name) for name in params["fields"])
        return str(TEXTS[self.kind]) % {k: str(v) for k, v in params.items()}

    def as_json(self) -> dict:
        return {"kind": self.kind, "params": self.params}

    @classmethod
    def from_json(cls, data: dict) -> Change:
        return cls(kind=data["kind"], params=data.get("params", {}))


@dataclass
class Plan:
    """What a sync of `source` changes (or changed, once `applied`), in the order it does it,
    and notices of what it could not do as the directory says."""

    source: str
    changes: list[Change] = field(default_factory=list)
    notices: list[Change] = field(default_factory=list)
    applied: bool = False

    def add(self, kind: str, **params: object) -> None:
        (self.notices if kind in NOTICES else self.changes).append(Change(kind, params))

    def __bool__(self) -> bool:
        """True when it changes something (notices alone change nothing)."""
        return bool(self.changes)

    def lines(self) -> list[str]:
        return [str(change) for change in self.changes]

    def notice_lines(self) -> list[str]:
        return [str(notice) for notice in self.notices]

    def counts(self) -> Counter[str]:
        return Counter(change.kind for change in self.changes)

    def fingerprint(self) -> str:
        """A digest of the changes, to tell whether the plan shown is still the plan."""
        text = json.dumps([c.as_json() for c in self.changes], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]
