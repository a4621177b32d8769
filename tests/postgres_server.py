"""A throwaway PostgreSQL server on 127.0.0.1 for tests and benchmarks.

:class:`PostgresServer` runs ``initdb`` into a temporary directory, starts ``postgres`` with
``pg_ctl`` on a free loopback port (its socket in the same directory, trust authentication) and
stops it with ``pg_ctl stop`` on that data directory, then removes the directory. ``initdb``
refuses to run as root, so as root the server runs as the ``postgres`` system user (Debian's
packages create it). :func:`postgres_or_skip` turns missing binaries into a skip locally and
into a failure in CI (``CI`` set), like :func:`redis_server.redis_or_skip`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from redis_server import free_port

__all__ = ["PostgresServer", "postgres_bin_dir", "postgres_or_skip"]

RUN_AS = "postgres"  # the system user the server runs as when the tests run as root


def postgres_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: on ``PATH``, else the newest
    ``/usr/lib/postgresql/*/bin``; ``None`` when neither has them."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(versions[-1]).parent if versions else None


def postgres_or_skip() -> Path:
    """The PostgreSQL binaries; else ``pytest.fail`` in CI and ``pytest.skip`` elsewhere."""
    import pytest

    found = postgres_bin_dir()
    if found is None:
        reason = (
            "PostgreSQL (initdb, pg_ctl) is not installed (install it to run the Postgres tests)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run them", pytrace=False)
        pytest.skip(reason)
    return found


def _as_user(args: list[str]) -> list[str]:
    """``args`` run as :data:`RUN_AS` when this process is root (initdb refuses root)."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", RUN_AS, "--", *args]
    return ["su", RUN_AS, "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in args)]


class PostgresServer:
    """One PostgreSQL server: ``with PostgresServer() as pg: pg.url``.

    Args:
        bin_dir: where ``initdb`` and ``pg_ctl`` are (default: :func:`postgres_bin_dir`).
        port: the port to listen on (default: a free one).
    """

    def __init__(self, bin_dir: Path | None = None, *, port: int | None = None) -> None:
        found = bin_dir or postgres_bin_dir()
        if found is None:
            raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found")
        self.bin_dir = found
        self.port = port or free_port()
        self._dir: Path | None = None

    def url(self, database: str = "postgres") -> str:
        """``postgresql+asyncpg://postgres@127.0.0.1:PORT/<database>``."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def dsn(self) -> str:
        """The plain ``postgresql://`` DSN of the ``postgres`` database (for asyncpg)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60.0) -> None:
        command = _as_user([str(self.bin_dir / args[0]), *args[1:]])
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)

    def start(self) -> str:
        """initdb, start and wait for the server; return :meth:`url`."""
        self._dir = Path(tempfile.mkdtemp(prefix="hyperbuds-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self._dir, user.pw_uid, user.pw_gid)
        data, log = self._dir / "data", self._dir / "server.log"
        try:
            self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync")
            options = f"-k {self._dir} -p {self.port} -h 127.0.0.1 -F"
            self._run("pg_ctl", "start", "-D", str(data), "-l", str(log), "-w", "-o", options)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            self.stop()
            raise RuntimeError(
                f"PostgreSQL did not start: {detail.decode(errors='replace')}"
            ) from None
        return self.url()

    def halt(self) -> None:
        """Stop the server and keep its data (``pg_ctl stop -m fast``): an outage;
        :meth:`resume` starts it again on the same port with the same data."""
        assert self._dir is not None, "the server was not started"
        self._run("pg_ctl", "stop", "-D", str(self._dir / "data"), "-m", "fast", "-w")

    def resume(self) -> None:
        """Start the server :meth:`halt` stopped, and wait until it accepts connections."""
        assert self._dir is not None, "the server was not started"
        options = f"-k {self._dir} -p {self.port} -h 127.0.0.1 -F"
        data, log = self._dir / "data", self._dir / "server.log"
        self._run("pg_ctl", "start", "-D", str(data), "-l", str(log), "-w", "-o", options)

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop -m fast`` on its data directory) and remove it."""
        folder, self._dir = self._dir, None
        if folder is None:
            return
        if (folder / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(folder / "data"), "-m", "fast", "-w")
        shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
