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

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from attrs import frozen

from .errors import UnknownFormula
from .models import PlatformData
from .providers.base import Profile

__all__ = [
    "DEFAULT",
    "Description",
    "Engagement",
    "Formula",
    "describe",
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
    """A formula's answer: total engagement and average engagement; ``None`` where the profile
    gives nothing to compute them from (a fake 0 would drag the backend's average down)."""

    total: float | None
    average: float | None


@frozen
class Description:
    """What a formula computes on one platform: the aggregate, over which window, in which
    unit, and the profile fields it reads (``()``: the platform gives nothing it can use)."""

    formula: str
    platform: str
    aggregate: str
    window: str
    unit: str
    fields: tuple[str, ...]


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
    - Twitch: total = average = total channel views (``None`` when the answer has none: Twitch
      stopped counting views in 2022).
    - Instagram: total = sum of likes + comments over the recent posts in the answer;
      average = their mean (0 without posts).
    - YouTube: total = channel views; average = views per video.
    - Any other platform: likes (or views) as total, per content item as average.

    ``None`` where the count the formula reads is unknown (a hidden like count).
    """
    likes = profile.likes
    content = profile.total_content
    platform = profile.platform
    if platform == "twitter":
        if likes is None:
            return Engagement(None, None)
        total = float(likes + content * 10)
        return Engagement(total, total / content if content > 0 else 0.0)
    if platform == "twitch":
        views = None if profile.views is None else float(profile.views)
        return Engagement(views, views)
    if platform == "youtube":
        if profile.views is None:
            return Engagement(None, None)
        return Engagement(float(profile.views), profile.views / content if content else 0.0)
    if platform == "instagram":
        posts = profile.posts
        interactions = sum(p.likes + p.comments for p in posts)
        return Engagement(float(interactions), interactions / len(posts) if posts else 0.0)
    count = likes if likes is not None else profile.views
    if count is None:
        return Engagement(None, None)
    return Engagement(float(count), count / content if content > 0 else 0.0)


@register("rate")
def rate(profile: Profile) -> Engagement:
    """Mean interactions per post as a percentage of followers (an engagement rate).

    Uses the posts in the answer when there are any (Instagram), else likes per content item
    (TikTok hearts per video, Twitter likes per tweet). 0 with no followers; ``None`` when the
    answer has neither posts nor likes per content item (Twitch, YouTube).
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
        return Engagement(None, None)
    return Engagement(total, round(per_post / profile.followers * 100, 4))


def normalize(
    profile: Profile,
    *,
    formula: str | Formula = DEFAULT,
    fetched_at: datetime,
    raw: object,
    provider: str = "",
    formula_name: str | None = None,
) -> PlatformData:
    """Build the :class:`~hyperbuds_sync.PlatformData` record from a profile and a formula.

    A naive ``fetched_at`` is taken as UTC, so ``last_fetched`` is always timezone-aware (a naive
    one would make :attr:`PlatformData.age` raise ``TypeError``). ``provider`` is the provider
    that answered; ``formula_name`` names a formula given as a function (by default its name).
    """
    if fetched_at.utcoffset() is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    if isinstance(formula, str):
        name, fn = formula, get(formula)
    else:
        name, fn = formula_name or _name_of(formula), formula
    result = fn(profile)
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
        total_engagement=None if result.total is None else float(result.total),
        average_engagement=None if result.average is None else float(result.average),
        last_fetched=fetched_at,
        raw=raw if isinstance(raw, Mapping) else {"value": raw},
        provider=provider,
        rounded=bool(getattr(profile, "rounded", False)),
        formula=name,
    )


def _name_of(fn: Formula) -> str:
    """The registered name of ``fn``, else its ``__name__``."""
    for name, known in _FORMULAS.items():
        if known is fn:
            return name
    return getattr(fn, "__name__", "custom")


_LEGACY: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "tiktok": ("hearts per video", "lifetime", "interactions", ("likes", "total_content")),
    "twitter": (
        "(likes + tweets x 10) per tweet",
        "lifetime",
        "interactions",
        ("likes", "total_content"),
    ),
    "twitch": ("channel views", "lifetime", "views", ("views",)),
    "instagram": ("mean likes + comments per post", "recent posts", "interactions", ("posts",)),
    "youtube": ("views per video", "lifetime", "views", ("views", "total_content")),
}
_RATE = (
    "mean interactions per post / followers",
    "recent posts, else lifetime",
    "percent of followers",
    ("followers", "posts", "likes", "total_content"),
)


def describe(name: str, platform: str) -> Description:
    """What the formula ``name`` computes on ``platform``: aggregate, window, unit, fields read.

    Raises:
        UnknownFormula: no formula is registered as ``name``.
    """
    get(name)
    if name == "legacy":
        aggregate, window, unit, fields = _LEGACY.get(
            platform,
            (
                "likes (or views) per content item",
                "lifetime",
                "interactions",
                ("likes", "views", "total_content"),
            ),
        )
    elif name == "rate":
        aggregate, window, unit, fields = _RATE
        if platform in ("twitch", "youtube"):
            fields = ()
    else:
        aggregate, window, unit, fields = "custom", "", "", ()
    return Description(name, platform, aggregate, window, unit, fields)
