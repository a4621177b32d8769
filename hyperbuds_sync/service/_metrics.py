"""The service's Prometheus metrics, in a registry of its own per app.

The registry holds the SDK's :class:`~hyperbuds_sync.metrics.PrometheusCollector` (its counters,
the quota gauges and the roster's figures when a roster is given) and the service's own:
``hyperbuds_service_requests_total`` (labels ``route``, ``method``, ``status``, ``caller``) and
``hyperbuds_service_request_duration_seconds`` (``route``, ``method``). ``route`` is the
route's pattern (``/api/platform/{type}``), never the raw path; ``method`` one the service
serves, else ``other``; ``caller`` a key's name or ``anonymous``, never a key. Every label is
drawn from a set the service bounds, not from what a client may send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._install import install_hint
from ..errors import ConfigError
from ..metrics import PrometheusCollector

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram

    from ..client import SocialSync
    from ..roster import Roster

__all__ = ["METHODS", "ServiceMetrics"]

MISSING = f"the service needs prometheus_client: {install_hint('service')}"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""The methods counted by name; the client picks the method (aiohttp's C parser knows some 35,
its pure-Python parser takes any token), so any other is counted as ``other``."""
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    """The registry and the service's own request metrics.

    Raises:
        ConfigError: prometheus_client is not installed (the ``service`` extra).
    """

    def __init__(self, sync: SocialSync, roster: Roster | None) -> None:
        try:
            from prometheus_client import CollectorRegistry, Counter, Histogram
        except ImportError:
            raise ConfigError(MISSING) from None
        self.registry: CollectorRegistry = CollectorRegistry()
        self.registry.register(
            PrometheusCollector(
                sync.metrics,
                quota=sync.quota,
                roster=None if roster is None else roster.last_status,
            )
        )
        self.requests = Counter(
            "hyperbuds_service_requests",
            "HTTP requests answered, by route pattern, method, status and caller name.",
            ["route", "method", "status", "caller"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hyperbuds_service_request_duration_seconds",
            "Seconds to answer an HTTP request, by route pattern and method.",
            ["route", "method"],
            buckets=BUCKETS,
            registry=self.registry,
        )

        self._children: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}

    def observe(self, route: str, method: str, status: int, caller: str, seconds: float) -> None:
        """Count one answered request.

        The labelled children are looked up once per route, method, status and caller, then
        kept: prometheus_client's ``labels()`` takes a lock and builds its key on every call.
        A method outside :data:`METHODS` is counted as ``other``.
        """
        if method not in METHODS:
            method = "other"
        key = (route, method, status, caller)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(route, method, str(status), caller),
                self.latency.labels(route, method),
            )
            self._children[key] = children
        count, latency = children
        count.inc()
        latency.observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST
