"""Operations on the conversation around a request: comments with files and @mentions, watching,
links between requests and closing a request as a duplicate of another. Each is one
transaction; who is told is written to the outbox in it (tickets.notifications)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Membership
from outbox.services import queue
from tickets import letters, notifications, selectors, services
from tickets.mentions import mentioned_usernames, segments
from tickets.models import (
    OPEN_STATUSES,
    Attachment,
    CommentFile,
    Event,
    Link,
    Mention,
    Status,
    Ticket,
    Watcher,
)
from tickets.services import StaleTicket, TicketError, roles_of
from tickets.uploads import atomic_with_files, store_file, validate_upload
from tickets.workflow import Role

# How many files one comment takes; each is checked as a filing's files are (type and size).
COMMENT_FILES_MAX = 5


@dataclass
class Comment:
    """A comment written, and the people it mentions who cannot see it (only those of the
    provider and customer departments are named: the author may know of them)."""

    event: Event
    cannot_see: list[str] = field(default_factory=list)


def validate_comment_files(uploads: Sequence[UploadedFile]) -> None:
    if len(uploads) > COMMENT_FILES_MAX:
        raise ValidationError(
            _("Attach at most %(count)s files to a comment."), params={"count": COMMENT_FILES_MAX}
        )
    for upload in uploads:
        validate_upload(upload)


@atomic_with_files()
def comment_post(
    *, ticket_id: int, by, text: str, internal: bool = False, files: Sequence[UploadedFile] = ()
) -> Comment:
    """Comment (or add an internal note) with files; tell the people it mentions who may read
    it, and make them watchers; tell the watchers. Files are deleted again on a rollback."""
    validate_comment_files(files)
    event = services.ticket_comment(ticket_id=ticket_id, by=by, text=text, internal=internal)
    ticket = event.ticket
    now = event.at
    for upload in files:
        attachment = Attachment(
            ticket=ticket, name=upload.name[:200], size=upload.size, uploaded_by=by, uploaded_at=now
        )
        store_file(attachment.file, upload)
        attachment.save()
        CommentFile.objects.create(comment=event, attachment=attachment)
    mentioned, cannot_see = _mentions(event, by)
    for person in mentioned:
        Watcher.objects.get_or_create(ticket=ticket, person=person, defaults={"since": now})
    if mentioned:
        queue(letters.MENTIONED, event, mentioned)
    notifications.tell_watchers(event, letters.COMMENTED, skip=[by, *mentioned])
    return Comment(event, cannot_see)


def _mentions(event: Event, by) -> tuple[list, list[str]]:
    """Record the mentions of people who may read `event`; return them, and the usernames of
    the people of the request's two departments who may not."""
    names = mentioned_usernames(event.text)
    if not names:
        return [], []
    people = get_user_model().objects.filter(username__in=names, is_active=True).exclude(pk=by.pk)
    mentioned, cannot_see = [], []
    ticket = event.ticket
    departments = [ticket.provider_id, ticket.customer_id]
    for person in people:
        if letters.sees_event(person, event):
            mentioned.append(person)
        elif Membership.objects.filter(user=person, department__in=departments).exists():
            cannot_see.append(person.get_full_name() or person.get_username())
    Mention.objects.bulk_create(Mention(comment=event, person=person) for person in mentioned)
    return mentioned, sorted(cannot_see)


def mentions_of(events: Sequence[Event]) -> dict[int, dict[str, object]]:
    """For each comment among `events`, its recorded mentions by username (one query)."""
    found: dict[int, dict[str, object]] = {}
    rows = Mention.objects.filter(comment__in=[e.pk for e in events]).select_related("person")
    for mention in rows:
        found.setdefault(mention.comment_id, {})[mention.person.get_username()] = mention.person
    return found


