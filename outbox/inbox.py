"""Reading one's messages in Accord (the notifications page and the bell): every message to the
person, whatever its delivery, except the cancelled ones and the digests themselves (what a
digest gathered is listed one by one); one shown in Accord only is withdrawn, as an e-mail would
be, when its reason has gone by the time it is listed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from outbox.kinds import KINDS, kind_of
from outbox.models import Message
from outbox.sending import load, withdraw_obsolete

# The bell shows at most this many, then "99+".
BELL_CAP = 99


def notifications_of(user) -> QuerySet[Message]:
    """The messages `user` may read in Accord, newest first."""
    return (
        Message.objects.filter(recipient=user, digest_period__isnull=True)
        .exclude(state=Message.State.CANCELLED)
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread, counted up to BELL_CAP + 1."""
    return notifications_of(user).filter(read_at__isnull=True).order_by()[: BELL_CAP + 1].count()


def described(messages: list[Message]) -> list[dict]:
    """Each message with its one-line title and the page it opens, read in a few queries
    whatever their number (what they are about, by kind of row). A message shown in Accord only
    is checked here as an e-mail is before it leaves: one whose reason has gone (the request
    was taken on, the step decided) is withdrawn and left out."""
    loaded = {message.pk: message for message in load([message.pk for message in messages])}
    in_app = [message for message in loaded.values() if message.state == Message.State.IN_APP]
    still_true = {message.pk for message in withdraw_obsolete(in_app)}
    withdrawn = {message.pk for message in in_app} - still_true
    notifications = []
    for message in messages:
        if message.pk in withdrawn:
            continue
        full = loaded[message.pk]
        kind = KINDS.get(message.kind)
        shown = kind is not None and (full.about_id is None or full.about is not None)
        notifications.append(
            {
                "message": full,
                "title": kind.title(full) if shown else "",
                "has_link": bool(shown and kind.link(full)),
            }
        )
    return notifications


def mark_read(user, message_ids=None) -> int:
    """Mark `user`'s unread notifications read (only those of `message_ids` when given); return
    how many were."""
    unread = notifications_of(user).filter(read_at__isnull=True)
    if message_ids is not None:
        unread = unread.filter(pk__in=message_ids)
    return unread.update(read_at=timezone.now())


def link_of(message: Message) -> str:
    """The page a notification opens ("" when what it reported is gone)."""
    [full] = load([message.pk])
    if full.about_id is not None and full.about is None:
        return ""
    return kind_of(full).link(full)
