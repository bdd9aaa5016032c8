"""The OpenAPI 3.1 document, generated: each route's docstring says its operation after
``---`` and names the marshmallow schemas of `schemas`, which apispec turns into JSON
Schema. Nothing in it is written by hand apart from those references."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from marshmallow import Schema
from starlette.routing import BaseRoute, Route

from commands.registry import COMMANDS
from opslog import __version__
from opslog.service import schemas
from opslog.service.limits import MAX_BODY_BYTES, REQUEST_TIMEOUT_SECONDS

DESCRIPTION = f"""\
The operations log over HTTP. Every request carries `Authorization: Bearer TOKEN`
(`opslog tokens issue ACTOR`); a command is recorded as the token's actor, and a body
naming another actor is refused (403). Errors are RFC 9457 problem details
(`application/problem+json`) naming the field at fault. A request body may hold at most
{MAX_BODY_BYTES} bytes (413 beyond); a request runs for at most
{REQUEST_TIMEOUT_SECONDS:g} s (503 beyond). Nothing is written by a GET.
"""


def document(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    spec = APISpec(title="opslog", version=__version__, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()], info={"description": DESCRIPTION})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, value in vars(schemas).items():
        if (inspect.isclass(value) and issubclass(value, Schema) and value.__module__
                == schemas.__name__ and not name.endswith("Query") and name != "QuerySchema"):
            spec.components.schema(name, schema=value)
    _commands(spec)
    for route in routes:
        if not isinstance(route, Route) or not route.path.startswith("/v1/"):
            continue
        operations = load_operations_from_docstring(route.endpoint.__doc__ or "")
        for operation in operations.values():
            operation.setdefault("security", [{"bearer": []}])
        spec.path(path=_openapi_path(route.path), operations=operations)
    return spec.to_dict()


def _commands(spec: APISpec) -> None:
    """Each command's data schema (the one its registry entry validates with), and
    ``Command``: one of the envelopes, told apart by their ``command``."""
    envelope = spec.to_dict()["components"]["schemas"]["CommandEnvelope"]["properties"]
    variants = []
    for name, entry in sorted(COMMANDS.items()):
        spec.components.schema(f"{name}Data", schema=type(entry.schema))
        spec.components.schema(f"{name}Command", component={
            "type": "object",
            "description": entry.summary,
            "properties": {**envelope, "command": {"const": name},
                           "data": {"$ref": f"#/components/schemas/{name}Data"}},
            "required": ["command", "id", "data"],
            "additionalProperties": False,
        })
        variants.append({"$ref": f"#/components/schemas/{name}Command"})
    spec.components.schema("Command", component={"oneOf": variants})


def _openapi_path(path: str) -> str:
    """Starlette's ``{position:int}`` as OpenAPI's ``{position}``."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{") and ":" in part:
            part = part.split(":")[0] + "}"
        parts.append(part)
    return "/".join(parts)
