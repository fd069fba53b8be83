"""Recognition cycles: create one, pick and withdraw awards while it is a draft, publish it.
Each is one transaction for HR (recognition.access), raising RecognitionError when the cycle
does not allow it now."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from departments.models import Department
from recognition import candidates, letters
from recognition.access import may_run_cycles
from recognition.models import REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Award, Cycle

LONGEST_CYCLE_DAYS = 366


class RecognitionError(DomainError):
    """What a recognition cycle does not allow now; the message says why."""


def _may_run(by) -> None:
    if not may_run_cycles(by):
        raise PermissionDenied(_("Only HR runs recognition cycles."))


@transaction.atomic
def cycle_create(*, by, name: str, starts_on: date, ends_on: date) -> Cycle:
    """Open a draft cycle over a period of at most a year that has ended or is under way."""
    _may_run(by)
    if not name.strip():
        raise ValidationError({"name": _("Give the cycle a name.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The cycle must end on or after its first day.")})
    if (ends_on - starts_on).days >= LONGEST_CYCLE_DAYS:
        raise ValidationError({"ends_on": _("A cycle covers a year at most.")})
    if starts_on > timezone.localdate():
        raise ValidationError({"starts_on": _("A cycle cannot start in the future.")})
    return Cycle.objects.create(
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
        created_at=timezone.now(),
    )


def _draft(cycle_id: int) -> Cycle:
    cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
    if cycle.is_published:
        raise RecognitionError(_("This cycle is published: its awards can no longer change."))
    return cycle


@transaction.atomic
def award_add(
    *,
    cycle_id: int,
    by,
    title: str,
    reason: str,
    department: Department | None = None,
    person=None,
) -> Award:
    """Give an award of a draft cycle to a department or to a person, with a written reason;
    the award keeps the figures of the candidate at this moment."""
    _may_run(by)
    cycle = _draft(cycle_id)
    if (department is None) == (person is None):
        raise ValidationError(_("Give the award to a department or to a person."))
    title, reason = " ".join(title.split()), reason.strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": _("Give the award a title.")})
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Write why it is awarded.")})
    if department is not None:
        scored = candidates.department_candidates(cycle, timezone.now())
        row = next((c.figures for c in scored if c.department.pk == department.pk), {})
    else:
        people = candidates.people_figures([person.pk], candidates.period_of(cycle))
        row = people[0].figures if people else {}
    return Award.objects.create(
        cycle=cycle,
        department=department,
        person=person,
        title=title,
        reason=reason,
        figures=row,
        awarded_by=by,
        awarded_at=timezone.now(),
    )


@transaction.atomic
def award_withdraw(*, award_id: int, by) -> None:
    """Take an award back from a draft cycle."""
    _may_run(by)
    award = Award.objects.get(pk=award_id)
    _draft(award.cycle_id)
    award.delete()


@transaction.atomic
def cycle_publish(*, cycle_id: int, by) -> Cycle:
    """Publish a draft cycle with at least one award: everyone signed in sees its awards, and
    each awardee (a person, or the head and the group chats of a department) is told."""
    _may_run(by)
    cycle = _draft(cycle_id)
    awards = list(cycle.awards.select_related("department", "person"))
    if not awards:
        raise RecognitionError(_("Pick at least one award before publishing."))
    cycle.status = Cycle.Status.PUBLISHED
    cycle.published_by = by
    cycle.published_at = timezone.now()
    cycle.save(update_fields=["status", "published_by", "published_at"])
    letters.tell_awarded(awards)
    return cycle
