from django.urls import path

from directory.sign_in_views import SingleSignOnCallback, SingleSignOnStart

app_name = "directory"

urlpatterns = [
    path("oidc/start/", SingleSignOnStart.as_view(), name="oidc_start"),
    path("oidc/callback/", SingleSignOnCallback.as_view(), name="oidc_callback"),
]
