"""The REST API of requests: filing, reading, the steps of the life cycle, comments, files and
approvals. Every operation goes through tickets.services.

A request the person may not see is 404, never 403, on every endpoint and action (visibility
is `Ticket.objects.visible_to`, as on the pages). Errors come back in the one shape of
common.api, with `detail`:

- 409 {"detail": …}: the `version` sent is stale, or the request is no longer in a state that
  allows the step (`StaleTicket`: someone else moved it meanwhile; reload it);
- 400 {"detail": …}: anything else the request refuses (`TicketError`), with {"field": [...]}
  beside it for invalid fields; answers to the service's form under "answers" ({"answers":
  {"amount": ["Enter a number."]}});
- 403 {"detail": …}: the person sees the request but may not take this step (the reason says
  who may).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from agreements.models import Agreement, Priority
from common.api import ErrorSerializer
from common.filters import valid_filters
from common.parsers import FormParser
from tickets import conversation, hand_offs, selectors, services
from tickets.bulk import bulk_act
from tickets.filters import ORDERINGS, TicketFilter
from tickets.kudos import kudos_give
from tickets.kudos_serializers import KudosBodySerializer, KudosSerializer
from tickets.models import Approval, Attachment, Event, Status, Ticket
from tickets.queue_serializers import BulkActionSerializer, BulkOutcomeSerializer, TakeSerializer
from tickets.serializers import (
    ApprovalRejectionSerializer,
    ApprovalSerializer,
    AssignmentSerializer,
    AttachmentSerializer,
    ChildSerializer,
    CommentSerializer,
    ConfirmationSerializer,
    DecisionSerializer,
    DetachSerializer,
    EventSerializer,
    FilingSerializer,
    HandOffSerializer,
    LinkBodySerializer,
    LinkSerializer,
    PriorityChangeSerializer,
    TicketDetailSerializer,
    TicketSerializer,
    TransitionSerializer,
    UploadSerializer,
    WatchSerializer,
    timeline,
)
from tickets.services import roles_of
from tickets.workflow import Action

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused, or invalid fields."),
    403: OpenApiResponse(ErrorSerializer, description="The person may not take this step."),
    404: OpenApiResponse(ErrorSerializer, description="No such request visible to the person."),
    409: OpenApiResponse(
        ErrorSerializer, description="The version sent is stale, or the status changed meanwhile."
    ),
}
TICKET_FILTERS = [
    OpenApiParameter(
        "status", str, enum=["open", *Status.values], description="A status, or any open one."
    ),
    OpenApiParameter("service", int, description="A service's id."),
    OpenApiParameter("provider", str, description="The provider department's code."),
    OpenApiParameter("customer", str, description="The customer department's code."),
    OpenApiParameter("priority", str, enum=Priority.values),
    OpenApiParameter("assignee", str, description="A username, or “me”."),
    OpenApiParameter("mine", bool, description="Only the requests I filed."),
    OpenApiParameter(
        "kind",
        str,
        enum=Agreement.Relationship.values,
        description="The kind of relationship of the agreement the request was filed under.",
    ),
    OpenApiParameter("parent", int, description="The hand-offs of this request (its id)."),
    OpenApiParameter(
        "ordering",
        str,
        enum=list(ORDERINGS),
        description="Newest first by default; next_due_at puts the most pressing first.",
    ),
]
ATTACHMENT_ID = OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)


def visible(user) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user)


def with_details(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Everything a request's representation shows, in a fixed number of queries."""
    return selectors.with_next_due(tickets).select_related(
        "service", "provider", "customer", "requester", "assignee", "resolved_by", "agreement"
    )


# The steps of the life cycle taken by POST /api/tickets/{id}/<step>/ with a version and a comment.
STEPS = ["acknowledge", "start", "ask", "answer", "resolve", "reopen", "cancel"]


