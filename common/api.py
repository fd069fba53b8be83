"""What every endpoint of the REST API shares: one shape of error, the exception handler that
gives it, the JSON 404 of unknown addresses, and the error responses of the OpenAPI schema.

Every error is a JSON object with `detail`, a message for people; invalid fields add their
messages beside it, by field name ({"detail": "…", "title": ["This field is required."]}).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import DomainError
from common.parsers import RequestTooLarge

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error: `detail` says what went wrong; invalid fields add their messages "
    "beside it, by field name.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": {
        "description": "The messages of the field of that name: a list of strings, or of "
        "objects of the same kind for the items of a nested list."
    },
}
# The errors any operation may answer, with what they mean in general; an operation may say more.
ERROR_RESPONSES = {
    HTTPStatus.BAD_REQUEST: "Refused, or invalid input: `detail` says why, and invalid fields "
    "have their messages beside it.",
    HTTPStatus.UNAUTHORIZED: "No credentials, or wrong ones: send `Authorization: Token …`.",
    HTTPStatus.FORBIDDEN: "The person may not do this.",
    HTTPStatus.NOT_FOUND: "No such thing visible to the person.",
    HTTPStatus.CONFLICT: "It changed since it was read; reload it and try again.",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The request body is too large.",
}


class ErrorSerializer(serializers.Serializer):
    """An error answer, as `ERROR_SCHEMA` describes it (for `extend_schema` responses)."""

    detail = serializers.CharField()


class _ErrorSchema(OpenApiSerializerExtension):
    target_class = ErrorSerializer

    def map_serializer(self, auto_schema, direction) -> dict[str, Any]:
        return dict(ERROR_SCHEMA)


def model_errors(error: DjangoValidationError) -> dict:
    """A model's validation errors by field, as a serializer's are (`non_field_errors`, not
    `__all__`, for those of no field)."""
    errors = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler, taught Accord's domain errors and Django's, answering every
    error in the one shape (with `detail`)."""
    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is not None:
        response.data = _with_detail(response.data)
    return response


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DomainError):
        api_exception = exceptions.APIException(str(exc))
        api_exception.status_code = exc.status_code
        return api_exception
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(model_errors(exc))
    if isinstance(exc, ObjectDoesNotExist):  # deleted between a visibility check and the step
        return exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):  # from Django's multipart parser
        return RequestTooLarge()
    return exc


def _with_detail(data: Any) -> dict:
    """`data` of an error as an object with `detail`: a list of messages joined, a dict of
    messages by field given the non-field message, or a general one."""
    if isinstance(data, list):
        return {"detail": " ".join(str(message) for message in data)}
    if not isinstance(data, dict):
        return {"detail": str(data)}
    if "detail" in data:
        return data
    general = data.get(api_settings.NON_FIELD_ERRORS_KEY)
    if isinstance(general, list) and general and all(isinstance(m, str) for m in general):
        return {"detail": " ".join(general), **data}
    return {"detail": _("Some fields are not valid; see the message of each."), **data}


class UnknownEndpoint(APIView):
    """Any address under /api/ that names no endpoint: a JSON 404, as the endpoints answer."""

    authentication_classes = ()
    permission_classes = ()
    schema = None

    def initial(self, request, *args, **kwargs) -> None:
        raise exceptions.NotFound(_("No endpoint of the API has this address."))


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the errors any operation
    may answer (ERROR_RESPONSES), each in the one shape of error."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = dict(ERROR_SCHEMA)
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                response = responses.setdefault(str(int(status)), {"description": description})
                response.setdefault("content", error_content)
    return result
