from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from folio.atomic import write_atomically
from folio.replies.store import DuplicateReply, Reply, ReplyStore, new_id, thread

ROOT = Path(__file__).resolve().parents[2]  # the repository, for the writers' imports
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def reply(n: int = 0, **fields: object) -> Reply:
    values: dict[str, object] = {
        "id": new_id(),
        "post": "first-post",
        "author": f"Author {n}",
        "email": f"a{n}@example.com",
        "text": f"Reply number {n}.",
        "created": T0 + timedelta(minutes=n),
    }
    values.update(fields)
    return Reply(**values)  # type: ignore[arg-type]


def test_a_reply_is_one_json_file_named_by_the_server(tmp_path: Path) -> None:
    store = ReplyStore(tmp_path)
    stored = store.add(reply(author="../../etc/passwd"))
    [path] = (tmp_path / "first-post").glob("*.json")
    assert path.name == f"{stored.id}.json"
    data = json.loads(path.read_text())
    assert data["email"] == "a0@example.com" and data["status"] == "pending"
    assert store.replies("first-post") == []  # pending is not shown
    assert store.replies("first-post", status=None) == [stored]


def test_approve_reject_delete(tmp_path: Path) -> None:
    store = ReplyStore(tmp_path)
    first, second = store.add(reply(1)), store.add(reply(2))
    assert store.set_status(first.id, "approved") is not None
    assert store.set_status(second.id, "rejected") is not None
    assert [r.id for r in store.replies("first-post")] == [first.id]
    assert store.count("first-post") == 1
    assert store.delete(first.id) and not store.delete(first.id)
    assert store.find(first.id) is None and store.find("../x") is None
    assert store.set_status("nope", "approved") is None


def test_the_same_text_by_the_same_author_is_refused(tmp_path: Path) -> None:
    store = ReplyStore(tmp_path)
    store.add(reply(1, text="Same words."))
    with pytest.raises(DuplicateReply):
        store.add(reply(1, text="  Same words.  "))
    store.add(reply(2, text="Same words."))  # someone else may say the same


def test_damaged_files_and_half_writes_are_skipped(tmp_path: Path) -> None:
    store = ReplyStore(tmp_path)
    good = store.set_status(store.add(reply(1)).id, "approved")
    folder = tmp_path / "first-post"
    (folder / "18eace3337e0ddab-00000000.json").write_text('{"id": "half')
    (folder / "18eace3337e0ddab-11111111.json").write_bytes(b"\xff\xfe")
    (folder / f".{new_id()}.123.tmp").write_text('{"partial": ')  # a killed writer's leftover
    (folder / "18eace3337e0ddab-22222222.json").write_text(json.dumps({"id": 1}))
    assert store.replies("first-post") == [good]


def test_post_slugs_cannot_leave_the_folder(tmp_path: Path) -> None:
    store = ReplyStore(tmp_path)
    for slug in ["", "../x", ".hidden", "a/b"]:
        with pytest.raises(ValueError, match="not a post slug"):
            store.replies(slug)


def test_threads_nest_three_deep_and_deeper_replies_stay_at_three() -> None:
    a = reply(1)
    b = reply(2, parent=a.id)
    c = reply(3, parent=b.id)
    d = reply(4, parent=c.id)
    e = reply(5)
    orphan = reply(6, parent="gone")
    ordered = [(t.reply.id, t.depth) for t in thread([a, b, c, d, e, orphan])]
    assert ordered == [(a.id, 1), (b.id, 2), (c.id, 3), (d.id, 3), (e.id, 1), (orphan.id, 1)]


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from folio.replies.store import Reply, ReplyStore, new_id

    store = ReplyStore(Path(sys.argv[1]))
    for n in range(int(sys.argv[3])):
        store.add(Reply(id=new_id(), post="first-post", author=f"Writer {sys.argv[2]}",
                        email="w@example.com", text=f"Reply {n} from {sys.argv[2]}",
                        created=datetime.now(UTC)))
    """
)


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(w), "25"], env=env)
        for w in range(4)
    ]
    assert [w.wait(60) for w in writers] == [0, 0, 0, 0]
    stored = ReplyStore(tmp_path).replies("first-post", status=None)
    assert len(stored) == 100
    assert len({r.text for r in stored}) == 100


def test_an_atomic_write_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "file.json"
    write_atomically(target, b"old")
    write_atomically(target, b"new", durable=False)
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]
