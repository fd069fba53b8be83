"""The trail of an action (ActionEvent): its creation, and for each later save what changed
(its text or question, owner, due date, status) from what to what, a progress note, who and
when."""

from __future__ import annotations

from datetime import datetime

from feedback.models.action_plans import Action, ActionEvent

Change = ActionEvent.Change


def action_state(action: Action) -> dict:
    """What the trail compares: the action as it stands before a change."""
    return {
        "question": action.question_id,
        "what": action.what,
        "owner": action.owner,
        "due_on": action.due_on,
        "status": str(action.status),
    }


def record_changes(
    action: Action, before: dict | None, *, by, at: datetime, note: str = ""
) -> list[ActionEvent]:
    """Write one row per change of `action` since `before` (None: it was just created), and
    one for a progress note."""
    events: list[ActionEvent] = []

    def add(change: str, old: str = "", new: str = "", text: str = "") -> None:
        events.append(
            ActionEvent(
                action=action, change=change, actor=by, at=at, before=old, after=new, text=text
            )
        )

    if before is None:
        add(Change.CREATED, new=action.what)
    else:
        if before["what"] != action.what or before["question"] != action.question_id:
            add(Change.EDITED, before["what"], action.what)
        if before["owner"].pk != action.owner_id:
            add(Change.OWNER_CHANGED, _name(before["owner"]), _name(action.owner))
        if before["due_on"] != action.due_on:
            add(Change.DUE_CHANGED, before["due_on"].isoformat(), action.due_on.isoformat())
        if before["status"] != str(action.status):
            add(Change.STATUS_CHANGED, before["status"], str(action.status))
    if note:
        add(Change.NOTE_ADDED, text=note)
    return ActionEvent.objects.bulk_create(events)


def _name(person) -> str:
    return person.get_full_name() or person.get_username()
