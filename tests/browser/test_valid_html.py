"""The Nu HTML checker (vnu-jar, run with Java on saved pages) finds no error on any page
type, as the server sends it and as scripts leave it (live search and viewer open)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import NODE_MODULES, REPORTS, Served, fetch
from tests.browser.pages import ARTICLE, BY_NAME, PAGE_TYPES, STATES, live_search

pytestmark = pytest.mark.browser

VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SAVED = REPORTS / "html"
REFUSED = {"author": "Tom", "email": "tom@gmail", "comment": "Kept words", "elapsed": "30"}


def save_as_sent(served: Served, folder: Path) -> None:
    """Each page type's HTML as the server sends it, the refused reply's 422 included."""
    for kind in PAGE_TYPES:
        if kind.then is not None:
            continue  # a state reached in the browser: saved from there below
        status, body = fetch(served.port, kind.path)
        assert status == kind.status, kind.path
        (folder / f"{kind.name}.html").write_bytes(body)
    form = urlencode(REFUSED)
    status, body = fetch(
        served.port, ARTICLE + "comments", form=form, headers={"Origin": served.url}
    )
    assert status == 422
    (folder / "refused-reply.html").write_bytes(body)


def save_as_scripted(page: Page, served: Served, folder: Path) -> None:
    """The document as scripts leave it: the live search in each state, the viewer open."""
    page.goto(served.url + "/")
    for state in STATES:
        live_search(page, state)
        page.keyboard.press("ArrowDown")
        (folder / f"live-search-{state}.dom.html").write_text(page.content())
    for name in ("gallery-viewer", "refused-reply"):
        BY_NAME[name].visit(page, served.url)
        (folder / f"{name}.dom.html").write_text(page.content())


def nu_errors(files: list[Path]) -> list[str]:
    """The checker's errors over the files, one line each."""
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in messages
    ]


def test_every_page_type_is_valid_html(page: Page, served: Served) -> None:
    assert VNU.exists(), "npm ci installs vnu-jar (the Makefile's npm target)"
    shutil.rmtree(SAVED, ignore_errors=True)
    SAVED.mkdir(parents=True)
    save_as_sent(served, SAVED)
    save_as_scripted(page, served, SAVED)
    files = sorted(SAVED.glob("*.html"))
    assert len(files) >= len(PAGE_TYPES) + 3
    errors = nu_errors(files)
    assert errors == [], "\n".join(errors)
