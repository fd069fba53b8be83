from django.urls import path

from feedback import plan_views, views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.feedback_new, name="new"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/respond/", views.feedback_respond, name="respond"),
    path("<int:pk>/accept/", views.feedback_accept, name="accept"),
    path("<int:pk>/reopen/", views.feedback_reopen, name="reopen"),
    path("<int:pk>/escalate/", views.feedback_escalate, name="escalate"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/<int:wave>/<str:code>/", plan_views.plan_detail, name="plan"),
    path("actions/<int:pk>/", plan_views.action_edit, name="action_edit"),
    path("actions/<int:pk>/progress/", plan_views.action_progress, name="action_progress"),
]
