from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulCharactersMiddleware:
    """A NUL character in the query string cannot reach PostgreSQL (it raises); answer 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in value for value in values)
               for key, values in request.GET.lists()):  # fmt: skip
            return HttpResponseBadRequest(_("The address contains a NUL character."))
        return self.get_response(request)
