"""The Flask application factory: configuration, then one call per concern."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from flask import Flask
from flask_compress import Compress
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

from folio import cli, web
from folio.config import ensure_secret_key, resolve_paths
from folio.site import Site
from folio.web.pagecache import PageCache
from folio.web.state import page_state
from folio.web.static import serve_static

ROOT = Path(__file__).resolve().parent
PROXY_HEADERS = ("x_for", "x_proto", "x_host", "x_prefix")

DEFAULTS: dict[str, object] = {
    "CONTENT_DIR": ROOT / "content",
    "SEARCH_INDEX_DIR": ROOT / "search_index",
    "COMMENTS_DIR": None,  # inside the instance folder unless set
    "CACHE_DIR": None,  # the published content, shared by workers; inside instance/ unless set
    "POSTS_PER_PAGE": 8,
    "SHOW_DRAFTS": False,
    "CONTENT_WATCH": True,  # follow changes to content/ (inotify on Linux) while serving
    "CONTENT_RELOAD_INTERVAL": 1.0,  # seconds between looks where inotify is missing
    "CONTENT_TRUST_HTML": False,  # True serves raw HTML in content unsanitised
    "MAX_CONTENT_FILE_BYTES": 1024 * 1024,  # a larger content file is a problem, not read
    "RENDER_TIMEOUT": 5.0,  # seconds one body may take to render before it is refused
    "RENDER_PROCESSES": min(2, os.cpu_count() or 1),  # bodies rendered at once by the publisher
    "MAX_CONTENT_LENGTH": 256 * 1024,  # a reply's 65,525 characters fit with room to spare
    "COMMENTS_CLOSE_AFTER_DAYS": None,  # e.g. 90 to close the reply form on older posts
    "COMMENT_RATE_GAP": 15.0,  # seconds between two replies from one address
    "COMMENT_RATE_PER_HOUR": 6,
    # False on every host but the one that writes replies (they share COMMENTS_DIR,
    # read-only, and a proxy routes reply POSTs to the writer): see deploy/.
    "REPLIES_WRITABLE": True,
    "PAGE_CACHE": True,  # serve a page's stored bytes until what it shows changes
    "PAGE_MAX_AGE": 60,  # seconds proxies keep a page (s-maxage); browsers always revalidate
    "TRUSTED_HOSTS": None,  # e.g. ["example.org"]: any other Host header gets a 400
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (0: none).
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
    "PROXY_FIX_X_PREFIX": 0,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIMETYPES": [
        *("text/html", "text/css", "text/javascript", "application/javascript"),
        *("application/json", "image/svg+xml", "application/xml", "text/xml"),
        *("application/atom+xml", "application/rss+xml", "text/plain"),
    ],
    "FLASK_STATIC_DIGEST_COMPRESSION": ["gzip", "brotli"],  # served by WhiteNoise
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
    app.extensions["folio"] = Site(app.config)
    # Compiled templates are kept in the cache folder: a new worker skips compiling.
    compiled = Path(app.config["CACHE_DIR"]) / "templates"
    compiled.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(compiled))
    web.register(app)
    cli.register(app)
    return app


def register_extensions(app: Flask) -> None:
    """Compression, fingerprinted static files, and the proxy in front, if any."""
    Compress(app)
    if app.config["PAGE_CACHE"]:
        app.wsgi_app = PageCache(app.wsgi_app, partial(page_state, app))  # type: ignore[method-assign]
    serve_static(app)
    hops = {key: int(app.config[f"PROXY_FIX_{key.upper()}"]) for key in PROXY_HEADERS}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)  # type: ignore[method-assign]


def warm(app: Flask) -> None:
    """Start the site (publishing, following, the searcher) before a visitor's request.

    gunicorn.conf.py calls this in each worker before it accepts connections.
    """
    site: Site = app.extensions["folio"]
    # Compiled (once, into CACHE_DIR) while the site starts: that mostly waits, on the
    # publisher's first write or on its render processes reading the files.
    compiling = threading.Thread(target=_compile_templates, args=(app,), name="templates")
    compiling.start()
    try:
        site.start()
    finally:
        compiling.join()


def _compile_templates(app: Flask) -> None:
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)


def stop(app: Flask) -> None:
    """Stop the site's threads and processes (gunicorn.conf.py, when a worker exits)."""
    site: Site = app.extensions["folio"]
    site.stop()
