"""A private PostgreSQL server for tests: initdb into a temporary folder, listen on 127.0.0.1 only, stop at
the end of the session. Import the fixtures into a conftest: `from pg import postgres_url, ...`.

Skips only when the server binaries are absent (Debian: `apt-get install postgresql`). As root, initdb
refuses to run, so the server runs as the `postgres` (or `nobody`) user from a folder it owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "neurojit"  # the server's superuser; trust authentication, so no password


def server_bin() -> Path | None:
    """The newest /usr/lib/postgresql/N/bin holding the server tools, or the one on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path and shutil.which("initdb") else None


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    bin: Path
    folder: Path
    port: int
    user: pwd.struct_passwd | None

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        ids = dict(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[]) if self.user else {}
        env = {**os.environ, "LC_ALL": "C", "PGHOST": "127.0.0.1", "PGUSER": USER}
        if self.port:
            env["PGPORT"] = str(self.port)
        return subprocess.run([str(self.bin / tool), *args], capture_output=True, text=True, env=env,
                              cwd=self.folder, timeout=60, check=check, **ids)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        self.run("createdb", name)
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"


def start_server(bin_dir: Path) -> PostgresServer:
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="neurojit-pg-"))
    if user:
        os.chown(folder, user.pw_uid, user.pw_gid)
    try:
        PostgresServer(bin_dir, folder, 0, user).run("initdb", "-D", "data", "-U", USER, "--auth=trust",
                                                     "-E", "UTF8", "--locale=C", "--no-sync")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {exc.stdout}{exc.stderr}") from None
    for _ in range(3):  # the free port can be taken between asking and listening
        server = PostgresServer(bin_dir, folder, _free_port(), user)
        settings = (f"\nlisten_addresses = '127.0.0.1'\nport = {server.port}\nunix_socket_directories = '{folder}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        with open(folder / "data" / "postgresql.conf", "a") as conf:  # appending keeps the server's ownership
            conf.write(settings)
        started = server.run("pg_ctl", "-D", "data", "-l", "server.log", "-w", "-t", "30", "start", check=False)
        if started.returncode == 0:
            return server
    log = (folder / "server.log").read_text(errors="replace")[-2000:] if (folder / "server.log").exists() else ""
    shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {started.stdout}{started.stderr}\n{log}")


def stop_server(server: PostgresServer) -> None:
    try:
        server.run("pg_ctl", "-D", "data", "-m", "fast", "-w", "stop", check=False)
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin or on PATH "
                    "(apt-get install postgresql)")
    server = start_server(bin_dir)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """One database for the whole session."""
    return postgres_server.create_database("neurojit_test")


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> str:
    """A new empty database for one test."""
    return postgres_server.create_database()
