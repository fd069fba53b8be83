from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("add/", views.webhook_add, name="add"),
    path("<int:pk>/", views.webhook_edit, name="edit"),
    path("<int:pk>/delete/", views.webhook_delete, name="delete"),
    path("<int:pk>/test/", views.webhook_test, name="test"),
    path("<int:pk>/log/", views.webhook_log, name="log"),
    path("<int:pk>/log/<int:message_id>/resend/", views.webhook_resend, name="resend"),
]
