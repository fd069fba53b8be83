from django.urls import path

from tickets import live, request_page, search_page, views

app_name = "tickets"
urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("search/", search_page.search_requests, name="search"),
    path("approvals/", views.awaiting_approval, name="approvals"),
    path("time-left/", live.time_left_updates, name="time_left"),
    path("approvals/<str:token>/", views.approval_link, name="approval_link"),
    path("new/<int:pk>/", views.ticket_new, name="new"),
    path("new/<int:pk>/due-times/", views.due_preview, name="due_preview"),
    path("<int:pk>/", request_page.ticket_detail, name="detail"),
    path("<int:pk>/act/", request_page.ticket_act, name="act"),
    path("<int:pk>/comment/", request_page.ticket_comment, name="comment"),
    path("<int:pk>/assign/", request_page.ticket_assign, name="assign"),
    path("<int:pk>/priority/", request_page.ticket_priority, name="priority"),
    path("<int:pk>/decide/", request_page.ticket_decide, name="decide"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        request_page.attachment_download,
        name="attachment",
    ),
]
