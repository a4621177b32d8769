"""The status page: quota, freshness and failures at a glance, in a browser (``GET /status``).

Owns gathering the page's facts from the SDK's public calls (providers and their quota, the
service's activity, the roster, one creator's history), a bounded log of samples for what the SDK
only keeps as totals, the HTML and its stylesheet (shipped in the package: no CDN), the charts
(pygal, server-side SVG), and who may look (the service's caller keys: HTTP Basic, a signed
session cookie, or ``X-API-Key``). May import: the SDK's public faces, the service's own
``_keys`` and ``_activity``, aiohttp, attrs and pygal (the ``service`` extra).
"""

from __future__ import annotations

from ._openapi import SECURITY_SCHEMES, paths
from ._routes import SAMPLES, mount, status_facts
from ._samples import Samples

__all__ = ["SAMPLES", "SECURITY_SCHEMES", "Samples", "mount", "paths", "status_facts"]
