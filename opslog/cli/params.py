"""Command-line value types shared by the audiences' commands."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click

from catalogue import PeriodError, Quarter
from opslog.cli.base import UserError

TIME_EXAMPLE = "2018-05-01T09:00:00Z"


class AwareTime(click.ParamType[datetime]):
    """An ISO 8601 time with a zone (``Z`` or an offset), as UTC; naive or malformed is refused."""

    name = "TIME"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time (e.g. {TIME_EXAMPLE})", param, ctx)
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail(
                f"{value!r} has no time zone: add Z or an offset (e.g. {TIME_EXAMPLE} or "
                "2018-05-01T10:00:00+01:00)",
                param,
                ctx,
            )
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} is out of range in UTC", param, ctx)


AWARE_TIME = AwareTime()


def quarter_option(ctx: click.Context, param: click.Parameter,
                   value: str | None) -> Quarter | None:
    """A click callback reading ``2018-19-Q1`` (or ``2018-19 Q1``, ``2018/19 Q1``)."""
    if value is None:
        return None
    try:
        return Quarter.parse(value)
    except PeriodError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A click callback reading a date written ``YYYY-MM-DD``."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date like 2018-06-30", ctx=ctx,
                                 param=param) from error


class Utf8Text(click.ParamType[str]):
    """Text that is valid UTF-8: bytes the shell passed that are not (kept by Python as
    lone surrogates) are refused here, not met later as a traceback from the driver."""

    name = "TEXT"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogateescape")
            name = (param.opts[0] if isinstance(param, click.Option)
                    else param.human_readable_name if param is not None else "value")
            raise UserError(f"{name}: {raw!r} is not UTF-8 text") from None
        return text


UTF8_TEXT = Utf8Text()
