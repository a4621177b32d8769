"""Development sessions: ``nox -s tests lint typecheck`` (and docs, bench, security)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True

PYTHON = ["3.11"]


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite (needs redis-server on PATH for the shared-state tests)."""
    session.install("-e", ".[tests]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, and on a file that uses the public API as a user would."""
    session.install("-e", ".[tests]", "mypy>=1.10")
    session.run("mypy", "--strict", "hyperbuds_sync")
    session.run("mypy", "--strict", "tests/typing_usage.py")
