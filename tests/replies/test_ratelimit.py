from __future__ import annotations

from pathlib import Path

from folio.replies.ratelimit import Limit, RateLimiter


def test_gap_and_hourly_limit(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path, b"secret", Limit(gap=15, per_hour=3))
    assert limiter.hit("1.2.3.4", 1000) is None
    assert limiter.hit("1.2.3.4", 1005) == 10  # wait out the gap
    assert limiter.hit("5.6.7.8", 1005) is None  # another address is not affected
    assert limiter.hit("1.2.3.4", 1020) is None
    assert limiter.hit("1.2.3.4", 1040) is None
    assert limiter.hit("1.2.3.4", 1060) == 3600 - 60  # three in the last hour
    assert limiter.hit("1.2.3.4", 4601) is None  # the oldest has aged out


def test_addresses_are_stored_only_as_keyed_hashes(tmp_path: Path) -> None:
    RateLimiter(tmp_path, b"secret", Limit()).hit("1.2.3.4", 1000)
    [path] = tmp_path.iterdir()
    assert "1.2.3.4" not in path.name and "1.2.3.4" not in path.read_text()


def test_a_damaged_file_starts_afresh(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path, b"secret", Limit())
    limiter.hit("1.2.3.4", 1000)
    [path] = tmp_path.iterdir()
    path.write_text("{not json")
    assert limiter.hit("1.2.3.4", 2000) is None
