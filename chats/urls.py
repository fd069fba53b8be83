from django.urls import path

from chats import views

app_name = "chats"

urlpatterns = [
    path("<slug:code>/chats/", views.bot_list, name="list"),
    path("<slug:code>/chats/add/", views.bot_add, name="add"),
    path("<slug:code>/chats/<int:pk>/", views.bot_edit, name="edit"),
    path("<slug:code>/chats/<int:pk>/delete/", views.bot_delete, name="delete"),
    path("<slug:code>/chats/<int:pk>/test/", views.bot_test, name="test"),
]
