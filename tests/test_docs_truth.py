"""What the docs say holds: the emulator's profile() keys, the pytest settings, the license."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from hyperbuds_sync import ManualEntry, SocialSync
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN, BackendEmulator

ROOT = Path(__file__).parent.parent
TESTING_MD = (ROOT / "docs" / "testing.md").read_text()


async def test_testing_md_names_the_real_profile_keys(backend_emulator: BackendEmulator) -> None:
    async with SocialSync(
        rapidapi_key=TEST_KEY, token=TEST_TOKEN, api_url=backend_emulator.url, redis_url=""
    ) as sync:
        await sync.sync("twitch", ManualEntry(followers=5, engagement=1.0))
    profile = backend_emulator.profile()
    id_key, stats_key = profile
    entry = profile[stats_key]["platformBreakdown"]["twitch"]
    documented = TESTING_MD[TESTING_MD.index("backend_emulator.profile()") :][:700]
    for key in [id_key, stats_key, *profile[stats_key], *entry]:
        assert f'"{key}"' in documented, key


def test_the_pytest_settings_given_cause_no_warning(tmp_path: Path) -> None:
    block = re.search(r"```toml\n# pyproject.toml\n(.*?)```", TESTING_MD, re.S)
    assert block is not None
    settings = tomllib.loads(block.group(1))["tool"]["pytest"]["ini_options"]
    assert settings["asyncio_mode"] == "auto"
    (tmp_path / "pyproject.toml").write_text(block.group(1))
    example = ROOT / "docs" / "examples" / "test_with_emulators.py"
    (tmp_path / "test_example.py").write_text(example.read_text())
    # the plugins of the documented install (pytest-asyncio and ours), not every plugin this
    # environment has: auto-loading schemathesis and hypothesis alone took seconds (their
    # asserts rewritten); tests/test_plugin_without_asyncio.py loads ours by its entry point
    plugins = ["-p", "pytest_asyncio.plugin", "-p", "hyperbuds_sync.testing.pytest_plugin"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", *plugins],
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "warning" not in out.lower(), out
    assert re.search(r"\d+ passed", out), out


def test_license_and_project_urls() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "HyperBuds" in (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert set(project["urls"]) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all("github.com/hyperbuds/hyperbuds-sync" in u for u in project["urls"].values())


def test_docs_install_lines_work_from_a_checkout() -> None:
    for page in (ROOT / "docs").glob("*.md"):
        for line in page.read_text().splitlines():
            if re.search(r"pip install [^.\n]*\bhyperbuds-sync\b", line) and "`" not in line:
                assert "once published" in line, f"{page.name}: {line}"


def test_every_extra_the_docs_install_exists() -> None:
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    text = "\n".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    named = {
        e
        for group in re.findall(r"pip install [\"']?[.\w-]*\[([\w,]+)\]", text)
        for e in group.split(",")
    }
    assert named, "no install line found"
    assert named <= extras
    assert {"history", "postgres", "pandas", "cli"} <= named


def test_every_docs_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in (ROOT / "docs").glob("*.md"):
        assert f": {page.name}" in nav, page.name


def test_configuration_md_lists_every_environment_variable_and_argument() -> None:
    import inspect

    from hyperbuds_sync import SocialSync
    from hyperbuds_sync.config import ENV

    page = (ROOT / "docs" / "configuration.md").read_text()
    table = page.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    for name in ENV.values():
        assert f"| `{name}` |" in table, name
    for argument in inspect.signature(SocialSync).parameters:
        assert f"| `{argument}` |" in page, argument
