from django.urls import path

from disputes import views

app_name = "disputes"

urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/decide/", views.dispute_decide, name="decide"),
    path("breaches/<int:breach_id>/", views.dispute_open, name="open"),
]
