"""The dashboard's pages through the app: read-only, signed in by cookie, no inline script,
and under --public the published update to anyone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from catalogue import Quarter
from opslog import __version__
from opslog.service.app import CSP, create_app
from opslog.service.auth import COOKIE, token_authenticator
from projections.snapshots.publishing import publish
from projections.snapshots.taking import Maker, take_snapshot
from tests.service.conftest import Served
from tests.service.q1 import CORRECTED_MILESTONE, ROLES

PAGES = [
    "/",
    "/quarters/2018-19-Q1/board",
    "/quarters/2018-19-Q1/board?at_position=5&effective_at=",
    "/quarters/2018-19-Q1/report",
    "/log",
    "/log?type=EventCorrected&actor=&since=",
    "/events/3",
    "/diff",
    "/diff?quarter=2018-19-Q1&from=2000-01-01T00:00:00Z",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def sign_in(served: Served, role: str = "auditor") -> None:
    response = served.client.post("/sign-in", data={"token": served.q1.secrets[role],
                                                   "next": "/log"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/log"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_every_page_renders_for_a_signed_in_reader_with_no_inline_script(
        served: Served) -> None:
    sign_in(served)
    head = served.head()
    for path in PAGES:
        response = served.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers["content-security-policy"] == CSP
        directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
        assert directives["script-src"] == "'self'"
        assert not INLINE_SCRIPT.search(response.text), path
        assert not HANDLER.search(response.text), path
    assert served.head() == head


def test_the_board_page_answers_htmx_with_the_table_alone(served: Served) -> None:
    sign_in(served)
    whole = served.client.get("/quarters/2018-19-Q1/board")
    part = served.client.get(f"/quarters/2018-19-Q1/board?at_position={served.q1.correction - 1}",
                             headers={"HX-Request": "true"})
    assert "<html" in whole.text and "<html" not in part.text
    assert part.text.lstrip().startswith('<section id="board"')
    assert f'data-position="{served.q1.correction - 1}"' in part.text


def test_the_log_page_shows_each_events_channel(served: Served) -> None:
    sign_in(served)
    page = served.client.get("/log?type=TokenIssued").text
    assert '<td class="c-channel">direct ' in page


def test_the_event_page_shows_hashes_and_channel(served: Served) -> None:
    sign_in(served)
    page = served.client.get(f"/events/{served.q1.correction}").text
    (event,) = served.store.read_all(served.q1.correction, served.q1.correction)
    assert event.hash in page and event.prev_hash in page
    assert "direct " in page  # the correction came through the operator's channel


def test_without_a_token_pages_ask_for_one(served: Served) -> None:
    for path in PAGES[1:]:
        response = served.client.get(path)
        assert response.status_code == 401, path
        assert 'name="token"' in response.text
    wrong = served.client.post("/sign-in", data={"token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 401 and COOKIE not in wrong.headers.get("set-cookie", "")
    served.client.cookies.set(COOKIE, "forged")
    assert served.client.get("/log").status_code == 401


def test_sign_in_never_redirects_off_site(served: Served) -> None:
    response = served.client.post("/sign-in", data={"token": served.q1.secrets["admin"],
                                                   "next": "//evil.example/"},
                                  follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.fixture
def public(served: Served) -> Iterator[TestClient]:
    app = create_app(served.store, token_authenticator(served.store), public=True)
    with TestClient(app) as client:
        yield client


def test_public_serves_only_published_quarters(served: Served, public: TestClient) -> None:
    quarter = Quarter(2018, 1)
    for path in ("/v1/quarters/2018-19-Q1/board", "/quarters/2018-19-Q1/board"):
        assert public.get(path).status_code == 401
    cutoff = served.store.read_all(served.q1.correction - 1, served.q1.correction - 1)
    taken = take_snapshot(served.store, quarter, next(iter(cutoff)).recorded_at,
                          Maker(made_by=ROLES["admin"], opslog_version=__version__,
                                now=datetime.now(UTC)))
    publish(served.store, quarter, published_by=ROLES["admin"], now=datetime.now(UTC),
            snapshot_id=taken.info.id)
    board = public.get("/v1/quarters/2018-19-Q1/board")
    assert board.status_code == 200
    (row,) = [row for row in board.json()["milestones"]
              if row["milestone_id"] == CORRECTED_MILESTONE]
    assert row["status"] == "delivered"  # as published, before the correction
    assert public.get("/quarters/2018-19-Q1/board").status_code == 200
    assert public.get("/v1/quarters/2018-19-Q1/report?format=md").status_code == 200
    assert public.get("/v1/quarters/2018-19-Q1/board?at_position=3").status_code == 401
    assert public.get("/v1/log").status_code == 401
    assert public.get("/v1/quarters/2018-19-Q2/board").status_code == 401
    live = public.get("/v1/quarters/2018-19-Q1/board", headers=served.auth("auditor")).json()
    (row,) = [row for row in live["milestones"] if row["milestone_id"] == CORRECTED_MILESTONE]
    assert row["status"] == "on_track"
