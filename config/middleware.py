from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from departments.time_zones import chosen_time_zone
from directory.sign_out import sign_out_origins


class RejectNulCharactersMiddleware:
    """A NUL character in the query string cannot reach PostgreSQL (it raises); answer 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in value for value in values)
               for key, values in request.GET.lists()):  # fmt: skip
            message = _("The address contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class PrivateWhenSignedInMiddleware:
    """What a signed-in person is shown (pages, API answers, downloads) is theirs alone: no
    browser cache keeps it and no proxy serves it to anyone else. Static files (served before
    this by WhiteNoise) and anonymous pages keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: the API's token authentication sets request.user there.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class PersonalTimeZoneMiddleware:
    """Pages show dates and times in the signed-in person's own time zone, when they chose one
    (departments.time_zones); otherwise in the company's (TIME_ZONE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = chosen_time_zone(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SignOutFormActionMiddleware:
    """Every page's sign-out form may lead on to the sign-in provider (directory.sign_out), and
    browsers hold the redirects after a form to the Content Security Policy's form-action: with
    single sign-on on, it names the provider's origin besides Accord's own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origins = sign_out_origins()
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", ()), *origins]
            response._csp_update = update
        return response
