from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from config.views import set_language
from dashboards.my_work import home
from directory.sign_in_views import LoginView
from directory.sign_out import SignOutView
from directory.token_views import api_token, change_api_token
from outbox.views import preferences

urlpatterns = [
    path("", home, name="home"),
    path("departments/", include("departments.urls")),
    path("departments/", include("chats.urls")),
    path("", include("agreements.urls")),
    path("requests/", include("tickets.urls")),
    path("disputes/", include("disputes.urls")),
    path("surveys/", include("surveys.urls")),
    path("feedback/", include("feedback.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("recognition.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("notifications/", include("outbox.urls")),
    path("api/", include("config.api")),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("sign-in/", include("directory.urls")),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/preferences/", preferences, name="preferences"),
    path("accounts/api-token/", api_token, name="api_token"),
    path("accounts/api-token/<slug:name>/", change_api_token, name="api_token_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
