"""The Flask application factory: configuration, then one call per concern."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from folio import cli, errors, views
from folio.config import ensure_secret_key, resolve_paths
from folio.indexing import IndexFolder
from folio.sitesearch import SiteSearch
from folio.store import ContentStore

ROOT = Path(__file__).resolve().parent

DEFAULTS: dict[str, object] = {
    "CONTENT_DIR": ROOT / "content",
    "SEARCH_INDEX_DIR": ROOT / "search_index",
    "COMMENTS_DIR": None,  # inside the instance folder unless set
    "CACHE_DIR": None,  # parsed-content snapshot; inside the instance folder unless set
    "POSTS_PER_PAGE": 8,
    "SHOW_DRAFTS": False,
    "CONTENT_RELOAD_INTERVAL": 1.0,  # seconds between looks at content/ for changes
    "SEARCH_BACKGROUND": True,  # build a missing index in a thread, not in the request
    "MAX_CONTENT_LENGTH": 256 * 1024,
}


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Create the site; `test_config` replaces the instance and environment config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    resolve_paths(app)
    ensure_secret_key(app)
    register_extensions(app)
    app.register_blueprint(views.bp)
    errors.register(app)
    cli.register(app)
    return app


def register_extensions(app: Flask) -> None:
    """Attach the content store and the search index that follows its changes."""
    store = ContentStore.from_config(app.config)
    search = SiteSearch(
        IndexFolder(app.config["SEARCH_INDEX_DIR"]),
        background=bool(app.config["SEARCH_BACKGROUND"]),
    )
    store.listeners.append(search.sync)
    app.extensions["folio.content"] = store
    app.extensions["folio.search"] = search
