"""deploy/folio.nginx.conf in front of two gunicorn hosts, on loopback, with Debian's nginx.

Repeat traffic is answered by nginx and revalidated with the app's ETag; replies go to
the one host that writes them; the rate limit sees each visitor's own address.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from folio.replies.store import ReplyStore
from tests.conftest import eventually

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="Debian's nginx is not installed")
ARTICLE = "/posts/first-post/"
REPLY = {"author": "Ann", "email": "ann@example.com", "comment": "Thanks!", "elapsed": "30"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settled(port: int) -> bool:
    """Whether a host has rendered and indexed everything: until then its pages change
    (summaries arrive with the bodies, related posts with the index)."""
    answer = request(port, "/search.json?q=sleep")
    found = json.loads(answer.body) if answer.status == 200 else {}
    return bool(found) and found["indexed"] == found["indexable"]


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    source: str = "127.0.0.1",
) -> Answer:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def post_reply(port: int, source: str = "127.0.0.1") -> Answer:
    form = "application/x-www-form-urlencoded"
    headers = {"Content-Type": form, "Origin": f"http://127.0.0.1:{port}"}  # as a browser would
    body = urlencode({**REPLY, "comment": f"Thanks from {source}, {time.time_ns()}"})
    return request(
        port, ARTICLE + "comments", method="POST", headers=headers, body=body, source=source
    )


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if request(port, "/").status in {200, 301, 404}:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on {port}")


def gunicorn(port: int, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
    return subprocess.Popen(
        [*command, "app:create_app()"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def nginx_conf(tmp: Path, port: int, writer: int, reader: int) -> Path:
    site = (ROOT / "deploy" / "folio.nginx.conf").read_text()
    site = site.replace("/var/cache/nginx/folio", str(tmp / "cache"))
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{writer};")
    site = site.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{reader};")
    (tmp / "folio.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = tmp / "nginx.conf"
    top = f"daemon off; worker_processes 1; pid {tmp / 'nginx.pid'}; error_log {tmp / 'log'};"
    http = f"http {{ access_log off; {temp} include {tmp / 'folio.conf'}; }}"
    main.write_text(f"{top}\nuser root;\nevents {{}}\n{http}\n")
    return main


@dataclass(frozen=True)
class Deployment:
    proxy: int
    writer: int
    reader: int
    content: Path
    replies: Path


@pytest.fixture
def deployment(content: Path, tmp_path: Path) -> Iterator[Deployment]:
    replies = tmp_path / "replies"
    ports = {"proxy": free_port(), "writer": free_port(), "reader": free_port()}
    shared = {
        "FLASK_CONTENT_DIR": str(content),
        "FLASK_COMMENTS_DIR": str(replies),
        "FLASK_SECRET_KEY": "one key for every host",
        "FLASK_PAGE_MAX_AGE": "1",
        "FLASK_PROXY_FIX_X_FOR": "1",
        "FLASK_COMMENT_RATE_GAP": "3600",
    }
    processes = []
    try:
        for name, writable in (("writer", "true"), ("reader", "false")):
            own = {
                "FLASK_CACHE_DIR": str(tmp_path / name / "cache"),
                "FLASK_SEARCH_INDEX_DIR": str(tmp_path / name / "index"),
                "FLASK_REPLIES_WRITABLE": writable,
            }
            processes.append(gunicorn(ports[name], shared | own))
            wait_for(ports[name], processes[-1])
        proxy = tmp_path / "nginx"
        proxy.mkdir()
        conf = nginx_conf(proxy, ports["proxy"], ports["writer"], ports["reader"])
        processes.append(subprocess.Popen([NGINX, "-c", str(conf), "-p", str(proxy)]))
        wait_for(ports["proxy"], processes[-1])
        for name in ("writer", "reader"):  # a page changes while a host starts: wait it out
            eventually(lambda port=ports[name]: settled(port), timeout=60)  # type: ignore[misc]
        yield Deployment(ports["proxy"], ports["writer"], ports["reader"], content, replies)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_repeat_traffic_is_answered_by_nginx_and_revalidated_by_etag(
    deployment: Deployment,
) -> None:
    proxy = deployment.proxy
    first = request(proxy, ARTICLE)
    assert first.status == 200 and first.headers["x-cache-status"] in {"MISS", "EXPIRED"}
    again = request(proxy, ARTICLE)
    assert again.headers["x-cache-status"] == "HIT" and again.body == first.body
    time.sleep(2.2)  # past max-age (nginx counts whole seconds): it asks with If-None-Match
    assert request(proxy, ARTICLE).headers["x-cache-status"] == "REVALIDATED"
    path = deployment.content / "posts/2025-01-10-first-post.md"
    path.write_text(path.read_text().replace("Words about sleep", "Words about otters"))
    for host in (deployment.writer, deployment.reader):  # every host has taken it in
        eventually(lambda host=host: b"otters" in request(host, ARTICLE).body)  # type: ignore[misc]
    time.sleep(2.2)
    edited = request(proxy, ARTICLE)
    assert b"otters" in edited.body and edited.headers["x-cache-status"] == "EXPIRED"
    assert edited.headers["etag"] != first.headers["etag"]


def test_the_app_compresses_and_nginx_passes_the_encoding_through(
    deployment: Deployment,
) -> None:
    for encoding in ("br", "gzip"):
        answer = request(deployment.proxy, "/", headers={"Accept-Encoding": encoding})
        assert answer.headers["content-encoding"] == encoding
        again = request(deployment.proxy, "/", headers={"Accept-Encoding": encoding})
        assert again.headers["content-encoding"] == encoding and again.body == answer.body
    plain = request(deployment.proxy, "/")
    assert "content-encoding" not in plain.headers and plain.body.startswith(b"<!doctype html>")


def test_replies_go_to_the_one_host_that_writes_them(deployment: Deployment) -> None:
    assert post_reply(deployment.reader).status == 403  # straight to a reading host
    assert not deployment.replies.exists()
    for _ in range(3):  # whichever host nginx picks for pages, replies reach the writer
        assert post_reply(deployment.proxy, source="127.0.0.1").status in {303, 429}
    store = ReplyStore(deployment.replies)
    assert len(store.everything()) == 1  # the rate limit held the other two back
    for reply in store.everything():
        store.set_status(reply.id, "approved")
    # The reading host shows it from the shared folder.
    eventually(lambda: b"Thanks from 127.0.0.1" in request(deployment.reader, ARTICLE).body)


def test_the_rate_limit_counts_visitors_not_the_proxy(deployment: Deployment) -> None:
    assert post_reply(deployment.proxy, source="127.0.0.1").status == 303
    assert post_reply(deployment.proxy, source="127.0.0.1").status == 429  # the same visitor
    assert post_reply(deployment.proxy, source="127.0.0.2").status == 303  # another one
