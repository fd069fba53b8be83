from django.urls import path

from departments import views

app_name = "departments"
urlpatterns = [
    path("", views.department_list, name="list"),
    path("<slug:code>/", views.department_detail, name="detail"),
]
