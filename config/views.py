from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from departments.models import Profile


@login_not_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, also remembered on the profile so e-mail follows it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response
