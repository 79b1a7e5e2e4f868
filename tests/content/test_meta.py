from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from folio.content import meta

LONDON = ZoneInfo("Europe/London")


def test_text_required_and_types() -> None:
    assert meta.text({"title": "  A   title "}, "title") == "A title"
    assert meta.text({"title": 2024}, "title") == "2024"
    with pytest.raises(meta.MetaError, match="missing 'title'"):
        meta.text({}, "title", required=True)
    with pytest.raises(meta.MetaError, match="'title' must be text"):
        meta.text({"title": ["a"]}, "title")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 9, 12), datetime(2025, 9, 12, tzinfo=LONDON)),
        (datetime(2025, 9, 12, 8, 30), datetime(2025, 9, 12, 8, 30, tzinfo=LONDON)),
        ("2025-09-12", datetime(2025, 9, 12, tzinfo=LONDON)),
        ("2025-09-12T08:30:00+00:00", datetime(2025, 9, 12, 8, 30, tzinfo=UTC)),
    ],
)
def test_moment_accepts_dates_and_datetimes(value: object, expected: datetime) -> None:
    assert meta.moment({"date": value}, "date", LONDON) == expected


@pytest.mark.parametrize("value", ["12/09/2025", "yesterday", 5, ["2025-01-01"]])
def test_moment_refuses_what_is_not_a_date(value: object) -> None:
    with pytest.raises(meta.MetaError, match="'date' is not a date"):
        meta.moment({"date": value}, "date", LONDON)


def test_flag() -> None:
    assert meta.flag({"draft": True}, "draft", default=False) is True
    assert meta.flag({}, "comments", default=True) is True
    with pytest.raises(meta.MetaError, match="true or false"):
        meta.flag({"draft": "maybe"}, "draft", default=False)


def test_names_from_list_or_comma_string() -> None:
    assert meta.names({"tags": "a, b ,, c"}, "tags") == (["a", "b", "c"], [])
    assert meta.names({"tags": ["a", 3, {"x": 1}]}, "tags") == (
        ["a"],
        ["'tags' entry 3 is a int, not text", "'tags' entry {'x': 1} is a dict, not text"],
    )
    assert meta.names({}, "tags") == ([], [])
