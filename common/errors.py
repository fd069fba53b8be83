"""The one base of the errors that Accord's services raise for people to read."""

from http import HTTPStatus


class DomainError(Exception):
    """An operation the domain refuses now; the message says why, for the person acting.

    Pages show the message; the API answers it as {"detail": message} with `status_code`:
    400 by default, 409 when what was read changed meanwhile, 404 when it is gone."""

    status_code: int = HTTPStatus.BAD_REQUEST
