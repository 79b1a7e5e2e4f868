from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from app import ROOT, create_app
from folio.config import ensure_secret_key
from tests.conftest import eventually


def test_settings_come_from_flask_environment_variables(
    monkeypatch: pytest.MonkeyPatch, content: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLASK_CONTENT_DIR", str(content))
    # Nothing may be written into the project's own folders.
    monkeypatch.setenv("FLASK_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("FLASK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FLASK_CONTENT_WATCH", "false")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_POSTS_PER_PAGE", "10")
    monkeypatch.setenv("FLASK_SHOW_DRAFTS", "true")
    app = create_app()
    try:
        assert app.config["CONTENT_DIR"] == content
        assert app.config["POSTS_PER_PAGE"] == 10
        assert app.extensions["folio"].library.show_drafts is True
        assert app.config["COMMENTS_DIR"] == Path(app.instance_path) / "comments"
        html = app.test_client().get("/").get_data(as_text=True)
        assert "Unfinished draft" in html
    finally:
        app.extensions["folio"].stop()


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    ensure_secret_key(app)
    key = app.config["SECRET_KEY"]
    assert len(key) == 64
    assert (tmp_path / "instance/secret_key").stat().st_mode & 0o777 == 0o600
    other = Flask(__name__, instance_path=str(tmp_path / "instance"))
    ensure_secret_key(other)
    assert other.config["SECRET_KEY"] == key


def test_the_sample_site_serves(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SEARCH_INDEX_DIR": tmp_path,
            "CACHE_DIR": tmp_path,
            "CONTENT_WATCH": False,
        }
    )
    try:
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/search?q=back+pain").status_code == 200  # indexed before serving
    finally:
        app.extensions["folio"].stop()


def test_gunicorn_workers_start_the_site_before_their_first_request_and_stop_it(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    worker = SimpleNamespace(wsgi=app)
    config.post_worker_init(worker)
    site = app.extensions["folio"]
    assert site.publishes and site.publishing.publisher.reads == 7  # the content is read
    assert len(site.library.catalogue().posts) == 3  # and this worker's catalogue holds it
    eventually(lambda: site.search.status(site.library.catalogue()).documents == 5)
    config.worker_exit(None, worker)
    assert not site.publishes  # the role passes to another worker
