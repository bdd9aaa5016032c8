"""Payload schemas of bearer tokens issued and revoked."""

from __future__ import annotations

from marshmallow import fields, validate

from catalogue.schemas.base import EventSchema
from catalogue.schemas.structure import ACTOR

TOKEN_ID = validate.Regexp(r"^tok-[0-9a-f]{32}$", error="must be a token id (tok- and 32 hex)")


class TokenIssuedSchema(EventSchema):
    token_id = fields.String(required=True, validate=TOKEN_ID)
    actor = fields.String(required=True, validate=ACTOR)
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class TokenRevokedSchema(EventSchema):
    token_id = fields.String(required=True, validate=TOKEN_ID)
    actor = fields.String(required=True, validate=ACTOR)
