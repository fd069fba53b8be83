from django.urls import path

from recognition import views

app_name = "recognition"

urlpatterns = [
    path("recognition/", views.cycle_list, name="cycles"),
    path("recognition/new/", views.cycle_new, name="cycle_new"),
    path("recognition/<int:pk>/", views.cycle_detail, name="cycle"),
    path("recognition/<int:pk>/awards/", views.award_add, name="award_add"),
    path(
        "recognition/<int:pk>/awards/<int:award_id>/withdraw/",
        views.award_withdraw,
        name="award_withdraw",
    ),
    path("recognition/<int:pk>/publish/", views.cycle_publish, name="publish"),
    path("awards/", views.awards, name="awards"),
    path("awards/<int:pk>/export.<slug:fmt>", views.awards_export, name="export"),
]
