"""Front matter narrowed from YAML's ``object`` to the types the site uses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, tzinfo


class MetaError(ValueError):
    """A front matter value that cannot be used; the message names the key."""


def text(meta: Mapping[str, object], key: str, *, required: bool = False) -> str | None:
    """A non-empty string, or None when absent and not required."""
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MetaError(f"missing {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MetaError(f"{key!r} must be text, not {type(value).__name__}")
    return " ".join(str(value).split())


def flag(meta: Mapping[str, object], key: str, *, default: bool) -> bool:
    """A yes/no value; YAML already turns true/false/yes/no into bool."""
    value = meta.get(key, default)
    if not isinstance(value, bool):
        raise MetaError(f"{key!r} must be true or false, not {value!r}")
    return value


def required_moment(meta: Mapping[str, object], key: str, zone: tzinfo) -> datetime:
    """Like `moment`, for a key that must be there."""
    found = moment(meta, key, zone)
    if found is None:
        raise MetaError(f"missing {key!r}")
    return found


def moment(meta: Mapping[str, object], key: str, zone: tzinfo) -> datetime | None:
    """A date or datetime as an aware datetime; naive values are in the site's zone."""
    value = meta.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise MetaError(f"{key!r} is not a date: {value!r} (use YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        found = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        found = datetime.combine(value, time(), tzinfo=zone)
    else:
        raise MetaError(f"{key!r} is not a date: {value!r} (use YYYY-MM-DD)")
    return _showable(found, key, zone)


def _showable(moment: datetime, key: str, zone: tzinfo) -> datetime:
    """Refuse a moment that has no equivalent in UTC or the site's zone (year 1, 9999)."""
    try:
        showable = 1 < moment.astimezone(UTC).year < 9999 and moment.astimezone(zone).year > 1
    except (OverflowError, ValueError):
        showable = False
    if not showable:
        raise MetaError(
            f"{key!r} {moment.date().isoformat()} cannot be shown in the site's timezone; "
            "use a date between the years 2 and 9998"
        )
    return moment


def names(meta: Mapping[str, object], key: str) -> tuple[list[str], list[str]]:
    """A list of names from a YAML list or a comma string, and what was refused."""
    value = meta.get(key)
    if value is None:
        return [], []
    items: list[object]
    if isinstance(value, str):
        items = [*value.split(",")]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    accepted, refused = [], []
    for item in items:
        if isinstance(item, str):
            if item.strip():
                accepted.append(item.strip())
        else:
            refused.append(f"{key!r} entry {item!r} is a {type(item).__name__}, not text")
    return accepted, refused
