from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.conftest import write_file

# Python-Markdown takes seconds on this (smarty, 20,000 paragraphs).
SLOW = "word word.\n\n" * 20000


def test_check_passes_on_good_content(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No problems in 7 content files." in result.output


def test_check_lists_every_problem_with_file_and_reason(
    runner: FlaskCliRunner, content: Path
) -> None:
    write_file(content, "posts/bad-yaml.md", "title: [oops\ndate: 2025-01-01", "x")
    write_file(content, "posts/no-title.md", "date: 2025-01-01", "x")
    write_file(content, "posts/no-date.md", "title: T", "x")
    write_file(content, "posts/bad-date.md", "title: T\ndate: 31/12/2025", "x")
    write_file(content, "posts/first-post.md", "title: Twin\ndate: 2025-01-01", "x")
    write_file(content, "posts/tags.md", "title: Tags\ndate: 2025-01-01\ntags: [1.5]", "x")
    write_file(
        content,
        "posts/links.md",
        "title: Links\ndate: 2025-01-01",
        "[gone](/posts/missing/) [ok](/posts/first-post/) ![pic](/images/none.png)",
    )
    (content / "posts/unreadable.md").write_bytes(b"\xff\xfe\xfa")
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    expected = [
        "posts/bad-date.md: 'date' is not a date: '31/12/2025' (use YYYY-MM-DD)",
        "posts/first-post.md: duplicate slug 'first-post': posts/2025-01-10-first-post.md is used",
        "posts/links.md: image that does not exist: /images/none.png",
        "posts/links.md: link to a post that does not exist: /posts/missing/",
        "posts/no-date.md: missing 'date'",
        "posts/no-title.md: missing 'title'",
        "posts/tags.md: 'tags' entry 1.5 is a float, not text",
    ]
    for line in expected:
        assert line in lines
    assert any(line.startswith("posts/bad-yaml.md: invalid YAML in front matter") for line in lines)
    assert any(line.startswith("posts/unreadable.md: not UTF-8 text") for line in lines)
    assert "9 problem(s) in 8 file(s)." in result.output


def test_check_finds_links_from_drafts_to_hidden_posts(
    runner: FlaskCliRunner, content: Path
) -> None:
    write_file(content, "posts/l.md", "title: L\ndate: 2025-01-01", "[later](/posts/scheduled/)")
    result = runner.invoke(args=["check"])
    assert "posts/l.md: link to a post that does not exist: /posts/scheduled/" in result.output


def test_check_renders_every_body_now_within_the_time_limit(
    make_app: Callable[..., Flask], content: Path
) -> None:
    # The site is not running: check reads the files themselves, as they are now.
    runner = make_app(RENDER_TIMEOUT=1.0).test_cli_runner()
    write_file(
        content, "posts/deep.md", "title: Deep\ndate: 2025-01-01", "Hi.\n\n" + "- " * 1000 + "x"
    )
    slow = write_file(content, "posts/slow.md", "title: Slow\ndate: 2025-01-01", SLOW)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "posts/slow.md: took longer than 1 s to render" in lines
    assert any(line.startswith("posts/deep.md: ") and "RecursionError" in line for line in lines), (
        lines
    )
    assert "2 problem(s) in 2 file(s)." in result.output
    (content / "posts/deep.md").unlink()
    slow.write_text(slow.read_text()[:200])
    fixed = runner.invoke(args=["check"])
    assert fixed.exit_code == 0, fixed.output
    assert "No problems in 8 content files." in fixed.output


def test_index_status_compares_the_index_with_the_files_now(
    make_app: Callable[..., Flask], content: Path
) -> None:
    runner = make_app().test_cli_runner()  # no site runs: nothing updates the index
    assert "No index yet" in runner.invoke(args=["index", "status"]).output
    built = runner.invoke(args=["index", "rebuild"])
    assert built.exit_code == 0, built.output
    assert "Indexed 5 documents" in built.output  # three posts, the about and contact pages
    fresh = runner.invoke(args=["index", "status"]).output
    assert "Documents: 5" in fresh and "Fresh: every published post and page" in fresh
    write_file(content, "posts/2025-01-10-first-post.md", "title: Again\ndate: 2025-01-10", "Hi.")
    write_file(content, "pages/new.md", "title: New", "Hi.")
    (content / "pages/contact.md").unlink()
    stale = runner.invoke(args=["index", "status"]).output.splitlines()
    assert "Stale: 2 to add or update, 1 to delete" in stale
    assert "  update /posts/first-post/  (posts/2025-01-10-first-post.md)" in stale
    assert "  update /new/  (pages/new.md)" in stale
    assert "  delete /contact/" in stale


def test_new_writes_a_draft_skeleton(runner: FlaskCliRunner, content: Path) -> None:
    result = runner.invoke(args=["new", "Heat or ice: which helps?", "--tags", "back pain, heat"])
    assert result.exit_code == 0, result.output
    [path] = (content / "posts").glob("*-heat-or-ice-which-helps.md")
    front = yaml.safe_load(path.read_text().split("---")[1])
    assert front["title"] == "Heat or ice: which helps?"
    assert front["tags"] == ["back pain", "heat"] and front["draft"] is True
    assert runner.invoke(args=["check"]).exit_code == 0  # the skeleton is valid content
    again = runner.invoke(args=["new", "Heat or ice: which helps?"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_new_refuses_a_title_without_letters(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["new", "!!!"])
    assert result.exit_code == 2 and "needs at least one letter" in result.output


def test_comments_moderation(runner: FlaskCliRunner, app: Flask) -> None:
    client = app.test_client()
    for author, text in [("Ann", "First reply here, quite long " * 5), ("Ben", "Second.")]:
        data = {"author": author, "email": "x@example.com", "comment": text, "elapsed": "9"}
        assert client.post("/posts/first-post/comments", data=data).status_code == 303
    listed = runner.invoke(args=["comments", "list"])
    lines = listed.output.splitlines()
    assert len(lines) == 2 and "pending" in lines[0] and "first-post" in lines[0]
    assert "Ann" in lines[0] and "…" in lines[0] and "x@example.com" not in listed.output
    first, second = (line.split()[0] for line in lines)
    assert runner.invoke(args=["comments", "approve", first]).exit_code == 0
    assert runner.invoke(args=["comments", "reject", second]).exit_code == 0
    assert runner.invoke(args=["comments", "list"]).output.strip() == "No pending replies."
    everything = runner.invoke(args=["comments", "list", "--all"]).output
    assert "approved" in everything and "rejected" in everything
    page = client.get("/posts/first-post/").get_data(as_text=True)
    assert "First reply here" in page and "Second." not in page
    assert runner.invoke(args=["comments", "delete", first]).exit_code == 0
    assert "First reply here" not in client.get("/posts/first-post/").get_data(as_text=True)
    missing = runner.invoke(args=["comments", "approve", first])
    assert missing.exit_code == 1 and "no reply with id" in missing.output
