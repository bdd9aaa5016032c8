"""The API's shapes as marshmallow schemas: query parameters are loaded with them (so a
bad one is refused naming it) and `openapi` turns them into the published document.

Query schemas refuse unknown parameters; response schemas describe what the routes
return and are used for the document only.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from commands.registry import COMMANDS
from opslog.service.limits import MAX_PAGE

BOARD_FORMATS = ("json", "csv", "md", "html")
REPORT_FORMATS = ("json", "csv", "md", "html")
ID_TEXT = validate.Length(min=1, max=200)


AS_REPORTED = ("Only what its sources (returns, publications) had reported on or before "
               "this date (YYYY-MM-DD): the declared date of history recorded late, and "
               "never later than recorded.")


class QuerySchema(Schema):
    class Meta:
        unknown = RAISE


class NoQuery(QuerySchema):
    """A resource that takes no query parameters: any given is refused by name."""


class CutoffQuery(QuerySchema):
    """A question's cut-offs: what the log said then, and which facts were effective."""

    as_of = fields.AwareDateTime(metadata={"description": "Only what was recorded at or "
                                           "before this ISO 8601 time (with a zone)."})
    at_position = fields.Integer(validate=validate.Range(min=0, max=2**62), metadata={
        "description": "Only what was recorded at or before this log position."})
    effective_at = fields.Date(metadata={"description": "Only facts effective on or before "
                                         "this date (YYYY-MM-DD)."})
    as_reported = fields.Date(metadata={"description": AS_REPORTED})

    @validates_schema
    def _one_knowledge_cutoff(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("as_of") is not None and data.get("at_position") is not None:
            raise ValidationError("give as_of or at_position, not both", "at_position")


class BoardQuery(CutoffQuery):
    format = fields.String(validate=validate.OneOf(BOARD_FORMATS), metadata={
        "description": "Overrides the Accept header."})


class ReportQuery(CutoffQuery):
    format = fields.String(validate=validate.OneOf(REPORT_FORMATS), metadata={
        "description": "Overrides the Accept header."})
    audit = fields.Boolean(load_default=False, metadata={
        "description": "md and html: add where each figure came from."})


class ReportPageQuery(CutoffQuery):
    """The dashboard's report page: the cut-offs, and the audit view for a signed-in reader."""

    audit = fields.Boolean(load_default=False, metadata={
        "description": "Add where each figure came from (signed-in readers)."})


class LogQuerySchema(QuerySchema):
    """The filters of `opslog log`, and a cursor: the position to start from."""

    stream = fields.String(validate=ID_TEXT)
    category = fields.String(validate=ID_TEXT)
    type = fields.String(validate=ID_TEXT)
    unit = fields.String(validate=ID_TEXT)
    actor = fields.String(validate=ID_TEXT)
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    from_position = fields.Integer(load_default=1, validate=validate.Range(min=1, max=2**62),
                                   metadata={"description": "The cursor: the first position "
                                             "to return (a page's next_from_position)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE))
    as_reported = fields.Date(metadata={"description": AS_REPORTED})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            raise ValidationError("is before since", "until")


class DiffQuery(QuerySchema):
    """`opslog diff`: a quarter between two knowledge cut-offs."""

    quarter = fields.String(required=True, validate=validate.Length(min=1, max=20),
                            metadata={"example": "2018-19-Q1"})
    from_ = fields.AwareDateTime(data_key="from", metadata={
        "description": "The earlier knowledge cut-off; or give from_reported."})
    to = fields.AwareDateTime(metadata={"description": "Default: now."})
    from_reported = fields.Date(metadata={
        "description": "The earlier side as its sources had reported it by this date."})
    to_reported = fields.Date(metadata={
        "description": "The later side: only what its sources had reported by this date."})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        before, after = data.get("from_"), data.get("to")
        if before is None and data.get("from_reported") is None:
            raise ValidationError("give from (a time) or from_reported (a date)", "from")
        if before is not None and after is not None and after < before:
            raise ValidationError("is before from", "to")
        early, late = data.get("from_reported"), data.get("to_reported")
        if early is not None and late is not None and late < early:
            raise ValidationError("is before from_reported", "to_reported")


class CommandEnvelope(Schema):
    """One command, as in a command file (`opslog commands` lists every command's data)."""

    command = fields.String(required=True, validate=validate.OneOf(sorted(COMMANDS)))
    id = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._:/@+#=-]{0,199}$"))
    actor = fields.String(metadata={"description": "If given, the token's actor."})
    correlation_id = fields.String()
    reported_on = fields.Date(metadata={
        "description": "When its source (a return, a publication) reported it, for history "
                       "recorded late; not after the day it is recorded."})
    data = fields.Dict(required=True, keys=fields.String())

    class Meta:
        unknown = RAISE
        ordered = True


class FieldProblem(Schema):
    field = fields.String(required=True)
    reason = fields.String(required=True)


class CommandResult(Schema):
    """One line's answer, as `opslog submit` prints it."""

    line = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["accepted", "already recorded", "refused"]))
    id = fields.String(allow_none=True)
    command = fields.String(allow_none=True)
    first_position = fields.Integer(allow_none=True)
    last_position = fields.Integer(allow_none=True)
    event_types = fields.List(fields.String())
    problems = fields.List(fields.Nested(FieldProblem))
    message = fields.String(required=True)


class SubmitAnswer(Schema):
    results = fields.List(fields.Nested(CommandResult), required=True)
    accepted = fields.Integer(required=True)
    already_recorded = fields.Integer(required=True)
    refused = fields.Integer(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details; `field` names what was wrong."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    field = fields.String()
    errors = fields.List(fields.Nested(FieldProblem))
    results = fields.List(fields.Nested(CommandResult))


class EventSchema(Schema):
    """One recorded event with its place in the chain."""

    position = fields.Integer(required=True)
    event_id = fields.String(required=True)
    stream_id = fields.String(required=True)
    version = fields.Integer(required=True)
    type = fields.String(required=True)
    schema_version = fields.Integer(required=True)
    recorded_at = fields.String(required=True)
    occurred_at = fields.String(required=True)
    actor = fields.String(required=True)
    unit = fields.String(required=True)
    channel = fields.String(allow_none=True, metadata={
        "description": "How it reached the log: api tok-…, direct user@host, or null."})
    summary = fields.String(required=True)
    data = fields.Dict(required=True)
    metadata = fields.Dict(required=True)
    note = fields.String()
    hash = fields.String()
    prev_hash = fields.String()


class LogPage(Schema):
    events = fields.List(fields.Nested(EventSchema), required=True)
    next_from_position = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Pass as from_position for the next page; null at the end."})


class StreamAnswer(Schema):
    stream_id = fields.String(required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)


class DiffCause(Schema):
    position = fields.Integer()
    type = fields.String()
    actor = fields.String(allow_none=True)
    recorded_at = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)


class DiffChange(Schema):
    kind = fields.String()
    key = fields.String()
    what = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    causes = fields.List(fields.Nested(DiffCause))


class DiffAnswer(Schema):
    quarter = fields.String(required=True)
    from_position = fields.Integer(required=True)
    to_position = fields.Integer(required=True)
    changes = fields.List(fields.Nested(DiffChange), required=True)


class BoardAnswer(Schema):
    """`opslog status --format json`: the board's rows, summary and cut-off."""

    quarter = fields.String(required=True)
    cutoff = fields.Dict(required=True)
    summary = fields.Dict(required=True)
    milestones = fields.List(fields.Dict(), required=True)


class ReportAnswer(Schema):
    """`opslog report --format json`: everything the report holds."""

    title = fields.String(required=True)
    quarter = fields.String(required=True)
    cutoff = fields.Dict(required=True)
    board = fields.Dict(required=True)
    themes = fields.List(fields.Dict(), required=True)
