"""The break-glass rule for local passwords: with PASSWORD_LOGIN off, Accord's own passwords
are refused to everyone but the administrators named in BREAK_GLASS_USERNAMES. It is enforced
in the authentication backend, so the login page, the admin's login and the API's token
endpoint all honour it, and django-axes (the first backend) throttles every attempt alike."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from directory.oidc import BACKEND as SINGLE_SIGN_ON_BACKEND


def password_allowed(username: str) -> bool:
    """Whether `username` may sign in with a local password now."""
    return settings.PASSWORD_LOGIN or username in settings.BREAK_GLASS_USERNAMES


def passwords_only_for_break_glass() -> bool:
    """Whether the login page shows the password form only as the administrators' way in:
    passwords are off, single sign-on is the way in, and no other backend (LDAP) reads the
    form."""
    ours = {"axes.backends.AxesStandaloneBackend", PasswordBackend.path, SINGLE_SIGN_ON_BACKEND}
    others = [path for path in settings.AUTHENTICATION_BACKENDS if path not in ours]
    return not settings.PASSWORD_LOGIN and settings.SINGLE_SIGN_ON and not others


class PasswordBackend(ModelBackend):
    """Django's username-and-password backend, under the break-glass rule. When passwords are
    off, a break-glass name must also be a staff account."""

    path = "directory.passwords.PasswordBackend"

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if not password_allowed(username):
            # Hash anyway, as Django does for an unknown name: the answer takes as long.
            get_user_model()().set_password(password)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user) -> bool:
        if not settings.PASSWORD_LOGIN and not user.is_staff:
            return False
        return super().user_can_authenticate(user)
