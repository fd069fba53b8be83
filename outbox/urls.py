from django.urls import path

from outbox import views

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("bell/", views.bell, name="notifications_bell"),
    path("read/", views.mark_all_read, name="notifications_read_all"),
    path("<int:message_id>/", views.open_notification, name="notification_open"),
    path("<int:message_id>/read/", views.mark_read, name="notification_read"),
]
