"""Other forces' status scales, as `DefineStatusScale` data: the fixtures scale tests share.

Dorset reports Blue/Green/Yellow/Red, Thames Valley Red/Amber/Green, City of London
Satisfactory / Close Monitoring / Requires Action, Hampshire Candidate / Current / Completed.
"""

from __future__ import annotations

from typing import Any


def _status(status: str, label: str, symbol: str, colour: str, category: str) -> dict[str, str]:
    return {"status": status, "label": label, "symbol": symbol, "colour": colour,
            "category": category}


DORSET: dict[str, Any] = {"scale_id": "dorset", "name": "Dorset Police", "statuses": [
    _status("blue", "Blue", "star", "#1f78b4", "done"),
    _status("green", "Green", "circle", "#33a02c", "in_progress"),
    _status("yellow", "Yellow", "triangle", "#e6ab02", "at_risk"),
    _status("red", "Red", "cross", "#e31a1c", "at_risk"),
]}
THAMES_VALLEY: dict[str, Any] = {"scale_id": "thames-valley", "name": "Thames Valley Police",
                                 "statuses": [
    _status("red", "Red", "cross", "#d7191c", "at_risk"),
    _status("amber", "Amber", "triangle", "#fdae61", "at_risk"),
    _status("green", "Green", "circle", "#1a9641", "in_progress"),
]}
CITY_OF_LONDON: dict[str, Any] = {"scale_id": "city-of-london", "name": "City of London Police",
                                  "statuses": [
    _status("satisfactory", "Satisfactory", "tick", "#1b7837", "in_progress"),
    _status("close_monitoring", "Close Monitoring", "diamond", "#e08214", "at_risk"),
    _status("requires_action", "Requires Action", "flag", "#b2182b", "at_risk"),
]}
HAMPSHIRE: dict[str, Any] = {"scale_id": "hampshire", "name": "Hampshire Constabulary",
                             "statuses": [
    _status("candidate", "Candidate", "dash", "#737373", "not_started"),
    _status("current", "Current", "calendar", "#2166ac", "in_progress"),
    _status("completed", "Completed", "tick", "#1b7837", "done"),
]}
SCALES = (DORSET, THAMES_VALLEY, CITY_OF_LONDON, HAMPSHIRE)
