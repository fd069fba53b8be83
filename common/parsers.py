"""The parsers of the REST API's request bodies: DRF's, bounded in size and nesting.

Kept apart from common.api: DRF imports these while it defines its views."""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

# Deeper than any body Accord reads (an agreement's targets are three levels); a deeper one is an
# attack on the recursive parts of parsing and validation.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def _read_bounded(stream) -> bytes:
    """The body, refused when larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads the
    request's stream, which Django's limit does not cover)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge()
    return body


def _nested_deeper_than(data: Any, limit: int) -> bool:
    level, depth = [data], 0
    while containers := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with bounds: a body larger than Django's limit is 413, and one nested
    deeper than MAX_JSON_DEPTH is 400 (the decoder recurses: far deeper raised RecursionError)."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = io.BytesIO(_read_bounded(stream))
        too_deep = exceptions.ParseError(
            _("The JSON body is nested more than %(depth)d levels deep.")
            % {"depth": MAX_JSON_DEPTH}
        )
        try:
            data = super().parse(body, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _nested_deeper_than(data, MAX_JSON_DEPTH):
            raise too_deep
        return data


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing a body larger than Django's limit with 413."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        return super().parse(io.BytesIO(_read_bounded(stream)), media_type, parser_context)
