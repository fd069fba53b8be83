from django.urls import path

from agreements import views

app_name = "agreements"
urlpatterns = [
    path("services/", views.catalogue, name="catalogue"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/new/<slug:code>/", views.agreement_create, name="create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("agreements/<int:pk>/propose/", views.agreement_propose, name="propose"),
    path("agreements/<int:pk>/withdraw/", views.agreement_withdraw, name="withdraw"),
    path("agreements/<int:pk>/accept/", views.agreement_accept, name="accept"),
    path("agreements/<int:pk>/reject/", views.agreement_reject, name="reject"),
    path("agreements/<int:pk>/new-version/", views.agreement_new_version, name="new_version"),
]
