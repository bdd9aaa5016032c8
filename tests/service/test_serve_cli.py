"""`opslog serve` as a real process: it serves the database it was given, with workers,
and refuses one that is missing or not initialised."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from eventstore import EventStore
from opslog.cli import main
from tests.service.q1 import load


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_with_two_workers_and_stops_cleanly(database_url: str) -> None:
    store = EventStore.open(database_url, create=True)
    try:
        q1 = load(store)
    finally:
        store.close()
    port = _free_port()
    opslog = str(Path(sys.executable).with_name("opslog"))
    process = subprocess.Popen([opslog, "--db", database_url, "serve", "--port", str(port),
                                "--workers", "2"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                response = httpx.get(f"{base}/v1/log?limit=1",
                                     headers={"Authorization": f"Bearer {q1.secrets['auditor']}"})
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "opslog serve did not answer"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["events"][0]["position"] == 1
        assert httpx.get(f"{base}/v1/log").status_code == 401
        assert "server" not in response.headers
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"on http://127.0.0.1:{port} (2 workers)" in stderr


def test_serve_refuses_a_database_that_is_not_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "serve"])
    assert result.exit_code == 1
    assert "no database at" in result.output and "Traceback" not in result.output


def test_serve_refuses_a_port_in_use_and_an_address_it_cannot_listen_on(
        database_url: str) -> None:
    """Named by option, before the server starts; and nothing of Alembic's on stdout."""
    store = EventStore.open(database_url, create=True)
    try:
        load(store)
    finally:
        store.close()
    runner = CliRunner()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        taken = runner.invoke(main, ["--db", database_url, "serve", "--port", str(port)])
    assert taken.exit_code == 1, taken.output
    assert f"--port: {port} is already in use on 127.0.0.1" in taken.output
    assert "Traceback" not in taken.output and "upgrade operations" not in taken.output
    nowhere = runner.invoke(main, ["--db", database_url, "serve", "--host", "nosuch.invalid"])
    assert nowhere.exit_code == 1 and "--host: 'nosuch.invalid'" in nowhere.output
