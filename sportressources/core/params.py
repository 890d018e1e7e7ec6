"""Converters for values that come from outside: query strings, form fields, path segments.

Each one parses a string into a value within explicit bounds, or answers None (or the default):
an out-of-range or malformed value is an ignored criterion or a French validation message, never
an exception that reaches the database or the standard library. Views read every query-string
value through them::

    page = int_param(request.args, "page", minimum=1, maximum=10_000, default=1)
    start = date_param(request.args, "debut", earliest=today, latest=today + timedelta(366))
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import overload

# Ids, cursors, counts: every integer column is an INTEGER, 32 bits on PostgreSQL (SQLite takes
# 64); a larger number would make the query fail, so it is no id and no count at all.
INT_MAX = 2**31 - 1
# No date the site deals with is further than this from today: a loan, a block, a history.
DATE_WINDOW = timedelta(days=10 * 366)
# Money fields: prices, deposits. Far above any real amount, far below what breaks arithmetic.
MONEY_MAX = Decimal(1_000_000)
# The longest text a number or a date may be written with (« 1 000 000,00 € » and some room).
NUMBER_MAX_LENGTH = 40


def clean_text(value: object, max_length: int) -> str | None:
    """A string stripped of surrounding spaces, or None when it is not a string, is longer
    than ``max_length`` or holds control characters (NUL among them)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > max_length or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    return value


def parse_int(text: object, *, minimum: int = 0, maximum: int = INT_MAX) -> int | None:
    """A whole number written in plain digits (an optional minus sign), within the bounds."""
    text = clean_text(text, NUMBER_MAX_LENGTH)
    if not text:
        return None
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def today_window(today: date | None = None) -> tuple[date, date]:
    """The earliest and latest dates accepted from outside, around ``today``."""
    today = today or date.today()
    return today - DATE_WINDOW, today + DATE_WINDOW


def parse_date(
    text: object, *, earliest: date | None = None, latest: date | None = None
) -> date | None:
    """A date written 2027-03-27 (ISO, as date pickers send it), within ``earliest`` and
    ``latest`` (by default, the window around today)."""
    text = clean_text(text, NUMBER_MAX_LENGTH)
    if not text or len(text) != 10 or not text.isascii():
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    low, high = today_window()
    if not (earliest or low) <= value <= (latest or high):
        return None
    return value


def parse_money(
    text: object, *, maximum: Decimal = MONEY_MAX, places: int | None = 2
) -> Decimal | None:
    """A finite amount between 0 and ``maximum``, written « 12 », « 12,50 » or « 12.50 € »,
    with at most ``places`` decimals (None: any). No NaN, no infinity, no exponent games."""
    text = clean_text(text, NUMBER_MAX_LENGTH)
    if not text:
        return None
    text = text.replace("€", "").replace(" ", "").replace("\u202f", "").replace(",", ".")
    amount = parse_decimal(text, limit=maximum)
    if amount is None or amount < 0:
        return None
    if places is not None and amount != amount.quantize(Decimal(1).scaleb(-places)):
        return None
    return amount


def parse_decimal(text: object, *, limit: Decimal = MONEY_MAX) -> Decimal | None:
    """A finite decimal whose absolute value is at most ``limit``, or None."""
    text = clean_text(text, NUMBER_MAX_LENGTH)
    if not text or not text.isascii():
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) > limit:
        return None
    return value


# --- query-string arguments ----------------------------------------------------------------------


def _arg(args: Mapping, name: str) -> object:
    return args.get(name)


@overload
def int_param(
    args: Mapping, name: str, *, minimum: int = 0, maximum: int = INT_MAX, default: int
) -> int: ...
@overload
def int_param(
    args: Mapping, name: str, *, minimum: int = 0, maximum: int = INT_MAX, default: None = None
) -> int | None: ...
def int_param(args, name, *, minimum=0, maximum=INT_MAX, default=None):
    """``args[name]`` as a whole number within the bounds, else ``default``."""
    number = parse_int(_arg(args, name), minimum=minimum, maximum=maximum)
    return default if number is None else number


def date_param(
    args: Mapping,
    name: str,
    *,
    earliest: date | None = None,
    latest: date | None = None,
    default: date | None = None,
) -> date | None:
    """``args[name]`` as an ISO date between ``earliest`` and ``latest`` (by default the
    window around today), else ``default``."""
    value = parse_date(_arg(args, name), earliest=earliest, latest=latest)
    return default if value is None else value


def text_param(args: Mapping, name: str, *, max_length: int, default: str = "") -> str:
    """``args[name]`` stripped, if it is at most ``max_length`` characters without control
    characters, else ``default``."""
    value = clean_text(_arg(args, name), max_length)
    return default if value is None else value


def money_param(
    args: Mapping, name: str, *, maximum: Decimal = MONEY_MAX, default: Decimal | None = None
) -> Decimal | None:
    """``args[name]`` as an amount in euros (see ``parse_money``), else ``default``."""
    value = parse_money(_arg(args, name), maximum=maximum)
    return default if value is None else value


# --- the whole request ---------------------------------------------------------------------------


def refuse_nul_in_path() -> None:
    """404 for a path holding a NUL character: no slug, token or file name has one, and
    PostgreSQL refuses it in any text, so looking it up would end in a 500. (Query-string values
    go through the converters above, which drop it; form fields remove it.)"""
    from flask import abort, request

    if "\x00" in request.path:
        abort(404)
