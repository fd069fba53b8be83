"""The REST API of the agreements app: business calendars, the service catalogue, agreements.

Errors of the agreement services come back as {"detail": message} (common.api): 409 when the
agreement changed since it was read (`StaleAgreement`), 400 for anything else the life cycle
refuses (`AgreementError`), 403 when the person may not act; invalid fields are 400 with messages
per field beside `detail`. An agreement the person may not see is 404, never 403.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, ProtectedError, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agreements import services
from agreements.filters import AgreementFilter, ServiceFilter
from agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementTarget,
    ApprovalStep,
    BusinessCalendar,
    Service,
    SignOff,
)
from agreements.serializers import (
    AcceptanceSerializer,
    AgreementDetailSerializer,
    AgreementSerializer,
    BusinessCalendarSerializer,
    RejectionSerializer,
    RevisionSerializer,
    ServiceSerializer,
)
from common.api import ErrorSerializer
from common.filters import valid_filters
from departments.models import Membership


class CalendarInUse(services.AgreementError):
    """Agreements run on the calendar, so it stays."""

    status_code = HTTPStatus.CONFLICT


def heads_a_department(user) -> bool:
    return user.is_superuser or Membership.objects.heads().filter(user_id=user.pk).exists()


class AdministratorsChange(BasePermission):
    """Everyone reads; administrators change."""

    message = _("Only an administrator changes business calendars.")

    def has_permission(self, request: Request, view) -> bool:
        return request.method in SAFE_METHODS or request.user.is_superuser


class ProviderHeadsChange(BasePermission):
    """Everyone reads the catalogue; the head of the provider (or an administrator) changes it."""

    message = _("Only the head of the provider department changes its services.")

    def has_permission(self, request: Request, view) -> bool:
        return request.method in SAFE_METHODS or heads_a_department(request.user)

    def has_object_permission(self, request: Request, view, service: Service) -> bool:
        return (
            request.method in SAFE_METHODS
            or request.user.is_superuser
            or service.provider.is_headed_by(request.user)
        )


DETAIL_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused, or invalid fields."),
    403: OpenApiResponse(ErrorSerializer, description="The person may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such agreement visible to the person."),
    409: OpenApiResponse(ErrorSerializer, description="The revision sent is stale."),
}


class CalendarViewSet(viewsets.ModelViewSet):
    """Business calendars; administrators create, change and delete them."""

    queryset = BusinessCalendar.objects.prefetch_related("days", "closures").order_by("name")
    serializer_class = BusinessCalendarSerializer
    permission_classes = [IsAuthenticated, AdministratorsChange]

    def perform_destroy(self, calendar: BusinessCalendar) -> None:
        try:
            calendar.delete()
        except ProtectedError as error:
            raise CalendarInUse(
                _("Agreements run on this calendar; it cannot be deleted.")
            ) from error


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("provider", str, description="A provider department's code."),
            OpenApiParameter(
                "search", str, description="Words in the name, description or provider's name."
            ),
            OpenApiParameter(
                "include_inactive", bool, description="Also list services no longer offered."
            ),
        ]
    )
)
class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The service catalogue; the head of a provider department keeps its services."""

    queryset = Service.objects.select_related("provider").prefetch_related(
        Prefetch(
            "approval_steps",
            ApprovalStep.objects.select_related("person", "department").order_by("position"),
        )
    )
    serializer_class = ServiceSerializer
    permission_classes = [IsAuthenticated, ProviderHeadsChange]

    def filter_queryset(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        if self.action != "list":
            return queryset
        services = valid_filters(ServiceFilter, self.request, queryset)
        return services.order_by("provider__name", "name")

    def perform_create(self, serializer: ServiceSerializer) -> None:
        provider = serializer.validated_data["provider"]
        if not (self.request.user.is_superuser or provider.is_headed_by(self.request.user)):
            raise PermissionDenied(ProviderHeadsChange.message)
        serializer.save()


AGREEMENT_FILTERS = [
    OpenApiParameter("status", str, enum=Agreement.Status.values),
    OpenApiParameter("provider", str, description="The provider department's code."),
    OpenApiParameter(
        "customer",
        str,
        description="A customer department's code; company-wide agreements serve it too.",
    ),
    OpenApiParameter("service", int, description="A service's id."),
]


@extend_schema_view(
    list=extend_schema(
        parameters=AGREEMENT_FILTERS,
        description="Agreements the person may see. Items carry no `actions`: retrieve one for "
        "them.",
    ),
    retrieve=extend_schema(responses={200: AgreementDetailSerializer, 404: DETAIL_ERRORS[404]}),
    create=extend_schema(
        description="Create a draft (the head of the provider department).",
        responses={201: AgreementDetailSerializer, **DETAIL_ERRORS},
    ),
    update=extend_schema(
        description="Edit a draft; send the `revision` you read.",
        responses={200: AgreementDetailSerializer, **DETAIL_ERRORS},
    ),
    partial_update=extend_schema(
        description="Edit some fields of a draft; send the `revision` you read.",
        responses={200: AgreementDetailSerializer, **DETAIL_ERRORS},
    ),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agreements (internal SLAs): drafts, proposals, versions in force and past ones.

    Durations are ISO 8601 (e.g. "PT4H"). Every change goes through the agreement services."""

    queryset = Agreement.objects.all()
    serializer_class = AgreementSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Agreement]:
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        visible = Agreement.objects.visible_to(self.request.user)
        return with_details(visible) if self.action in {"list", "retrieve"} else visible

    def get_serializer_class(self):
        return AgreementDetailSerializer if self.action == "retrieve" else AgreementSerializer

    def filter_queryset(self, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
        if self.action != "list":
            return queryset
        return valid_filters(AgreementFilter, self.request, queryset)

    def create(self, request: Request) -> Response:
        if not heads_a_department(request.user):
            raise PermissionDenied(_("Only the head of the provider department drafts agreements."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_save_draft(by=request.user, **serializer.draft_arguments())
        return self._present(agreement, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        agreement = self.get_object()
        if not services.can_manage(request.user, agreement):
            raise PermissionDenied(
                _("Only the head of the provider department edits its agreements.")
            )
        serializer = self.get_serializer(agreement, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_save_draft(by=request.user, **serializer.draft_arguments())
        return self._present(agreement)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    @extend_schema(
        request=RevisionSerializer, responses={200: AgreementDetailSerializer, **DETAIL_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str) -> Response:
        """Send a draft to the customer heads for acceptance (the provider's head)."""
        agreement = self.get_object()
        data = self._body(RevisionSerializer, agreement)
        services.agreement_propose(agreement_id=agreement.pk, by=request.user, **data)
        return self._present(agreement)

    @extend_schema(
        request=RevisionSerializer, responses={200: AgreementDetailSerializer, **DETAIL_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Take a proposal back to draft (the provider's head)."""
        agreement = self.get_object()
        data = self._body(RevisionSerializer, agreement)
        services.agreement_withdraw(agreement_id=agreement.pk, by=request.user, **data)
        return self._present(agreement)

    @extend_schema(
        request=AcceptanceSerializer, responses={200: AgreementDetailSerializer, **DETAIL_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept a proposal for a customer department (its head), or for the company (an
        administrator, in a company-wide agreement); the last acceptance puts it in force."""
        agreement = self.get_object()
        data = self._body(AcceptanceSerializer, agreement)
        services.agreement_accept(agreement_id=agreement.pk, by=request.user, **data)
        return self._present(agreement)

    @extend_schema(
        request=RejectionSerializer, responses={200: AgreementDetailSerializer, **DETAIL_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject a proposal with a reason; it returns to draft."""
        agreement = self.get_object()
        data = self._body(RejectionSerializer, agreement)
        services.agreement_reject(agreement_id=agreement.pk, by=request.user, **data)
        return self._present(agreement)

    @extend_schema(request=None, responses={201: AgreementDetailSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str) -> Response:
        """Start a new draft version of the agreement in force (the provider's head)."""
        agreement = self.get_object()
        draft = services.agreement_start_new_version(agreement_id=agreement.pk, by=request.user)
        return self._present(draft, status.HTTP_201_CREATED)

    def _body(self, serializer_class: type, agreement: Agreement) -> dict:
        serializer = serializer_class(data=self.request.data, context={"agreement": agreement})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _present(self, agreement: Agreement, answer: int = status.HTTP_200_OK) -> Response:
        """The agreement as the change left it, to the person who made the change."""
        fresh = with_details(Agreement.objects.all()).get(pk=agreement.pk)
        return Response(
            AgreementDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=answer,
        )


def with_details(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Everything the representation of an agreement shows, in a fixed number of queries."""
    return agreements.select_related("provider").prefetch_related(
        "customers",
        "services",
        Prefetch("targets", AgreementTarget.objects.order_by("priority")),
        "approval_windows",
        Prefetch("sign_offs", SignOff.objects.select_related("department", "decided_by")),
        Prefetch("events", AgreementEvent.objects.select_related("actor", "department")),
    )
