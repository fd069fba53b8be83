from django.urls import path, re_path

from surveys import result_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/end/", views.campaign_end, name="campaign_end"),
    path("waves/<int:pk>/progress/", views.wave_progress, name="wave_progress"),
    path("questions/", views.question_bank, name="questions"),
    path("questions/<int:pk>/archive/", views.question_archive, name="question_archive"),
    path("results/", result_views.results_index, name="results_index"),
    path("results/<int:pk>/", result_views.results, name="results"),
    path(
        "results/<int:pk>/departments/<str:code>/",
        result_views.department_results,
        name="department_results",
    ),
    re_path(
        r"^results/(?P<pk>[0-9]+)/(?P<what>results|responses)\.(?P<extension>csv|xlsx)$",
        result_views.export,
        name="export",
    ),
    path("answer/<str:token>/", views.answer, name="answer"),
]