def timeline(events: QuerySet[Event]) -> list[Event]:
    """`events` (with their files prefetched) as the page shows them: each comment cut into
    text and mentions (`pieces`), with its files (`shown_files`)."""
    events = list(events)
    mentions = mentions_of([event for event in events if event.text])
    for event in events:
        event.pieces = segments(event.text, mentions.get(event.pk, {}))
        event.shown_files = [comment_file.attachment for comment_file in event.files.all()]
    return events


def page_context(user, ticket: Ticket, roles: set[Role]) -> dict:
    """What the request page shows of the conversation besides the timeline."""
    return {
        "watching": Watcher.objects.filter(ticket=ticket, person=user).exists(),
        "watcher_count": Watcher.objects.filter(ticket=ticket).count(),
        "links": links_seen(ticket, user, timezone.now()),
        "link_kinds": Link.Kind.choices,
        "can_link": bool(roles & {Role.REQUESTER, Role.AGENT}),
        "can_close_as_duplicate": Role.AGENT in roles and ticket.status in OPEN_STATUSES,
        "comment_files_max": COMMENT_FILES_MAX,
    }


# Files -------------------------------------------------------------------------------------------


def attachments_seen(ticket: Ticket, roles: set[Role]) -> QuerySet[Attachment]:
    """The files of `ticket` someone with `roles` may see: those of an internal note are for
    the provider's agents only, as the note is."""
    files = ticket.attachments.select_related("uploaded_by", "comment_file")
    if Role.AGENT not in roles:
        files = files.exclude(comment_file__comment__is_internal=True)
    return files


# Watching ----------------------------------------------------------------------------------------


@transaction.atomic
def ticket_watch(*, ticket_id: int, by, watch: bool = True) -> bool:
    """Start (or stop) watching a request one may see; whether one watches it now."""
    if not Ticket.objects.visible_to(by).filter(pk=ticket_id).exists():
        raise Ticket.DoesNotExist
    if watch:
        Watcher.objects.get_or_create(
            ticket_id=ticket_id, person=by, defaults={"since": timezone.now()}
        )
    else:
        Watcher.objects.filter(ticket_id=ticket_id, person=by).delete()
    return watch


# Links -------------------------------------------------------------------------------------------


def _seen_other(by, other_id: int | None, ticket: Ticket) -> Ticket:
    """The other request of a link, if `by` may see it; a request they may not see is answered
    as a missing one."""
    other = Ticket.objects.visible_to(by).filter(pk=other_id).select_related("provider").first()
    if other is None:
        raise ValidationError({"other": _("There is no request #%(id)s that you can see.") % {
            "id": other_id}})  # fmt: skip
    if other.pk == ticket.pk:
        raise ValidationError({"other": _("A request cannot be linked to itself.")})
    return other


def _between(first: Ticket, second: Ticket) -> QuerySet[Link]:
    return Link.objects.filter(Q(source=first, target=second) | Q(source=second, target=first))


@transaction.atomic
def ticket_link(*, ticket_id: int, other_id: int | None, kind: str, by) -> Link:
    """Link a request to another that one may also see ("related to", "duplicate of"), as its
    requester or one of its provider's agents."""
    ticket = services._locked(ticket_id, None)
    if not roles_of(by, ticket) & {Role.REQUESTER, Role.AGENT}:
        raise PermissionDenied(_("Only the requester and the provider's agents link requests."))
    other = _seen_other(by, other_id, ticket)
    if _between(ticket, other).exists():
        raise TicketError(_("These requests are already linked."))
    return Link.objects.create(
        source=ticket, target=other, kind=kind, created_by=by, created_at=timezone.now()
    )


@transaction.atomic
def ticket_unlink(*, ticket_id: int, link_id: int, by) -> None:
    """Remove a link of a request (its requester or one of its provider's agents)."""
    ticket = services._locked(ticket_id, None)
    link = Link.objects.filter(Q(source=ticket) | Q(target=ticket), pk=link_id).first()
    if link is None:
        raise StaleTicket(_("This link was already removed."))
    if not roles_of(by, ticket) & {Role.REQUESTER, Role.AGENT}:
        raise PermissionDenied(_("Only the requester and the provider's agents unlink requests."))
    link.delete()


