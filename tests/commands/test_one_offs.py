"""Facts that happen once are recorded once: MOPAC acquired the Empress State Building
(£250m, decided 22 March 2018) once, and the IVMA rollout completed once. A second one is
refused naming the first, as a second formation of a taskforce is; a correction may not
rename one into another; a retracted one leaves the way open."""

from __future__ import annotations

from typing import Any

import pytest

from commands.outcome import Status
from commands.service import CommandService
from eventstore import EventStore
from tests.commands.helpers import VCTF_RECORDER, assert_refused, cmd, given, head, update

ESB = "Empress State Building"
IVMA = "In Vehicle Mobile Application (IVMA)"


def acquired(update_id: str = "esb-acquired", asset: str = ESB) -> dict[str, Any]:
    return update("RecordAssetAcquired", VCTF_RECORDER, update_id=update_id, asset=asset,
                  acquirer="mopac", price="250000000", effective_date="2018-03-22",
                  title="MOPAC buys the Empress State Building")


def rolled_out(update_id: str = "ivma-done", system: str = IVMA) -> dict[str, Any]:
    return update("RecordRolloutCompleted", VCTF_RECORDER, update_id=update_id, system=system,
                  count_installed=1200, title="IVMA rollout complete")


@pytest.mark.parametrize(("first", "again", "field", "happened"), [
    (acquired(), acquired("esb-again", asset="  empress state   BUILDING "), "asset",
     "already acquired"),
    (rolled_out(), rolled_out("ivma-again", system=IVMA.upper()), "system",
     "already rolled out"),
])
def test_a_second_one_off_is_refused_naming_the_first(
        plan: CommandService, store: EventStore, first: dict[str, Any], again: dict[str, Any],
        field: str, happened: str) -> None:
    """Given the acquisition (or rollout) recorded, when the same name comes again in any
    case or spacing, then it is refused on the naming field with the first update's id and
    date, and nothing is written."""
    given(plan, first)
    before = head(store)
    assert_refused(plan.submit(again), field, happened, repr(first["data"]["update_id"]))
    assert head(store) == before


def test_other_assets_and_systems_are_recorded(plan: CommandService) -> None:
    """A different asset or system is its own one-off."""
    given(plan, acquired(), rolled_out())
    assert plan.submit(acquired("ssb", asset="Sutton custody centre")).status is \
        Status.ACCEPTED
    assert plan.submit(rolled_out("bwv", system="Body worn video")).status is Status.ACCEPTED


def test_a_correction_may_not_rename_one_into_another(plan: CommandService,
                                                      store: EventStore) -> None:
    """Given two acquisitions, correcting the second's asset to the first's name is refused
    on changes.asset; correcting its price alone is accepted."""
    given(plan, acquired(), acquired("ssb", asset="Sutton custody centre"))
    before = head(store)
    fix = cmd("CorrectEvent", VCTF_RECORDER, update_id="ssb", changes={"asset": ESB},
              reason="wrong building")
    assert_refused(plan.submit(fix), "changes.asset", "already acquired", "'esb-acquired'")
    assert head(store) == before
    price = cmd("CorrectEvent", VCTF_RECORDER, update_id="esb-acquired",
                changes={"price": "250000001"}, reason="exact price")
    assert plan.submit(price).status is Status.ACCEPTED


def test_a_renamed_or_retracted_one_off_frees_its_name(plan: CommandService) -> None:
    """Given the ESB acquisition corrected to another name, or retracted, a new
    acquisition of the ESB is accepted."""
    given(plan, acquired(), cmd("CorrectEvent", VCTF_RECORDER, update_id="esb-acquired",
                                changes={"asset": "Empress State (east wing)"},
                                reason="only the east wing"))
    assert plan.submit(acquired("esb-whole")).status is Status.ACCEPTED
    assert_refused(plan.submit(acquired("east-again", asset="empress state (EAST wing)")),
                   "asset", "'esb-acquired'")
    given(plan, cmd("RetractEvent", VCTF_RECORDER, update_id="esb-whole",
                    reason="recorded before completion"))
    assert plan.submit(acquired("esb-completed")).status is Status.ACCEPTED
