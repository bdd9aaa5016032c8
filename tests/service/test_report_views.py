"""The dashboard's report page: public by default, the audit view one plain link away."""

from __future__ import annotations

import html
import re

from tests.service.conftest import Served
from tests.service.test_dashboard import sign_in

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _switch(page: str) -> tuple[str, str]:
    found = re.search(r'<p class="view-switch"><a href="([^"]+)">([^<]+)</a>', page)
    assert found is not None
    return html.unescape(found.group(1)), found.group(2)


def test_the_public_page_links_to_the_audit_view_and_back(served: Served) -> None:
    """Public: no positions or event ids, a link to the audit view keeping the cut-off;
    audit: the provenance and a link back; neither runs script."""
    sign_in(served)
    public = served.client.get("/quarters/2018-19-Q1/report?effective_at=2018-06-30")
    assert public.status_code == 200
    assert "As recorded up to position" not in public.text and not UUID.search(public.text)
    href, words = _switch(public.text)
    assert (href, words) == ("?effective_at=2018-06-30&audit=true",
                             "The audit view: where each figure came from")
    audit = served.client.get(f"/quarters/2018-19-Q1/report{href}")
    assert audit.status_code == 200
    assert "As recorded up to position" in audit.text and UUID.search(audit.text)
    assert _switch(audit.text) == ("?effective_at=2018-06-30", "The public view")
    assert "<script" not in audit.text


def test_a_bad_audit_value_is_refused_by_name(served: Served) -> None:
    """``audit=maybe`` is not a yes or no: the page says which parameter."""
    sign_in(served)
    answer = served.client.get("/quarters/2018-19-Q1/report?audit=maybe")
    assert answer.status_code == 400 and "audit" in answer.text
