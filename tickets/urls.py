from django.urls import path

from tickets import (
    canned_replies,
    confirm_views,
    conversation_views,
    hand_off_views,
    live,
    my_kudos,
    queue_actions,
    request_page,
    saved_views,
    search_page,
    views,
)

app_name = "tickets"
urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/assign/", queue_actions.queue_assign, name="queue_assign"),
    path("queue/bulk/", queue_actions.queue_bulk, name="queue_bulk"),
    path("queue/views/new/", saved_views.saved_view_new, name="saved_view_new"),
    path("queue/views/<int:pk>/", saved_views.saved_view_edit, name="saved_view_edit"),
    path("queue/views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved_view_delete"),
    path("replies/", canned_replies.canned_reply_list, name="canned_replies"),
    path("replies/new/", canned_replies.canned_reply_new, name="canned_reply_new"),
    path("replies/<int:pk>/", canned_replies.canned_reply_edit, name="canned_reply_edit"),
    path(
        "replies/<int:pk>/delete/", canned_replies.canned_reply_delete, name="canned_reply_delete"
    ),
    path("search/", search_page.search_requests, name="search"),
    path("kudos/", my_kudos.my_kudos, name="my_kudos"),
    path("approvals/", views.awaiting_approval, name="approvals"),
    path("time-left/", live.time_left_updates, name="time_left"),
    path("approvals/<str:token>/", views.approval_link, name="approval_link"),
    path("confirm/<str:token>/", confirm_views.confirm_link, name="confirm_link"),
    path("new/<int:pk>/", views.ticket_new, name="new"),
    path("new/<int:pk>/due-times/", views.due_preview, name="due_preview"),
    path("<int:pk>/", request_page.ticket_detail, name="detail"),
    path("<int:pk>/act/", request_page.ticket_act, name="act"),
    path("<int:pk>/comment/", request_page.ticket_comment, name="comment"),
    path("<int:pk>/thank/", request_page.ticket_thank, name="thank"),
    path("<int:pk>/assign/", request_page.ticket_assign, name="assign"),
    path("<int:pk>/priority/", request_page.ticket_priority, name="priority"),
    path("<int:pk>/decide/", request_page.ticket_decide, name="decide"),
    path("<int:pk>/watch/", conversation_views.ticket_watch, name="watch"),
    path("<int:pk>/link/", conversation_views.ticket_link, name="link"),
    path("<int:pk>/unlink/", conversation_views.ticket_unlink, name="unlink"),
    path("<int:pk>/hand-off/", hand_off_views.hand_off_new, name="hand_off"),
    path("<int:pk>/detach/", hand_off_views.hand_off_detach, name="detach"),
    path("<int:pk>/duplicate/", conversation_views.ticket_close_as_duplicate, name="duplicate"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        request_page.attachment_download,
        name="attachment",
    ),
]
