"""A real gunicorn serving the test database, and a small HTTP client for it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from migrantdesk.auth import services as auth_services
from migrantdesk.auth.models import User
from migrantdesk.config import PROJECT_ROOT
from migrantdesk.core.db import db


def api_token(app: Flask, user: User) -> str:
    """A bearer token for a user, committed, so another process can authenticate with it."""
    with app.app_context():
        _token, secret = auth_services.create_token(db.session.get(User, user.id), "live", None)
        db.session.commit()
    return secret


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset, timeout)
    body: Any = None
    headers: dict[str, str] | None = None


class LiveServer:
    """gunicorn -w N on a free port, against the same database as the tests."""

    def __init__(self, database_url: str, log_dir: Path, workers: int = 2,
                 threads: int = 1) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.database_kind = "postgresql" if database_url.startswith("postgres") else "sqlite"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        env = {**os.environ, "DATABASE_URL": database_url, "MIGRANTDESK_ENV": "testing",
               "MIGRANTDESK_INSTANCE": str(log_dir / "instance")}
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                   "--threads", str(threads), "--bind", f"127.0.0.1:{self.port}",
                   "--graceful-timeout", "3", "--timeout", "60", "wsgi:app"]
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_ready()

    def worker_pids(self) -> list[int]:
        """The master's children: gunicorn's workers (read from /proc, Linux)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_a_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def _wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            if len(self.worker_pids()) == self.workers and self.get(
                    "/api/v1/auth/csrf").status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {seconds}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, data=data,  # noqa: S310
                                         method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return Answer(response.status, json.loads(response.read() or b"null"),
                              dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, json.loads(error.read() or b"null"), dict(error.headers))
        except (OSError, ValueError, http.client.HTTPException):  # reset, refused, timeout…
            return Answer(0)

    def send_and_hang_up(self, method: str, path: str, body: Any, *, token: str,
                         headers: dict[str, str]) -> None:
        """Send a request and close the connection without reading the answer, as a phone
        whose network drops right after sending."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=json.dumps(body), headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {token}",
                **headers})
        finally:
            connection.close()

    def get(self, path: str, **options: Any) -> Answer:
        return self.request("GET", path, **options)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
