"""The OpenAPI document's component schemas: the records and requests the routes take and give."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["NULLABLE_NUMBER", "ref", "schemas"]

NULLABLE_NUMBER = {"type": ["number", "null"]}


def ref(name: str) -> dict[str, str]:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def schemas(platforms: Sequence[str]) -> dict[str, Any]:
    """The component schemas, the platform enums from ``platforms``."""
    platform = {"type": "string", "enum": list(platforms)}
    return {
        "Error": {
            "type": "object",
            "required": ["success", "error"],
            "properties": {
                "success": {"const": False},
                "error": {"type": "string"},
                "message": {"type": "string"},
                "drop": {"type": "object"},
            },
        },
        "PlatformData": {
            "type": "object",
            "required": ["platform", "username", "followers", "engagement", "cached"],
            "properties": {
                "platform": {"type": "string"},
                "username": {"type": "string"},
                "displayName": {"type": "string"},
                "profileImage": {"type": "string"},
                "bio": {"type": "string"},
                "verified": {"type": "boolean"},
                "followers": {"type": "integer", "minimum": 0},
                "following": {"type": "integer"},
                "totalContent": {"type": "integer"},
                "totalEngagement": NULLABLE_NUMBER,
                "averageEngagement": NULLABLE_NUMBER,
                "engagement": {
                    **NULLABLE_NUMBER,
                    "description": "The formula's average engagement (a percentage with the "
                    "rate formula); null when the provider gave nothing to compute it from.",
                },
                "lastFetched": {"type": "string", "format": "date-time"},
                "stale": {"type": "boolean"},
                "provider": {"type": "string"},
                "rounded": {"type": "boolean"},
                "formula": {"type": "string"},
                "cached": {"type": "boolean"},
            },
        },
        "FetchRequest": {
            "type": "object",
            "required": ["platform", "username"],
            "properties": {
                "platform": platform,
                "username": {"type": "string", "minLength": 1, "maxLength": 200},
                "refresh": {"type": "boolean"},
                "formula": {"type": "string"},
            },
        },
        "BatchRequest": {
            "type": "object",
            "required": ["platforms"],
            "properties": {
                "platforms": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "required": ["type", "username"],
                        "properties": {"type": {"type": "string"}, "username": {"type": "string"}},
                    },
                }
            },
        },
        "SyncRequest": {
            "type": "object",
            "required": ["platform"],
            "properties": {
                "platform": platform,
                "username": {"type": "string"},
                "followers": {"type": "integer", "minimum": 0},
                "engagement": {"type": "number", "minimum": 0},
                "force": {"type": "boolean"},
            },
        },
        "CreatorRequest": {
            "type": "object",
            "required": ["usernames"],
            "properties": {
                "usernames": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "string"},
                },
                "priority": {"type": "integer", "minimum": 1},
            },
        },
        "Anomaly": {
            "type": "object",
            "required": ["kind", "start", "end", "before", "after", "change", "score", "explain"],
            "properties": {
                "kind": {"type": "string", "enum": ["spike", "drop", "divergence"]},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "before": {"type": "integer"},
                "after": {"type": "integer"},
                "change": {"type": "number", "description": "after / before - 1"},
                "score": {
                    "type": "number",
                    "description": "How far outside the creator's normal, in MADs.",
                },
                "explain": {"type": "string"},
            },
        },
    }
