"""Publication dates as ISO 8601 days (YYYY-MM-DD), from what tags state and lines say.

Tags state machine dates (`2025-08-14T09:30:00+01:00`, `2025/08/14`, `Thu, 14 Aug 2025
09:30:00 GMT`); lines state them for people (`August 14, 2025`, `14 Aug 2025`,
`Published 14.08.2025`). Both read here with a few regular expressions, no
parser: a day is all the output keeps (trafilatura and htmldate give a day too),
and a date must be a real day between MIN_YEAR and next year. Numeric day/month
orders that cannot be told apart (03/04/2025) are read only when one side is
above 12.
"""

from __future__ import annotations

import datetime as dt
import re

MIN_YEAR = 1995  # the web's news pages start here; earlier "dates" are birthdays, founding years
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_ISO = re.compile(r"(?<!\d)(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)"
                  r"(?P<day>\d{1,2})(?!\d)")
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?:T|$)")  # 20250814
_MONTH_DAY_YEAR = re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b",
                             re.I)
_DAY_MONTH_YEAR = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?" + _MONTH +
                             r",?\s+(?P<year>\d{4})\b", re.I)
_NUMERIC = re.compile(r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)"
                      r"(?P<year>\d{4})(?![\d/.-])")
_STAMP = re.compile(r"^\d{9,10}(?:\.\d+)?$")  # seconds since 1970


def iso_day(value: str | None, *, today: dt.date | None = None) -> str | None:
    """The day a date value states (a tag's content or a line of text), as YYYY-MM-DD;
    None when it states no real day in range."""
    if not value:
        return None
    value = value.strip()[:200]
    if _STAMP.match(value):
        day = dt.datetime.fromtimestamp(float(value), dt.UTC).date()
        return _checked(day.year, day.month, day.day, today)
    for pattern in (_ISO, _COMPACT, _MONTH_DAY_YEAR, _DAY_MONTH_YEAR):
        for match in pattern.finditer(value):
            month = match.group("month")
            month = MONTHS[month[:3].lower()] if month[0].isalpha() else int(month)
            if found := _checked(int(match.group("year")), month, int(match.group("day")),
                                 today):
                return found
    for match in _NUMERIC.finditer(value):
        a, b = int(match.group("a")), int(match.group("b"))
        if a > 12 or b > 12:  # one order only: 31/12/2025 or 12/31/2025
            day, month = (a, b) if a > 12 else (b, a)
            if found := _checked(int(match.group("year")), month, day, today):
                return found
    return None


def _checked(year: int, month: int, day: int, today: dt.date | None) -> str | None:
    latest = (today or dt.date.today()).year + 1
    if not MIN_YEAR <= year <= latest:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
