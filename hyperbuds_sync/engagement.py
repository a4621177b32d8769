"""Engagement formulas by name: the normalizer registry.

A formula turns a :class:`~hyperbuds_sync.platforms.Profile` into an :class:`Engagement` (a total
and an average). ``"legacy"`` is the default and reproduces the old HyperBuds frontend exactly;
``"rate"`` gives mean interactions per post as a percentage of followers. Register your own::

    from hyperbuds_sync import engagement

    @engagement.register("hearts_only")
    def hearts_only(profile):
        likes = profile.likes or 0
        return engagement.Engagement(total=likes, average=likes)

    await sync.fetch("tiktok", "someone", formula="hearts_only")
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from attrs import frozen

from .errors import UnknownFormula
from .models import PlatformData
from .providers.base import Profile

__all__ = [
    "DEFAULT",
    "Engagement",
    "Formula",
    "get",
    "legacy",
    "names",
    "normalize",
    "rate",
    "register",
]

DEFAULT = "legacy"


@frozen
class Engagement:
    """A formula's answer: total engagement and average engagement."""

    total: float
    average: float


Formula = Callable[[Profile], Engagement]

_FORMULAS: dict[str, Formula] = {}


def register(
    name: str, formula: Formula | None = None, *, replace: bool = False
) -> Callable[..., Formula]:
    """Register ``formula`` under ``name``; usable as ``@register("name")``.

    Raises:
        ValueError: ``name`` is taken and ``replace`` is false.
    """

    def add(fn: Formula) -> Formula:
        if name in _FORMULAS and not replace and _FORMULAS[name] is not fn:
            raise ValueError(f"engagement formula {name!r} is already registered")
        _FORMULAS[name] = fn
        return fn

    if formula is not None:
        add(formula)
        return lambda fn: fn
    return add


def get(name: str) -> Formula:
    """The formula registered as ``name``, or :class:`~hyperbuds_sync.UnknownFormula`."""
    try:
        return _FORMULAS[name]
    except KeyError:
        raise UnknownFormula(name, _FORMULAS) from None


def names() -> list[str]:
    """The registered formula names, sorted."""
    return sorted(_FORMULAS)


def _post_mean(profile: Profile) -> float:
    if not profile.posts:
        return 0.0
    return sum(p.likes + p.comments for p in profile.posts) / len(profile.posts)


@register("legacy")
def legacy(profile: Profile) -> Engagement:
    """The old frontend's formulas.

    - TikTok: total = hearts; average = hearts / videos (0 without videos).
    - Twitter: total = likes + tweets x 10; average = total / tweets (0 without tweets).
    - Twitch: total = average = total channel views (0 when the answer has none).
    - Instagram: total = sum of likes + comments over the recent posts in the answer;
      average = their mean (0 without posts).
    - Any other platform: likes (or views) as total, per content item as average.
    """
    likes = profile.likes or 0
    content = profile.total_content
    platform = profile.platform
    if platform == "twitter":
        total = float(likes + content * 10)
        return Engagement(total, total / content if content > 0 else 0.0)
    if platform == "twitch":
        views = float(profile.views or 0)
        return Engagement(views, views)
    if platform == "instagram":
        posts = profile.posts
        interactions = sum(p.likes + p.comments for p in posts)
        return Engagement(float(interactions), interactions / len(posts) if posts else 0.0)
    total = float(likes if profile.likes is not None else profile.views or 0)
    return Engagement(total, total / content if content > 0 else 0.0)


@register("rate")
def rate(profile: Profile) -> Engagement:
    """Mean interactions per post as a percentage of followers (an engagement rate).

    Uses the posts in the answer when there are any (Instagram), else likes per content item
    (TikTok hearts per video, Twitter likes per tweet). 0 when followers or content are unknown;
    Twitch answers carry neither, so its rate is 0.
    """
    if profile.followers <= 0:
        return Engagement(0.0, 0.0)
    if profile.posts:
        per_post = _post_mean(profile)
        total = float(sum(p.likes + p.comments for p in profile.posts))
    elif profile.likes is not None and profile.total_content > 0:
        per_post = profile.likes / profile.total_content
        total = float(profile.likes)
    else:
        return Engagement(0.0, 0.0)
    return Engagement(total, round(per_post / profile.followers * 100, 4))


def normalize(
    profile: Profile,
    *,
    formula: str | Formula = DEFAULT,
    fetched_at: datetime,
    raw: object,
) -> PlatformData:
    """Build the :class:`~hyperbuds_sync.PlatformData` record from a profile and a formula.

    A naive ``fetched_at`` is taken as UTC, so ``last_fetched`` is always timezone-aware (a naive
    one would make :attr:`PlatformData.age` raise ``TypeError``).
    """
    if fetched_at.utcoffset() is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    result = (get(formula) if isinstance(formula, str) else formula)(profile)
    return PlatformData(
        platform=profile.platform,
        username=profile.username,
        display_name=profile.display_name or profile.username,
        profile_image=profile.profile_image,
        bio=profile.bio,
        verified=profile.verified,
        followers=profile.followers,
        following=profile.following,
        total_content=profile.total_content,
        total_engagement=float(result.total),
        average_engagement=float(result.average),
        last_fetched=fetched_at,
        raw=raw if isinstance(raw, dict) else {"value": raw},
    )
