"""Static files: content-hashed names from Flask-Static-Digest, served by WhiteNoise.

`flask --app app digest compile` (run by `make run` and at deploy) writes each file
again under a name carrying its MD5, with gzip and brotli siblings, and a manifest
that `static_url_for` reads. WhiteNoise then serves them before Flask sees the request:
hashed names as immutable for a year, the compressed sibling the client accepts, and
ETag/Last-Modified for everything.
"""

from __future__ import annotations

from wsgiref.headers import Headers

from flask import Flask
from flask_static_digest import FlaskStaticDigest
from whitenoise import WhiteNoise

from folio.web.headers import SECURITY_HEADERS

#: Flask-Static-Digest's names: `site-<md5>.css`.
FINGERPRINTED = r"-[0-9a-f]{32}\.\w+$"
#: Files under their plain names are revalidated after this many seconds.
PLAIN_MAX_AGE = 3600


def serve_static(app: Flask) -> None:
    """Put WhiteNoise in front of the app for /static/ and fingerprint static URLs."""
    FlaskStaticDigest(app)
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=app.static_folder,
        prefix=app.static_url_path,
        max_age=PLAIN_MAX_AGE,
        allow_all_origins=False,
        autorefresh=app.debug,  # looks at the files on each request: development only
        immutable_file_test=FINGERPRINTED,
        add_headers_function=_security_headers,
    )


def _security_headers(headers: Headers, path: str, url: str) -> None:
    # Flask's after_request never sees what WhiteNoise answers.
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
