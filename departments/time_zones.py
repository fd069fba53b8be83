"""Each person sees dates and times in their own time zone (Profile.time_zone), or the company's.

The zone rides on the session, copied from the profile at sign-in and when the person changes it,
so that showing a page costs no query for it."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from django.http import HttpRequest

from departments.models import Profile

SESSION_KEY = "accord_time_zone"


def remember_time_zone(request: HttpRequest, name: str) -> None:
    if name:
        request.session[SESSION_KEY] = name
    else:
        request.session.pop(SESSION_KEY, None)


def remember_on_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """`user_logged_in` receiver (the API's token sign-in passes no request)."""
    if request is None or not hasattr(request, "session"):
        return
    name = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    remember_time_zone(request, name or "")


def chosen_time_zone(request: HttpRequest) -> ZoneInfo | None:
    """The zone the person chose, or None for the company's (a stale or unknown name included)."""
    session = getattr(request, "session", None)
    name = session.get(SESSION_KEY) if session is not None else None
    if not name or name not in available_timezones():
        return None
    return ZoneInfo(name)
