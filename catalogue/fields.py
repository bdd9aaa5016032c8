"""marshmallow fields for the catalogue's value types: ids, periods, dates at their
precision, exact money, facts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from catalogue.periods import PeriodError, Quarter, parse_period
from catalogue.precision import FORMS, as_precise, parse_precise, stored_form

IDENTIFIER = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
MAX_TEXT = 20_000
MAX_TITLE = 300


def identifier(**kwargs: Any) -> fields.String:
    """A lowercase slug such as ``vctf`` or ``south-west``: safe in stream ids."""
    return fields.String(
        validate=validate.Regexp(
            IDENTIFIER, error="must be a lowercase id of letters, digits and hyphens (≤ 80)"
        ),
        **kwargs,
    )


def title(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=MAX_TITLE), **kwargs)


def text(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_TEXT), **kwargs)


def count(**kwargs: Any) -> fields.Integer:
    """A non-negative whole number (officers, devices, applications)."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=10**12), **kwargs)


class QuarterField(fields.Field[Quarter]):
    """A financial-year quarter, stored as ``2018-19-Q1``."""

    def _serialize(self, value: Quarter | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Quarter:
        if isinstance(value, Quarter):
            return value
        if not isinstance(value, str):
            raise ValidationError("must be a quarter like 2018-19-Q1")
        try:
            return Quarter.parse(value)
        except PeriodError as error:
            raise ValidationError(str(error)) from error


class PeriodField(fields.Field[str]):
    """A financial year, quarter or month, stored in its canonical text."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError("must be a period like 2017-18, 2018-19-Q1 or 2018-06")
        try:
            return str(parse_period(value))
        except PeriodError as error:
            raise ValidationError(str(error)) from error


class Money(fields.Field[Decimal]):
    """Exact pounds: a decimal string or an integer, never a float; stored as a string."""

    def __init__(self, *, places: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.places = places

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return None if value is None else f"{value:.{self.places}f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, (bool, float)):
            raise ValidationError("money must be exact: give a string such as \"250000000\"")
        if isinstance(value, Decimal):
            amount = value
        elif isinstance(value, int | str):
            try:
                amount = Decimal(str(value).strip())
            except InvalidOperation as error:
                raise ValidationError("is not an amount of money") from error
        else:
            raise ValidationError("is not an amount of money")
        if not amount.is_finite() or amount < 0:
            raise ValidationError("must be a non-negative amount")
        if amount.as_tuple().exponent < -self.places:  # type: ignore[operator]
            raise ValidationError(f"has more than {self.places} decimal places")
        if amount >= Decimal(10) ** 15:
            raise ValidationError("is implausibly large")
        return amount


class ExactDecimal(fields.Field[Decimal]):
    """An exact number: an integer or a decimal string, never a float; stored as a string.

    A float has already lost the figure the source published (``0.1`` is not one tenth),
    so it is refused rather than rounded.
    """

    def __init__(self, *, minimum: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum

    def _serialize(self, value: Decimal | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return None if value is None else format(value, "f")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, (bool, float)):
            raise ValidationError("must be exact: give an integer or a decimal string, not a float")
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int | str):
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation as error:
                raise ValidationError("is not a number") from error
        else:
            raise ValidationError("is not a number")
        if not number.is_finite():
            raise ValidationError("must be finite")
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"must be at least {self.minimum}")
        return number


FACT_KINDS = ("count", "money", "percent", "change", "number", "text")
"""count: a whole number ≥ 0; money: exact pounds; percent: a share 0–100;
change: a percentage change ≥ -100; number: any exact decimal; text: words."""


class FactSchema(Schema):
    """One named figure of an update: ``{"name": "officers", "kind": "count", "value": 150}``."""

    name = title(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(FACT_KINDS))
    value = fields.Raw(required=True)
    unit = fields.String(load_default=None, validate=validate.Length(max=60))

    @validates_schema
    def _check_value(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind, value = data.get("kind"), data.get("value")
        if kind is None:
            return
        data["value"] = normalise_fact_value(kind, value)


def normalise_fact_value(kind: str, value: Any) -> int | str:
    """Check a fact's value against its kind and return its stored form."""
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError({"value": ["a count must be a whole number ≥ 0"]})
        return value
    if kind == "text":
        if not isinstance(value, str) or not 0 < len(value) <= MAX_TITLE:
            raise ValidationError({"value": [f"must be text of 1 to {MAX_TITLE} characters"]})
        return value
    if isinstance(value, (bool, float)) or not isinstance(value, int | str):
        raise ValidationError({"value": ["must be exact: an integer or a decimal string"]})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValidationError({"value": ["is not a number"]}) from error
    if not number.is_finite():
        raise ValidationError({"value": ["must be finite"]})
    if kind == "money" and number < 0:
        raise ValidationError({"value": ["money must not be negative"]})
    if kind == "percent" and not 0 <= number <= 100:
        raise ValidationError({"value": ["a percentage share must lie between 0 and 100"]})
    if kind == "change" and not -100 <= number <= 100_000:
        raise ValidationError({"value": ["a percentage change must be at least -100"]})
    return str(number)


class PreciseDateField(fields.Field[date]):
    """A date at the source's precision, in and out as its stored form."""

    def _serialize(self, value: date | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | None:
        return None if value is None else stored_form(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, date):
            return as_precise(value)
        if not isinstance(value, str):
            raise ValidationError(f"must be {FORMS}")
        try:
            return parse_precise(value)
        except PeriodError as error:
            raise ValidationError(str(error)) from error
