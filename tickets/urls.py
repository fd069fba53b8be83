from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("approvals/", views.awaiting_approval, name="approvals"),
    path("approvals/<str:token>/", views.approval_link, name="approval_link"),
    path("new/<int:pk>/", views.ticket_new, name="new"),
    path("new/<int:pk>/due-times/", views.due_preview, name="due_preview"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/act/", views.ticket_act, name="act"),
    path("<int:pk>/comment/", views.ticket_comment, name="comment"),
    path("<int:pk>/assign/", views.ticket_assign, name="assign"),
    path("<int:pk>/priority/", views.ticket_priority, name="priority"),
    path("<int:pk>/decide/", views.ticket_decide, name="decide"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
