"""The status page in a real headless Chromium (Debian's, through Playwright's driver: nothing is
downloaded), after the known sequence of fetches of ``_status_harness``.

Signs in with the form, reads each section's numbers, searches a creator and counts the points
of the chart, at 1440 and at 375 px wide, and checks that no request left the service's origin
and no console error was logged. With ``HYPERBUDS_STATUS_SCREENSHOTS=1`` it also writes the
screenshots docs/service.md shows (docs/img/status-1440.png and status-375.png).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from _status_harness import (
    BACKFILL,
    CALLER_KEY,
    RAPIDAPI_KEY,
    Bed,
    bed,
    chromium_or_skip,
    play,
    playwright_or_skip,
    status_json,
)

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "img"


class Watch:
    """Every request the page makes (off-origin ones aborted) and every console error."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.requests: list[str] = []
        self.off_origin: list[str] = []
        self.errors: list[str] = []

    async def route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.origin + "/"):
            await route.continue_()
        else:
            self.off_origin.append(url)
            await route.abort()

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def page_error(self, error: Any) -> None:
        self.errors.append(str(error))


def _shown(moment: str) -> str:
    """An ISO time as the page writes it."""
    return datetime.fromisoformat(moment).isoformat().replace("T", " ").replace("+00:00", " UTC")


async def _row(page: Any, caption: str, header: str) -> str:
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    text: str = await table.locator("tr", has=page.locator("th", has_text=header)).inner_text()
    return text


async def _check_sections(page: Any, facts: dict[str, Any]) -> None:
    headings = await page.locator("h2").all_inner_texts()
    assert headings == ["Providers", "Traffic", "Roster", "A creator"]
    assert await page.locator("h1").inner_text() == "hyperbuds-sync status"
    twitch = await _row(page, "twitch: its chain", "twitch-scraper2")
    benched = next(
        row["benchedUntil"]
        for p in facts["providers"]["platforms"]
        for row in p["chain"]
        if row["provider"] == "twitch-scraper2"
    )
    assert "benched" in twitch
    assert f"until {_shown(benched)}" in twitch
    assert "quota" in twitch.lower()
    tiktok = await _row(page, "tiktok: its chain", "tiktok-api23")
    assert "available" in tiktok
    assert "0 of 1" in tiktok
    assert "…" + RAPIDAPI_KEY[-4:] in await _row(page, "Keys of tiktok-api23", "…")
    traffic = await _row(page, "Requests answered and upstream calls", "tiktok")
    assert traffic.split("\t")[1:] == ["3", "3", "1", "1", "2/3"]
    errors = await page.locator("table", has_text="The last 2 errors").inner_text()
    assert "QuotaExceeded" in errors
    assert "UsernameNotFound" in errors
    roster = await page.locator("#roster").inner_text()
    assert "2 creators, 3 creator-platforms" in roster
    failed = await _row(page, "Failing refreshes", "maya on twitch")
    assert failed.split("\t")[1] == "1"
    kept = await _row(page, "Webhook deliveries that failed", "1")
    assert "https://hooks.example.test" in kept
    assert "token" not in kept


async def _check_creator(page: Any, facts: dict[str, Any]) -> None:
    await page.select_option("#platform", "tiktok")
    await page.fill("#username", "mayacooks")
    await page.click("form.search button")
    await page.wait_for_selector("#creator h3")
    chart = page.locator("figure.chart", has_text="Followers of tiktok @mayacooks")
    points = await chart.locator("svg circle.dot").count()
    assert points == len(facts["creator"]["snapshots"]) == BACKFILL + 1
    label = await chart.locator("svg").get_attribute("aria-label")
    assert f"{BACKFILL + 1} snapshots" in label
    providers = await _row(page, "Providers that answered", "tiktok-api45")
    assert providers.split("\t")[1] == str(BACKFILL)


async def _sign_in(page: Any, url: str) -> None:
    answer = await page.goto(f"{url}/status")
    assert answer.url == f"{url}/status/sign-in"
    await page.fill("#key", CALLER_KEY)
    await page.click("form.sign-in button")
    await page.wait_for_selector("#providers")


async def _screenshot(page: Any, tmp_path: Path, width: int) -> None:
    name = f"status-{width}.png"
    await page.screenshot(path=str(tmp_path / name), full_page=True)
    if os.environ.get("HYPERBUDS_STATUS_SCREENSHOTS"):  # the docs show the page's first screens
        DOCS.mkdir(parents=True, exist_ok=True)
        height = 1400 if width > 1000 else 1600
        clip = {"x": 0, "y": 0, "width": width, "height": height}
        await page.screenshot(path=str(DOCS / name), full_page=True, clip=clip)


async def _fits(page: Any, width: int) -> None:
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at {width} px"


async def test_the_status_page_in_chromium(tmp_path: Path) -> None:
    playwright_or_skip()
    executable = chromium_or_skip()
    async with bed(tmp_path) as running:
        await play(running)
        _, facts = await status_json(running, "?platform=tiktok&username=mayacooks")
        await _browse(running, executable, facts, tmp_path)


async def _browse(running: Bed, executable: str, facts: dict[str, Any], tmp_path: Path) -> None:
    watch = Watch(running.url)
    async with playwright_or_skip().async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1440, "height": 900})
            await context.route("**/*", watch.route)
            page = await context.new_page()
            page.on("console", watch.console)
            page.on("pageerror", watch.page_error)
            await _sign_in(page, running.url)
            await _check_sections(page, facts)
            await _check_creator(page, facts)
            await _fits(page, 1440)
            await _screenshot(page, tmp_path, 1440)
            await page.set_viewport_size({"width": 375, "height": 812})
            await page.reload()
            await page.wait_for_selector("#creator h3")
            await _fits(page, 375)
            await _check_sections(page, facts)
            await _screenshot(page, tmp_path, 375)
            html = await page.content()
        finally:
            await browser.close()
    assert CALLER_KEY not in html
    assert RAPIDAPI_KEY not in html
    assert watch.off_origin == []
    assert all(url.startswith(running.url) for url in watch.requests)
    assert any(url.endswith("/status/static/status.css") for url in watch.requests)
    assert watch.errors == []
