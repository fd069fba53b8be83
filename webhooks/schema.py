"""The webhook payloads in the OpenAPI document: a drf-spectacular postprocessing hook adds
their schemas to `components` and one entry per event under `x-webhooks` (the document is
OpenAPI 3.0, which has no `webhooks` section; 3.1's is the same shape under that name)."""

from __future__ import annotations

from webhooks.events import SCHEMA_VERSION, TEST, Event

_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {**_TIME, "nullable": True}
_DEPARTMENT = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
    "required": ["code", "name"],
}
_REF = "#/components/schemas/"

SCHEMAS = {
    "WebhookDepartment": _DEPARTMENT,
    "WebhookRequest": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "example": "FIN-42"},
            "title": {"type": "string"},
            "status": {"type": "string"},
            "priority": {"type": "string", "example": "P2"},
            "service": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "provider": {"$ref": _REF + "WebhookDepartment"},
            "customer": {"$ref": _REF + "WebhookDepartment"},
            "filed_at": _TIME,
            "first_response_due_at": _NULLABLE_TIME,
            "resolution_due_at": _NULLABLE_TIME,
            "link": {"type": "string", "format": "uri"},
        },
        "required": ["id", "number", "title", "service", "provider", "customer", "link"],
    },
    "WebhookTarget": {
        "type": "object",
        "description": "The target warned about or missed (warnings, breaches, escalations).",
        "properties": {
            "name": {"type": "string", "enum": ["first_response", "resolution", "approval"]},
            "step": {"type": "integer", "nullable": True},
            "due_at": _TIME,
            "overdue": {"type": "boolean"},
            "overdue_seconds": {"type": "integer", "description": "Real seconds past due."},
        },
    },
    "WebhookAgreement": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "version": {"type": "integer"},
            "status": {"type": "string"},
            "provider": {"$ref": _REF + "WebhookDepartment"},
            "link": {"type": "string", "format": "uri"},
        },
    },
    "WebhookAward": {
        "type": "object",
        "description": "A published award (recognition.awarded), to a department or a person.",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "reason": {"type": "string"},
            "cycle": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "starts_on": {"type": "string", "format": "date"},
                    "ends_on": {"type": "string", "format": "date"},
                },
            },
            "department": {"allOf": [{"$ref": _REF + "WebhookDepartment"}], "nullable": True},
            "person": {"type": "object", "nullable": True},
            "link": {"type": "string", "format": "uri"},
        },
    },
    "WebhookEventData": {
        "type": "object",
        "description": "Which keys are present depends on `type` (see the README).",
        "properties": {
            "request": {"$ref": _REF + "WebhookRequest"},
            "target": {"$ref": _REF + "WebhookTarget"},
            "approval": {
                "type": "object",
                "properties": {"step": {"type": "integer"}, "due_at": _NULLABLE_TIME},
            },
            "escalation": {
                "type": "object",
                "properties": {
                    "level": {"type": "integer"},
                    "department": {"$ref": _REF + "WebhookDepartment"},
                },
            },
            "actor": {"type": "object", "nullable": True},
            "agreement": {"$ref": _REF + "WebhookAgreement"},
            "department": {"$ref": _REF + "WebhookDepartment"},
            "comment": {"type": "string"},
            "award": {"$ref": _REF + "WebhookAward"},
        },
    },
    "WebhookPayload": {
        "type": "object",
        "description": (
            "Posted as JSON, signed as the Standard Webhooks specification says: headers "
            "`webhook-id` (the same on every retry), `webhook-timestamp` (Unix seconds) and "
            "`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` "
            "keyed with the base64-decoded part of the secret after `whsec_`)."
        ),
        "properties": {
            "type": {"type": "string", "enum": [*Event.values, TEST]},
            "version": {"type": "integer", "enum": [SCHEMA_VERSION]},
            "timestamp": _TIME,
            "data": {"$ref": _REF + "WebhookEventData"},
        },
        "required": ["type", "version", "timestamp", "data"],
    },
}


def add_webhook_payloads(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the payload schemas and one `x-webhooks` entry per
    event a webhook may receive."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    result["x-webhooks"] = {
        name: {
            "post": {
                "summary": str(label),
                "operationId": "webhook_" + name.replace(".", "_"),
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": _REF + "WebhookPayload"}}}
                },
                "responses": {
                    "2XX": {"description": "Received."},
                    "410": {"description": "Gone: Accord disables the webhook."},
                },
            }
        }
        for name, label in [*Event.choices, (TEST, "Test event")]
    }
    return result
