"""The OpenAPI 3.1 document of the whole service: the contract's routes and the service's own.

It is the reference of the routes and their errors (served at ``/openapi.json``); the tests
validate it and fuzz the running service against it (schemathesis), so every status an answer
can have is listed here. Shared answers: 401 (a key is configured and ``X-API-Key`` is wrong),
429 (the caller's rate limit, ``Retry-After``), 413 (a body over 64 KiB), 415 (a body that is
not ``application/json``), 500 (a configuration fault or a fault of the service).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _status as status_page
from ._errors import supported
from ._openapi_schemas import ref, schemas

__all__ = ["document"]

JSON = "application/json"


def _answer(description: str, schema: dict[str, Any], *, retry: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schema}}}
    if retry:
        out["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait, when known.",
                "schema": {"type": "string"},
            }
        }
    return out


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {
        400: "Invalid input: platform, username, body or parameters.",
        401: "Missing or wrong X-API-Key (or, for sync, no Authorization: Bearer).",
        404: "Username not found on platform; the creator is not on the roster; no roster.",
        409: "A suspicious drop: nothing was sent (the facts in drop).",
        413: "The body is over 64 KiB.",
        415: "The body is not application/json.",
        429: "Quota or rate limit upstream, or this caller's own rate limit.",
        500: "A configuration fault (message names what is missing) or a fault of the service.",
        502: "The HyperBuds backend answered with an error.",
        503: "Every provider of the chain is down, or the HyperBuds backend is.",
    }
    return {
        str(s): _answer(texts[s], ref("Error"), retry=s in (429, 503)) for s in sorted(statuses)
    }


_COMMON = (401, 429, 500)
_BODY = (400, 413, 415)


def _operation(
    summary: str,
    ok: dict[str, Any],
    statuses: Sequence[int],
    *,
    body: str | None = None,
    parameters: Sequence[dict[str, Any]] = (),
    secured: bool = True,
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {"200": ok, **_errors(*statuses)}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {JSON: {"schema": ref(body)}}}
    if parameters:
        op["parameters"] = list(parameters)
    if not secured:
        op["security"] = []
    return op


def _query(name: str, schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _ok_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["success", "data"],
        "properties": {"success": {"const": True}, "data": data},
    }


def _contract_paths() -> dict[str, Any]:
    """HyperBuds' routes: the fetch and their Next.js route's two."""
    single = {
        "oneOf": [
            {
                "type": "object",
                "required": ["success", "data", "cached"],
                "properties": {
                    "success": {"const": True},
                    "data": ref("PlatformData"),
                    "cached": {"type": "boolean"},
                },
            },
            ref("Error"),
        ]
    }
    batch = _ok_data(
        {
            "type": "object",
            "additionalProperties": {"oneOf": [ref("PlatformData"), {"type": "null"}]},
        }
    )
    return {
        "/api/v1/social/fetch": {
            "post": _operation(
                "One creator's stats (HyperBuds' contract).",
                _answer("The stats.", _ok_data(ref("PlatformData"))),
                (*_BODY, *_COMMON, 404, 503),
                body="FetchRequest",
            )
        },
        "/api/platform/{type}": {
            "parameters": [
                {"name": "type", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": _operation(
                "One creator's stats (the Next.js route: a failed fetch is a 200).",
                _answer("The stats, or success false with the error.", single),
                (400, *_COMMON),
                parameters=[_query("username", {"type": "string"}, required=False)],
            ),
            "post": _operation(
                "Not a route: use GET, or POST /api/platform/batch.",
                _answer("Never.", ref("Error")),
                (400, 413, *_COMMON),
            ),
        },
        "/api/platform/batch": {
            "post": _operation(
                "Up to 10 platforms at once; null for each whose fetch failed.",
                _answer("The stats per platform.", batch),
                (*_BODY, *_COMMON),
                body="BatchRequest",
            )
        },
    }


def _own_paths(platforms: Sequence[str]) -> dict[str, Any]:
    """The service's own routes: sync, history, growth, anomalies, providers, the roster."""
    platform_param = {"type": "string", "enum": list(platforms)}
    creator = [_query("platform", platform_param), _query("username", {"type": "string"})]
    days = _query("days", {"type": "integer", "minimum": 1, "maximum": 3660}, required=False)
    windows = _query("days", {"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$"}, required=False)
    anything = _ok_data({"type": "object"})
    return {
        "/api/v1/social/sync": {
            "post": _operation(
                "Sync one platform to HyperBuds with the creator's Authorization: Bearer.",
                _answer("The backend's answer.", anything),
                (*_BODY, *_COMMON, 404, 409, 502, 503),
                body="SyncRequest",
            )
        },
        "/api/v1/social/history": {
            "get": _operation(
                "The creator's snapshots of the last days, oldest first.",
                _answer("The snapshots.", anything),
                (400, *_COMMON),
                parameters=[*creator, days],
            )
        },
        "/api/v1/social/growth": {
            "get": _operation(
                "Followers and engagement change over each window of days.",
                _answer("The growth.", anything),
                (400, *_COMMON),
                parameters=[*creator, windows],
            )
        },
        "/api/v1/social/anomalies": {
            "get": _operation(
                "The creator's growth anomalies (spikes, drops, divergences) of the last days.",
                _answer(
                    "The anomalies, oldest first.",
                    _ok_data(
                        {
                            "type": "object",
                            "required": ["platform", "username", "days", "anomalies"],
                            "properties": {
                                "platform": {"type": "string"},
                                "username": {"type": "string"},
                                "days": {"type": "integer"},
                                "anomalies": {"type": "array", "items": ref("Anomaly")},
                            },
                        }
                    ),
                ),
                (400, *_COMMON),
                parameters=[*creator, days],
            )
        },
        "/api/v1/providers": {
            "get": _operation(
                "Each chain's providers with their state, and quota per host.",
                _answer("The providers.", anything),
                _COMMON,
            )
        },
        "/api/v1/roster": {
            "get": _operation(
                "The roster: creators, plan and freshness.",
                _answer("The roster.", anything),
                (404, *_COMMON),
            )
        },
        "/api/v1/roster/creators/{creator_id}": {
            "parameters": [
                {"name": "creator_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "put": _operation(
                "Add a creator or replace their usernames.",
                _answer("The creator.", anything),
                (*_BODY, *_COMMON, 404),
                body="CreatorRequest",
            ),
            "delete": _operation(
                "Remove a creator.",
                _answer("Removed.", anything),
                (404, *_COMMON),
            ),
        },
    }


def _ops_paths() -> dict[str, Any]:
    """The operations routes: probes, metrics and this document."""
    return {
        "/healthz": {
            "get": _operation(
                "Alive.", _answer("Alive.", {"type": "object"}), (500,), secured=False
            )
        },
        "/readyz": {
            "get": {
                "summary": "Redis and the history database answer.",
                "security": [],
                "responses": {
                    "200": _answer("Ready.", {"type": "object"}),
                    "503": _answer("A shared part does not answer.", {"type": "object"}),
                    **_errors(500),
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics.",
                "responses": {
                    "200": {
                        "description": "The exposition text.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    **_errors(*_COMMON),
                },
            }
        },
        "/openapi.json": {
            "get": _operation(
                "This document.", _answer("OpenAPI 3.1.", {"type": "object"}), _COMMON
            )
        },
    }


def document(platforms: Sequence[str]) -> dict[str, Any]:
    """The OpenAPI document, its platform enums from ``platforms`` (in the contract's order)."""
    ordered = supported(platforms).split(", ")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hyperbuds-sync service",
            "version": "1",
            "description": "HyperBuds' /api/v1/social/fetch contract and its Next.js routes, "
            "over the hyperbuds-sync SDK. Errors: {success: false, error, message?}.",
        },
        "paths": {
            **_contract_paths(),
            **_own_paths(ordered),
            **_ops_paths(),
            **status_page.paths(),
        },
        "components": {
            "schemas": schemas(ordered),
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                **status_page.SECURITY_SCHEMES,
            },
        },
        "security": [{"apiKey": []}],
    }
