"""The OpenAPI document: valid OpenAPI 3.1, served by the app, and the same routes as the app's
router, no more, no less."""

from __future__ import annotations

from _app_fixtures import running
from openapi_spec_validator import validate

from hyperbuds_sync import SocialSync, platforms
from hyperbuds_sync.service import create_app
from hyperbuds_sync.service._openapi import document

METHODS = {"get", "post", "put", "delete"}


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document(platforms.names())
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    enum = doc["components"]["schemas"]["FetchRequest"]["properties"]["platform"]["enum"]
    assert enum == ["tiktok", "instagram", "youtube", "twitter", "twitch"]  # the contract's order


async def test_the_document_covers_every_route_of_the_app() -> None:
    async with SocialSync(rapidapi_key="k" * 20, history_url="") as sync:
        app = create_app(sync)
        routed = {
            (route.resource.canonical, route.method.lower())
            for route in app.router.routes()
            if route.resource is not None and route.method.lower() in METHODS
        }
    doc = document(platforms.names())
    documented = {
        (path, method)
        for path, item in doc["paths"].items()
        for method in item
        if method in METHODS
    }
    assert documented == routed


async def test_the_app_serves_it_and_every_error_status_is_documented() -> None:
    async with running() as svc:
        status, headers, served = await svc.call("GET", "/openapi.json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert served == document(svc.sync.platforms.names())
    fetch = served["paths"]["/api/v1/social/fetch"]["post"]["responses"]
    assert set(fetch) >= {"200", "400", "401", "404", "413", "415", "429", "500", "503"}
    assert "Retry-After" in fetch["429"]["headers"]
    assert "Retry-After" in fetch["503"]["headers"]
