"""An action's owner moves it along: its status (planned, in progress, done) and a short progress
note. The department's head, and the head's delegate in force, may too; HR and the heads above
see it but move nothing (403). Dropping an action stays the head's change of the plan."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.action_trail import action_state, record_changes
from feedback.models.action_plans import Action, ActionStatus
from feedback.plans import ActionForbidden, ActionPlanError, StaleAction

PROGRESS_STATUSES = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE]
NOTE_MAX = 500


def may_move(user, action: Action, on: date | None = None) -> bool:
    """The owner, the department's head or the head's delegate in force on `on` (today)."""
    on = on or timezone.localdate()
    return Action.objects.movable_by(user, on).filter(pk=action.pk).exists()


@transaction.atomic
def action_move(
    *, action_id: int, by, status: str, note: str = "", expected_version: int | None = None
) -> Action:
    """Set an action's status and add a progress note, as read at `expected_version`; both go
    on the action's trail."""
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action_id)
    )
    if not may_move(by, action):
        raise ActionForbidden(
            _("Only the action's owner, the department's head or the head's delegate moves it.")
        )
    if expected_version is not None and action.version != expected_version:
        raise StaleAction(_("This action changed since you opened it. Reload the page."))
    if action.status == ActionStatus.DROPPED:
        raise ActionPlanError(_("This action was dropped; only the department's head changes it."))
    if status not in PROGRESS_STATUSES:
        raise ActionPlanError(_("Choose planned, in progress or done."))
    note = note.strip()
    if status == action.status and not note:
        raise ActionPlanError(_("Change the status or write a note."))
    before = action_state(action)
    now = timezone.now()
    action.status = ActionStatus(status)
    action.updated_at = now
    action.version += 1
    action.save(update_fields=["status", "updated_at", "version"])
    record_changes(action, before, by=by, at=now, note=note)
    return action
