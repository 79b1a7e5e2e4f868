"""The site's own settings from content/site.yml: title, author, language, menu."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from folio.content import meta
from folio.content.frontmatter import Unreadable, load_yaml, read_text

MAX_SETTINGS_BYTES = 16 * 1024


@dataclass(frozen=True)
class NavLink:
    """One entry of the site's menu."""

    title: str
    url: str


@dataclass(frozen=True)
class SiteInfo:
    """What content/site.yml says about the whole site."""

    title: str = "Folio"
    tagline: str = ""
    description: str = ""
    base_url: str = ""
    author: str = ""
    language: str = "en"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    nav: tuple[NavLink, ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)


def read_site_info(path: Path) -> tuple[SiteInfo, list[str]]:
    """Read site.yml; problems are returned, and defaults stand in for bad values."""
    if not path.exists():
        return SiteInfo(), []
    try:
        data = load_yaml(read_text(str(path), MAX_SETTINGS_BYTES), "site settings")
    except OSError as e:
        return SiteInfo(), [f"cannot read site settings: {e.strerror or e}"]
    except Unreadable as e:
        return SiteInfo(), [str(e)]
    if not isinstance(data, dict):
        return SiteInfo(), ["site settings must be a mapping of keys to values"]
    problems: list[str] = []
    values: dict[str, object] = {}
    for key in ("title", "tagline", "description", "base_url", "author", "language"):
        try:
            if (value := meta.text(data, key)) is not None:
                values[key] = value.rstrip("/") if key == "base_url" else value
        except meta.MetaError as e:
            problems.append(str(e))
    zone = data.get("timezone", "UTC")
    try:
        values["timezone"] = ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"unknown timezone {zone!r}")
    values["nav"] = tuple(_nav(data.get("nav"), problems))
    known = {*values, "timezone", "nav"}
    values["extra"] = {k: v for k, v in data.items() if k not in known}
    return SiteInfo(**values), problems  # type: ignore[arg-type]


def _nav(entries: object, problems: list[str]) -> list[NavLink]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append("'nav' must be a list of {title, url}")
        return []
    links = []
    for entry in entries:
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("title"), str)
            and isinstance(entry.get("url"), str)
        ):
            links.append(NavLink(entry["title"], entry["url"]))
        else:
            problems.append(f"'nav' entry {entry!r} needs a title and a url")
    return links
