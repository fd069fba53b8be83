from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("scorecard/", views.company_scorecard, name="scorecard"),
    path(
        "scorecard/export/<slug:table>.<slug:fmt>",
        views.scorecard_export,
        name="scorecard_export",
    ),
    path("department/<str:code>/", views.department_dashboard, name="department"),
    path("department/<str:code>/requests/", views.requests, name="requests"),
    path(
        "department/<str:code>/export/<slug:table>.<slug:fmt>",
        views.export,
        name="export",
    ),
]
