"""`manage.py deactivate_person <username> --reason "…"`: deactivate a person and hand over what
they hold (directory.leavers.deactivate_person), printing where each thing went."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from directory.leavers import deactivate_person
from directory.models import Handover, HandoverItem


class Command(BaseCommand):
    help = "Deactivate a person and hand over their approvals, assigned requests and roles."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why, kept with the hand-over.")

    def handle(self, *args, username: str, reason: str, **options) -> None:
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"Nobody is called {username!r}.")
        before = Handover.objects.filter(person=person).first()
        handover = deactivate_person(user=person, reason=reason)
        if handover is None or handover == before:
            self.stdout.write(self.style.SUCCESS(f"{username} was already inactive."))
            return
        for item in handover.items.select_related("ticket__provider", "department", "to"):
            self.stdout.write(_line(item))
        self.stdout.write(
            f"API tokens deleted: {handover.api_tokens_deleted}; "
            f"messages cancelled: {handover.messages_cancelled}"
        )
        self.stdout.write(self.style.SUCCESS(f"{username} is deactivated."))


def _line(item: HandoverItem) -> str:
    if item.what == HandoverItem.What.APPROVAL:
        to = item.to.get_username() if item.to else "nobody (no delegate, head or administrator)"
        return f"approval step of {item.ticket.reference} -> {to}"
    if item.what == HandoverItem.What.REQUEST:
        return f"{item.ticket.reference} -> back in the queue of {item.ticket.provider.code}"
    return f"{item.role} of {item.department.code} -> ended"
