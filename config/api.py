"""The REST API under /api/: the routers of the apps, the token endpoint, the OpenAPI schema and
its docs page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings

from agreements.api import AgreementViewSet, CalendarViewSet, ServiceViewSet
from common.api import UnknownEndpoint
from dashboards.api import DashboardViewSet, ScorecardViewSet
from directory.api import DepartmentViewSet, MembershipViewSet
from directory.api_tokens import api_token_obtain
from disputes.api import DisputeViewSet
from disputes.breach_api import DisputedBreachViewSet
from feedback.api import FeedbackViewSet
from feedback.plan_api import ActionPlanViewSet, ActionViewSet
from recognition.api import AwardViewSet, CycleViewSet
from surveys.api import CampaignViewSet, InvitationViewSet, WaveViewSet
from tickets.alert_api import EscalationViewSet, WarningViewSet
from tickets.api import ApprovalViewSet, TicketViewSet
from tickets.kudos_api import MyKudosViewSet


class TokenView(ObtainAuthToken):
    """A person's API token, for `Authorization: Token …`. The only endpoint open to anonymous
    clients; failed attempts count towards django-axes' lockout as failed logins do (DRF's
    serializer passes the request to `authenticate`)."""

    authentication_classes = ()
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view names its own, unbounded

    @extend_schema(
        auth=[],
        request=AuthTokenSerializer,
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many failed attempts: locked out for a while."),
        },
    )
    def post(self, request, *args, **kwargs):
        """Exchange a username and password for the person's API token."""
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            # django-axes marks the request it was given (DRF's, which its middleware never
            # sees): answer the lockout here, as a JSON 429 with Retry-After.
            if getattr(request, "axes_locked_out", False):
                wait = settings.AXES_COOLOFF_TIME.total_seconds()
                raise exceptions.Throttled(wait=wait) from None
            raise
        token = api_token_obtain(user=serializer.validated_data["user"])
        return Response({"token": token.key})


app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("services", ServiceViewSet, basename="service")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("kudos", MyKudosViewSet, basename="kudos")
router.register("breaches", DisputedBreachViewSet, basename="breach")
router.register("warnings", WarningViewSet, basename="warning")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("departments", DepartmentViewSet, basename="department")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("survey-campaigns", CampaignViewSet, basename="survey-campaign")
router.register("survey-waves", WaveViewSet, basename="survey-wave")
router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
router.register("dashboards", DashboardViewSet, basename="dashboard")
router.register("scorecard", ScorecardViewSet, basename="scorecard")
router.register("recognition/cycles", CycleViewSet, basename="recognition-cycle")
router.register("recognition/awards", AwardViewSet, basename="recognition-award")
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("action-plans", ActionPlanViewSet, basename="action-plan")
router.register("actions", ActionViewSet, basename="action")

urlpatterns = [
    *router.urls,
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the site's Content Security
    # Policy allows no inline script. A person who is not logged in is sent to the login page.
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    # Last: any other address under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^", UnknownEndpoint.as_view()),
]
