"""What the benchmarks ask of a server on 127.0.0.1: one GET, and wrk's requests a second."""

from __future__ import annotations

import http.client
import re
import subprocess


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wrk(port: int, path: str, seconds: int) -> float:
    """Requests a second that `wrk -t1 -c8` (Debian's wrk) gets for `path`."""
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else 0.0
