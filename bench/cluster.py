"""The guide as it runs past one machine, on loopback: app servers (gunicorn) sharing one
PostgreSQL and one Redis. Used by bench/load.py, bench/faults.py and tests/test_servers.py.

Everything it makes is its own and is removed afterwards: a PostgreSQL schema (the database's
other schemas are not touched) and Redis keys under a prefix.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "wisteria-in-april-2026"
PUBLIC_BASE_URL = "https://bloom.example.cn"  # production needs one; the servers' links point there


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plain_url(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


class Server:
    """One app server: a gunicorn master and its workers, in a process group of their own."""

    def __init__(self, process: subprocess.Popen, base: str, log: Path):
        self.process, self.base, self.log = process, base, log

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        """kill -9, master and workers at once: a machine that dies, not one that shuts down."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


class Cluster:
    """A fresh schema and key prefix, the places loaded, and app servers started on request."""

    def __init__(
        self,
        database_url: str = DATABASE_URL,
        redis_url: str = REDIS_URL,
        workers: int = 2,
        settings: dict[str, str] | None = None,
    ):
        self.database_url, self.redis_url, self.workers = database_url, redis_url, workers
        self.settings = settings or {}  # more environment for the servers and commands
        name = uuid.uuid4().hex[:12]
        self.schema = f"cluster_{name}"
        self.prefix = f"guide-cluster-{name}:"
        self.servers: list[Server] = []
        self.secret = secrets.token_hex(32)
        self.folder = Path(tempfile.mkdtemp(prefix="guide-cluster-"))  # the servers' logs

    @property
    def app_database_url(self) -> str:
        return f"{self.database_url}?options={quote(f'-csearch_path={self.schema}')}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.app_database_url,
            "REDIS_URL": self.redis_url,
            "FLASK_PRODUCTION": "true",
            "FLASK_SECRET_KEY": self.secret,
            "FLASK_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "FLASK_CACHE_KEY_PREFIX": self.prefix + "page:",
            "FLASK_RATELIMIT_KEY_PREFIX": self.prefix + "limits",
            "GUNICORN_WORKERS": str(self.workers),
            **self.settings,
        }

    def sql(self, statement: str, *args):
        with (
            psycopg.connect(plain_url(self.database_url), autocommit=True) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(f"SET search_path TO {self.schema}")
            cursor.execute(statement, args)
            return cursor.fetchall() if cursor.description else None

    def flask(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "guide", *args],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(f"flask {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def __enter__(self) -> Cluster:
        with psycopg.connect(plain_url(self.database_url), autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {self.schema}")
        try:
            self.flask("db", "upgrade")
            self.flask("places", "load", "data/places.yaml")
        except BaseException:
            self.__exit__()
            raise
        return self

    def add_staff(self, username: str, *slugs: str) -> str:
        self.flask("staff", "add", username, *[a for slug in slugs for a in ("--place", slug)], stdin=PASSWORD + "\n")
        return username

    def start_server(self) -> Server:
        port = free_port()
        log = self.folder / f"server-{port}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "guide:create_app()"],
                cwd=ROOT,
                env=self.env(),
                start_new_session=True,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        self.servers.append(server)
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {log.read_text()[-2000:]}")
            try:
                if requests.get(server.base + "/healthz", timeout=1).status_code == 200:
                    return server
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 20 s")

    def __exit__(self, *exc) -> None:
        for server in self.servers:
            server.stop()
        with psycopg.connect(plain_url(self.database_url), autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        client = redis.from_url(self.redis_url)
        for key in client.scan_iter(match=f"{self.prefix}*"):
            client.delete(key)
        client.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Staff:
    """A staff member's phone: logs in and sends reports through the real forms."""

    def __init__(self, base: str, username: str, slug: str, lang: str = "en"):
        self.base, self.username, self.slug, self.lang = base, username, slug, lang
        self.session = requests.Session()

    def log_in(self, password: str = PASSWORD, base: str | None = None) -> requests.Response:
        page = self.session.get(f"{base or self.base}/{self.lang}/staff/login", timeout=10)
        return self.session.post(
            f"{base or self.base}/{self.lang}/staff/login",
            allow_redirects=False,
            timeout=10,
            data={"csrf_token": csrf_token(page.text), "username": self.username, "password": password},
        )

    def open_form(self, stage: str, note: str, base: str | None = None) -> dict[str, str]:
        """Open the place form and fill in the first plant's stage and an English note."""
        page = self.session.get(f"{base or self.base}/{self.lang}/staff/places/{self.slug}", timeout=10)
        page.raise_for_status()
        plant = re.search(r'name="(p\d+)-stage"', page.text).group(1)
        data = {"csrf_token": csrf_token(page.text), f"{plant}-stage": stage, f"{plant}-note_en": note}
        data.update(re.findall(r'<input[^>]*id="(p\d+-version)"[^>]*value="(\d*)"', page.text))
        return data

    def send(self, data: dict[str, str], base: str | None = None) -> requests.Response:
        """Send the form: a 302 to the place page means saved."""
        return self.session.post(
            f"{base or self.base}/{self.lang}/staff/places/{self.slug}/report",
            data=data,
            allow_redirects=False,
            timeout=10,
        )

    def report(self, stage: str, note: str, base: str | None = None) -> requests.Response:
        return self.send(self.open_form(stage, note, base), base)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
