"""The REST API under /api/: the routers of the apps, the OpenAPI schema and its docs page."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from agreements.api import AgreementViewSet, CalendarViewSet, ServiceViewSet

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("services", ServiceViewSet, basename="service")
router.register("agreements", AgreementViewSet, basename="agreement")

urlpatterns = [
    *router.urls,
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
]
