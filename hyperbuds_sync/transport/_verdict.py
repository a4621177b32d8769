"""The verdict on an answer the gateway's plain path did not take: the error it stands for, or
its JSON, with the books kept (the key pool's for RapidAPI, the official APIs' limits)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from .._logging import logger
from ..errors import MalformedPayload, ProviderAuthError, ProviderError, QuotaExceeded
from ..quota import KeyPool
from ._classify import classify, is_daily_quota, is_unknown_endpoint
from ._headers import Headers, parse_quota_headers
from ._official import OfficialQuota, classify_official

if TYPE_CHECKING:
    from ..models import ProviderRequest

__all__ = ["Answer", "official_verdict", "rapidapi_verdict"]


@frozen
class Answer:
    """One HTTP answer, read: status, headers, body bytes (``None`` when over the cap), the
    body as ``_wire.decode`` gave it (``""`` when over the cap), whether it parsed, and the
    facts every error about it carries."""

    status: int
    headers: Headers
    raw: bytes | None
    body: object
    parsed: bool
    facts: dict[str, Any]


def _checked(request: ProviderRequest, answer: Answer, max_body: int) -> None:
    if answer.raw is None and 200 <= answer.status < 300:
        msg = f"{request.host} answer is larger than {max_body} bytes"
        raise MalformedPayload(msg, **answer.facts)


def _classified(request: ProviderRequest, answer: Answer) -> ProviderError | None:
    facts = answer.facts
    return classify(
        answer.status,
        answer.body,
        answer.headers,
        host=request.host,
        platform=facts["platform"],
        username=facts["username"],
        provider=facts["provider"],
    )


def _json(request: ProviderRequest, answer: Answer) -> Any:
    if not answer.parsed:
        msg = f"{request.host} answer is not JSON (HTTP {answer.status})"
        raise MalformedPayload(msg, **answer.facts)
    return answer.body


def official_verdict(
    request: ProviderRequest, answer: Answer, quota: OfficialQuota, max_body: int
) -> Any:
    """An official API's answer: its own error reading first, then the common one."""
    _checked(request, answer, max_body)
    error = classify_official(
        answer.status, answer.body, answer.headers, quota=quota, facts=answer.facts
    )
    if error is None:
        error = _classified(request, answer)
    if error is not None:
        raise error
    return _json(request, answer)


async def rapidapi_verdict(
    request: ProviderRequest, answer: Answer, pool: KeyPool, key: str, max_body: int
) -> Any:
    """A RapidAPI answer: a quota error benches ``key`` (until the reset), an auth error marks
    it bad, anything else marks it good."""
    _checked(request, answer, max_body)
    host = request.host
    error = _classified(request, answer)
    if isinstance(error, QuotaExceeded):
        reset_in = parse_quota_headers(answer.headers).reset_in
        error.reset_at = await pool.bench_for_quota(
            host, key, reset_in=reset_in, daily=is_daily_quota(answer.body)
        )
    elif isinstance(error, ProviderAuthError):
        pool.mark_bad(host, key)
    elif answer.status == 404 and is_unknown_endpoint(answer.body):
        logger.warning("%s says %s does not exist: check the path", host, request.path)
    if error is not None:
        raise error
    pool.mark_ok(host, key)
    return _json(request, answer)