def _transition(step: Action, summary: str):
    """The view of one step of the life cycle: POST /api/tickets/{id}/<step>/."""

    def view(self: TicketViewSet, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        body = self.body()
        services.ticket_transition(
            ticket_id=ticket.pk,
            by=request.user,
            action=step,
            expected_version=body["version"],
            comment=body["comment"],
        )
        return self.present(ticket.pk)

    view.__name__ = view.__qualname__ = step.value
    view.__doc__ = summary
    view = action(detail=True, methods=["post"])(view)
    return extend_schema(
        request=TransitionSerializer, responses={200: TicketDetailSerializer, **ERRORS}
    )(view)


@extend_schema_view(
    list=extend_schema(
        parameters=TICKET_FILTERS,
        description="Requests the person may see. Items carry no timeline or `actions`: "
        "retrieve one for them.",
    ),
    retrieve=extend_schema(responses={200: TicketDetailSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        request=FilingSerializer,
        responses={201: TicketDetailSerializer, **ERRORS},
        description="File a request on a service of the catalogue (/api/services/): the "
        "agreement in force is pinned and its clock starts (or its approval chain opens).",
    ),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests filed on services, with their clock, timeline, approvals and files.

    Each step sends the `version` of the request it read and answers the request as the step
    left it; times are ISO 8601 with their offset."""

    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        tickets = visible(self.request.user)
        if self.action == "list":
            return with_details(tickets)
        if self.action == "retrieve":
            return ticket_details(tickets)
        return tickets

    def get_serializer_class(self) -> type[Serializer]:
        # The body of each operation, which the browsable API also offers as a form.
        bodies = {
            "retrieve": TicketDetailSerializer,
            "create": FilingSerializer,
            "confirm": ConfirmationSerializer,
            "assign": AssignmentSerializer,
            "priority": PriorityChangeSerializer,
            "take": TakeSerializer,
            "bulk": BulkActionSerializer,
            "comments": CommentSerializer,
            "attachments": UploadSerializer,
            "watch": WatchSerializer,
            "kudos": KudosBodySerializer,
            "links": LinkBodySerializer,
            "children": HandOffSerializer,
            "detach": DetachSerializer,
            **dict.fromkeys(STEPS, TransitionSerializer),
        }
        return bodies.get(self.action, TicketSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        return detail_response(request, self.get_object())

    def filter_queryset(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.action != "list":
            return queryset
        return valid_filters(TicketFilter, self.request, queryset.order_by(*ORDERINGS["-filed_at"]))

    def create(self, request: Request) -> Response:
        body = self.body()
        ticket = services.ticket_file(requester=request.user, **body)
        return self.present(ticket.pk, status.HTTP_201_CREATED)

    # The life cycle (tickets.workflow); approve and reject are on /api/approvals/.

    acknowledge = _transition(Action.ACKNOWLEDGE, "Acknowledge a new request (its agents).")
    start = _transition(Action.START, "Start work on the request (its agents).")
    ask = _transition(Action.ASK, "Ask the requester; the clock pauses (its agents).")
    answer = _transition(Action.ANSWER, "Answer a question; the clock resumes (the requester).")
    resolve = _transition(Action.RESOLVE, "Resolve the request (its agents).")
    reopen = _transition(Action.REOPEN, "Reopen a resolved request (the requester).")
    cancel = _transition(
        Action.CANCEL, "Cancel the request (the requester), and its open hand-offs with it."
    )

    @extend_schema(
        request=ConfirmationSerializer, responses={200: TicketDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Confirm the result, closing the request, and rate the service 1-5 (the requester)."""
        ticket = self.get_object()
        body = self.body()
        services.ticket_confirm(
            ticket_id=ticket.pk,
            by=request.user,
            expected_version=body["version"],
            rating=body["rating"],
            comment=body["comment"],
        )
        return self.present(ticket.pk)

    @extend_schema(request=KudosBodySerializer, responses={201: KudosSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def kudos(self, request: Request, pk: str) -> Response:
        """Thank the agent who served the request and its provider department, once the request
        is confirmed (the requester, once per request; plain text)."""
        ticket = self.get_object()
        given = kudos_give(ticket_id=ticket.pk, by=request.user, message=self.body()["message"])
        return Response(KudosSerializer(given).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentSerializer, responses={200: TicketDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Give the request to an agent of the provider, or to nobody (its agents)."""
        ticket = self.get_object()
        body = self.body()
        services.ticket_assign(
            ticket_id=ticket.pk,
            by=request.user,
            assignee=body["assignee"],
            expected_version=body["version"],
        )
        return self.present(ticket.pk)

    @extend_schema(
        request=PriorityChangeSerializer, responses={200: TicketDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def priority(self, request: Request, pk: str) -> Response:
        """Change the priority; the due times follow as if it had applied since filing (its
        agents)."""
        ticket = self.get_object()
        body = self.body()
        services.ticket_change_priority(
            ticket_id=ticket.pk,
            by=request.user,
            priority=body["priority"],
            expected_version=body["version"],
        )
        return self.present(ticket.pk)

    @extend_schema(request=TakeSerializer, responses={200: TicketDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        """Assign the request to oneself (an agent or the head of the provider)."""
        ticket = self.get_object()
        services.ticket_assign(
            ticket_id=ticket.pk,
            by=request.user,
            assignee=request.user,
            expected_version=self.body()["version"],
        )
        return self.present(ticket.pk)

    @extend_schema(
        request=BulkActionSerializer,
        responses={200: BulkOutcomeSerializer(many=True), 400: ERRORS[400]},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def bulk(self, request: Request) -> Response:
        """Assign, change the priority of, or acknowledge up to 100 requests at once, each as if
        alone (its version, its permission): the answer says what became of each, in order,
        with why one was not done; a request the person may not see is not named."""
        body = self.body()
        outcomes = bulk_act(
            by=request.user,
            rows=[(row["id"], row["version"]) for row in body["tickets"]],
            action=body["action"],
            assignee=body.get("assignee"),
            priority=body.get("priority", ""),
        )
        return Response(BulkOutcomeSerializer(outcomes, many=True).data)

    @extend_schema(
        methods=["GET"],
        operation_id="tickets_comments_list",
        request=None,
        responses={200: EventSerializer(many=True), 404: ERRORS[404]},
        description="The comments on the request, oldest first; internal notes for the "
        "provider's agents only.",
    )
    @extend_schema(
        methods=["POST"],
        request=CommentSerializer,
        responses={201: EventSerializer, **ERRORS},
        description="Comment (the requester, the provider's agents), or add an internal note "
        "(the agents), with files (multipart) and @username mentions (told if they may read "
        "it). The requester's comment answers a question and resumes the clock.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        if request.method == "GET":
            kinds = [Event.Kind.COMMENT, Event.Kind.NOTE]
            events = timeline(ticket, roles_of(request.user, ticket), kinds)
            return Response(EventSerializer(events, many=True).data)
        body = self.body()
        comment = conversation.comment_post(ticket_id=ticket.pk, by=request.user, **body)
        return Response(EventSerializer(comment.event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        operation_id="tickets_links_list",
        request=None,
        responses={200: LinkSerializer(many=True), 404: ERRORS[404]},
        description="The requests linked to this one that the reader may see.",
    )
    @extend_schema(
        methods=["POST"],
        request=LinkBodySerializer,
        responses={201: LinkSerializer, **ERRORS},
        description="Link the request to another the reader may see (its requester or the "
        "provider's agents); a request they may not see is answered as a missing one.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def links(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        if request.method == "POST":
            body = self.body()
            link = conversation.ticket_link(
                ticket_id=ticket.pk, other_id=body["other"], kind=body["kind"], by=request.user
            )
            rows = conversation.links_seen(ticket, request.user, timezone.now())
            [row] = [row for row in rows if row["link"].pk == link.pk]
            return Response(LinkSerializer(row).data, status=status.HTTP_201_CREATED)
        rows = conversation.links_seen(ticket, request.user, timezone.now())
        return Response(LinkSerializer(rows, many=True).data)

    @extend_schema(
        methods=["GET"],
        operation_id="tickets_children_list",
        request=None,
        responses={200: ChildSerializer(many=True), 404: ERRORS[404]},
        description="The request's hand-offs, oldest first, with their status and clock; "
        "`visible` says whether the reader may open one.",
    )
    @extend_schema(
        methods=["POST"],
        request=HandOffSerializer,
        responses={201: TicketDetailSerializer, **ERRORS},
        description="Hand part of the request off to another department (its provider's "
        "agents): a child request on that department's service, filed by the reader for the "
        "provider department as the customer, under the agreement in force between them (400 "
        "when none covers it). The parent may pause while it waits (its agreement's "
        "`pauses_for_hand_offs`) and is not resolved while a hand-off is open.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def children(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        if request.method == "GET":
            rows = hand_offs.children_seen(ticket, request.user)
            return Response(ChildSerializer(rows, many=True).data)
        child = hand_offs.ticket_open_child(parent_id=ticket.pk, by=request.user, **self.body())
        return self.present(child.pk, status.HTTP_201_CREATED)

    @extend_schema(request=DetachSerializer, responses={200: TicketDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def detach(self, request: Request, pk: str) -> Response:
        """Stop waiting on a hand-off (the provider's agents): the request may then be resolved
        without it; both timelines say so."""
        ticket = self.get_object()
        hand_offs.ticket_detach_child(
            parent_id=ticket.pk, child_id=self.body()["child"], by=request.user
        )
        return self.present(ticket.pk)

    @extend_schema(request=WatchSerializer, responses={200: WatchSerializer, 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def watch(self, request: Request, pk: str) -> Response:
        """Start or stop watching the request (anyone who sees it): a watcher is told of its
        comments and status changes."""
        ticket = self.get_object()
        watching = conversation.ticket_watch(
            ticket_id=ticket.pk, by=request.user, watch=self.body()["watch"]
        )
        return Response({"watching": watching})

    @extend_schema(
        methods=["GET"],
        operation_id="tickets_attachments_list",
        request=None,
        responses={200: AttachmentSerializer(many=True), 404: ERRORS[404]},
        description="The files attached to the request.",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": UploadSerializer},
        responses={201: AttachmentSerializer, **ERRORS},
        description="Attach a file (the requester, the provider's agents).",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[parsers.MultiPartParser, FormParser],
        pagination_class=None,
    )
    def attachments(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        if request.method == "GET":
            files = conversation.attachments_seen(ticket, roles_of(request.user, ticket))
            return Response(self.attachment_data(files, many=True))
        upload = self.body()["file"]
        attachment = services.ticket_attach(ticket_id=ticket.pk, by=request.user, upload=upload)
        return Response(self.attachment_data(attachment), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ATTACHMENT_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file."
            ),
            404: ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request: Request, pk: str, attachment_id: str) -> FileResponse:
        """Download a file of the request."""
        ticket = self.get_object()
        seen = conversation.attachments_seen(ticket, roles_of(request.user, ticket))
        attachment = get_object_or_404(seen, pk=attachment_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("This file is missing from the server.")) from None
        return FileResponse(handle, as_attachment=True, filename=attachment.name)

    def body(self) -> dict:
        """The operation's body, validated."""
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def present(self, ticket_id: int, answer: int = status.HTTP_200_OK) -> Response:
        """The request as the step left it, to the person who took it."""
        return detail_response(
            self.request, ticket_details(Ticket.objects.all()).get(pk=ticket_id), answer
        )

    def attachment_data(self, attachments, many: bool = False):
        return AttachmentSerializer(attachments, many=many, context={"request": self.request}).data


def ticket_details(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What the representation of one request shows besides its timeline."""
    return with_details(tickets).prefetch_related(
        Prefetch("approvals", Approval.objects.select_related("approver", "decided_by")),
        Prefetch(
            "attachments", Attachment.objects.select_related("uploaded_by", "comment_file__comment")
        ),
    )


def detail_response(request: Request, ticket: Ticket, answer: int = status.HTTP_200_OK) -> Response:
    """`ticket` (from `ticket_details`) as `request.user` may see it, with what they may do."""
    context = {"request": request, "roles": roles_of(request.user, ticket)}
    return Response(TicketDetailSerializer(ticket, context=context).data, status=answer)


@extend_schema_view(
    list=extend_schema(
        description="The approval steps awaiting the person's decision, their own and those of "
        "the people they stand in for today; the most pressing first."
    )
)
class ApprovalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Approval steps of requests on services with an approval chain."""

    queryset = Approval.objects.all()
    serializer_class = ApprovalSerializer
    bodies = {"approve": DecisionSerializer, "reject": ApprovalRejectionSerializer}

    def get_serializer_class(self) -> type[Serializer]:
        return self.bodies.get(self.action, ApprovalSerializer)

    def get_queryset(self) -> QuerySet[Approval]:
        if getattr(self, "swagger_fake_view", False):
            return Approval.objects.none()
        user, today = self.request.user, timezone.localdate()
        if self.action == "list":
            return selectors.awaiting_approval(user, today)
        return Approval.objects.filter(ticket__in=Ticket.objects.visible_to(user, on=today))

    @extend_schema(request=DecisionSerializer, responses={200: TicketDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve the step (its approver, or their delegate); the next step becomes current,
        or the resolution clock starts after the last one."""
        return self._decide(approve=True)

    @extend_schema(
        request=ApprovalRejectionSerializer, responses={200: TicketDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject the request with the reason (its approver, or their delegate)."""
        return self._decide(approve=False)

    def _decide(self, approve: bool) -> Response:
        approval = self.get_object()
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.approval_decide(
            approval_id=approval.pk,
            by=self.request.user,
            approve=approve,
            comment=serializer.validated_data["comment"],
        )
        return detail_response(self.request, ticket_details(Ticket.objects.all()).get(pk=ticket.pk))