def links_seen(ticket: Ticket, user, now) -> list[dict]:
    """The links of `ticket` to the requests `user` may see: how each reads from this request,
    and the other request with its status and urgency (tickets.selectors.set_urgency)."""
    visible = Ticket.objects.visible_to(user)
    links = list(
        Link.objects.filter(Q(source=ticket) | Q(target=ticket)).filter(
            source__in=visible, target__in=visible
        )
    )
    others = {link.target_id if link.source_id == ticket.pk else link.source_id for link in links}
    tickets = {t.pk: t for t in selectors.for_lists(Ticket.objects.filter(pk__in=others))}
    selectors.set_urgency(tickets.values(), now)
    rows = []
    for link in links:
        outgoing = link.source_id == ticket.pk
        label = link.get_kind_display()
        if link.kind == Link.Kind.DUPLICATE and not outgoing:
            label = _("duplicated by")
        other = tickets[link.target_id if outgoing else link.source_id]
        rows.append({"label": label, "link": link, "other": other, "outgoing": outgoing})
    return rows


# Closing as a duplicate --------------------------------------------------------------------------


@transaction.atomic
def ticket_close_as_duplicate(
    *, ticket_id: int, original_id: int | None, by, expected_version: int | None
) -> Ticket:
    """Cancel a request as a duplicate of another (the provider's agents): a timeline event
    names the original, the requester is told, and the watchers who may see the original
    watch it instead. Its open, attached hand-offs are cancelled with it, as by Cancel."""
    hand_offs = services._lock_hand_offs_to_cancel(ticket_id)
    ticket = services._locked(ticket_id, expected_version)
    if Role.AGENT not in roles_of(by, ticket):
        raise PermissionDenied(_("Only the provider department's agents close it as a duplicate."))
    if ticket.status not in OPEN_STATUSES:
        raise StaleTicket(_("This request is already over."))
    original = _seen_other(by, original_id, ticket)
    if Link.objects.filter(source=original, target=ticket, kind=Link.Kind.DUPLICATE).exists():
        raise ValidationError({"other": _("That request is a duplicate of this one.")})
    hand_offs = services._still_to_cancel(ticket, hand_offs)
    now = timezone.now()
    old_status = ticket.status
    ticket.pauses.filter(ended_at__isnull=True).update(ended_at=now, ended_by=by)
    ticket.status, ticket.closed_at, ticket.paused_at = Status.CANCELLED, now, None
    services._save(ticket)
    _between(ticket, original).delete()
    Link.objects.create(
        source=ticket, target=original, kind=Link.Kind.DUPLICATE, created_by=by, created_at=now
    )
    # The reference only: the original's title may be more than its requester may read.
    text = _("Closed as a duplicate of %(reference)s.") % {"reference": original.reference}
    event = services._log(ticket, Event.Kind.TRANSITION, by, now, old_status, ticket.status, text)
    queue(letters.CLOSED_AS_DUPLICATE, event, [ticket.requester])
    notifications.tell_watchers(event, letters.STATUS_CHANGED, skip=[by, ticket.requester])
    _move_watchers(ticket, original, now)
    if ticket.parent_id and ticket.detached_at is None:
        services.parent_follow_children(parent_id=ticket.parent_id, by=by, at=now)
    if hand_offs:
        services._cancel_with_parent(hand_offs, ticket, by, now)
        ticket = services._locked(ticket.pk, None)  # following its hand-offs ended its wait
    return ticket


def _move_watchers(duplicate: Ticket, original: Ticket, now) -> None:
    """The duplicate's watchers and requester watch the original, if they may see it."""
    people = [w.person for w in duplicate.watchers.select_related("person")]
    people.append(duplicate.requester)
    for person in people:
        if Ticket.objects.visible_to(person).filter(pk=original.pk).exists():
            Watcher.objects.get_or_create(ticket=original, person=person, defaults={"since": now})
    duplicate.watchers.all().delete()
