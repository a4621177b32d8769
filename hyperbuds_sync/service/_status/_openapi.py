"""``GET /status`` in the service's OpenAPI document: its query, its answers (the page as HTML,
the same facts as JSON) and the two ways a browser signs in beside ``X-API-Key``."""

from __future__ import annotations

from typing import Any

from ._access import COOKIE

__all__ = ["SECURITY_SCHEMES", "paths"]

SECURITY_SCHEMES = {
    "basicAuth": {
        "type": "http",
        "scheme": "basic",
        "description": "Any user name; a caller key as the password (the status page).",
    },
    "statusSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": "Set by POST /status/sign-in (HttpOnly, SameSite=Strict), signed.",
    },
}

_WHEN = {"type": ["string", "null"], "format": "date-time"}
_COUNT = {"type": "integer", "minimum": 0}
_MAYBE_COUNT = {"type": ["integer", "null"]}
_ROWS = {"type": "array", "items": {"type": "object"}}


def _object(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **optional},
    }


_PROVIDER = _object(
    {
        "provider": {"type": "string"},
        "position": {"type": "integer", "minimum": 1},
        "host": {"type": "string"},
        "available": {"type": "boolean"},
        "benchedUntil": _WHEN,
        "reason": {"type": "string"},
        "quota": {"type": ["object", "null"]},
        "keys": {
            "type": "array",
            "description": "Per RapidAPI key: shown by its last 4 characters, or a fingerprint.",
            "items": _object(
                {
                    "key": {"type": "string"},
                    "limit": _MAYBE_COUNT,
                    "remaining": _MAYBE_COUNT,
                    "resetAt": _WHEN,
                    "benchedUntil": _WHEN,
                    "calls": _COUNT,
                }
            ),
        },
        "spent": _object(
            {
                "today": _COUNT,
                "todaySince": _WHEN,
                "period": _MAYBE_COUNT,
                "budget": _MAYBE_COUNT,
                "budgetFrom": {"enum": ["roster", "quota", None]},
                "periodDays": {"type": "integer"},
                "burnDown": {"type": ["object", "null"]},
            }
        ),
    }
)
_RATIO = _object(
    {
        "hits": _COUNT,
        "misses": _COUNT,
        "ratio": {"type": ["number", "null"]},
        "text": {"type": "string", "description": 'hits/total, e.g. "2/3"; "-" for none'},
    }
)
FACTS = _object(
    {
        "at": {"type": "string", "format": "date-time"},
        "providers": _object(
            {
                "at": _WHEN,
                "platforms": {
                    "type": "array",
                    "items": _object(
                        {
                            "platform": {"type": "string"},
                            "chain": {"type": "array", "items": _PROVIDER},
                        }
                    ),
                },
            }
        ),
        "traffic": _object(
            {
                "since": _WHEN,
                "upstreamSince": _WHEN,
                "platforms": {
                    "type": "array",
                    "items": _object(
                        {
                            "platform": {"type": "string"},
                            "requestsHour": _COUNT,
                            "requestsDay": _COUNT,
                            "upstreamHour": _COUNT,
                            "upstreamDay": _COUNT,
                            "cache": _RATIO,
                        }
                    ),
                },
                "cache": _RATIO,
                "outcomes": _ROWS,
                "errors": {"type": "array", "maxItems": 50, "items": {"type": "object"}},
            }
        ),
        "roster": {
            "description": "null when the service runs no roster.",
            "oneOf": [
                {"type": "null"},
                _object(
                    {
                        "creators": _COUNT,
                        "creatorPlatforms": _COUNT,
                        "deliveries": _ROWS,
                        "plan": {"type": ["object", "null"]},
                        "planError": {"type": ["string", "null"]},
                        "histogram": _ROWS,
                    },
                    entries=_ROWS,
                    nextDue={**_ROWS, "maxItems": 20},
                    deferred=_ROWS,
                    failed=_ROWS,
                ),
            ],
        },
        "creator": {
            "description": "The creator asked for with platform and username; else null.",
            "oneOf": [
                {"type": "null"},
                _object(
                    {
                        "platform": {"type": "string"},
                        "username": {"type": "string"},
                        "error": {"type": ["string", "null"]},
                    },
                    snapshots=_ROWS,
                    growth=_ROWS,
                    providers=_ROWS,
                ),
            ],
        },
    }
)
"""The JSON answer of ``GET /status``: the facts the page shows."""


def paths() -> dict[str, Any]:
    """The ``/status`` path items: the page, its sign-in and sign-out, its stylesheet."""
    query = [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in ("platform", "username")
    ]
    html = {"content": {"text/html": {"schema": {"type": "string"}}}}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "/status": {
            "get": {
                "summary": "The status page (HTML), or its facts with Accept: application/json.",
                "description": "Providers, traffic, the roster and one creator (platform and "
                "username). A browser without credentials is sent to the sign-in form.",
                "parameters": query,
                "security": [{"apiKey": []}, {"basicAuth": []}, {"statusSession": []}],
                "responses": {
                    "200": {
                        "description": "The page, or its facts.",
                        "content": {"application/json": {"schema": FACTS}, **html["content"]},
                    },
                    "303": {
                        "description": "No valid credentials from a browser: the sign-in form.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                    "401": {"description": "No valid credentials.", "content": error},
                    "500": {"description": "A fault of the service.", "content": error},
                },
            }
        },
        "/status/sign-in": {
            "get": _page("The sign-in form.", {"200": {"description": "The form.", **html}}),
            "post": _page(
                "Sign in with a caller key: the session cookie, then the page.",
                {
                    "303": _redirect("Signed in (or no keys configured): to /status."),
                    "401": {"description": "Not a caller key: the form again.", **html},
                    "400": {"description": "A form that cannot be read.", "content": error},
                    "415": {"description": "Not a url-encoded form.", "content": error},
                },
                form={"key": {"type": "string"}},
            ),
        },
        "/status/sign-out": {
            "post": _page("Forget the session cookie.", {"303": _redirect("To the form.")})
        },
        "/status/static/status.css": {
            "get": _page(
                "The page's stylesheet.",
                {"200": {"description": "CSS.", "content": {"text/css": {"schema": {}}}}},
            )
        },
    }


def _redirect(description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}


def _page(
    summary: str, responses: dict[str, Any], *, form: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An operation of the page's own (no key needed: it is how a browser gets one in)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    op: dict[str, Any] = {
        "summary": summary,
        "security": [],
        "responses": {**responses, "500": {"description": "A fault.", "content": error}},
    }
    if form is not None:
        schema = {"type": "object", "properties": form}
        op["requestBody"] = {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}
    return op
