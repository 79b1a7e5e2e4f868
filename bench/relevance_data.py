"""Judged sets for bench/relevance.py: Debian's manual pages as a known-item set, and
questions with judged answers over the sample site in content/.

Manual pages: `apt-get download manpages manpages-dev` and `dpkg -x` into bench/work/
(relevance.py does it). Each page becomes a post (its sections as `##` headings); the
NAME line's description ("duplicate a file descriptor") is the query and that page the
one answer, with the NAME section left out of the post, so the words must be found in
the page's own text. Descriptions shared by two pages are not used.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
MANROOT = WORK / "manroot" / "usr" / "share" / "man"
_HEADING = re.compile(r"^[A-Z][A-Z0-9 ,/_-]*$")
_ESCAPED = re.compile(r"([\\`*_{}\[\]()#+!|>-])")

Judged = dict[str, dict[str, int]]  # query -> {url: grade}


@dataclass(frozen=True)
class Collection:
    """Documents as a content folder, and the queries with their judged answers."""

    name: str
    content: Path
    judged: Judged


def fetch_manpages() -> Path:
    """Debian's manpages and manpages-dev, unpacked under bench/work/ (once)."""
    if not MANROOT.is_dir():
        debs = WORK / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "manpages", "manpages-dev"], cwd=debs, check=True)
        for deb in debs.glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(deb), str(WORK / "manroot")], check=True)
    return MANROOT


def _as_text(path: Path) -> str:
    """A manual page formatted by groff as plain text (no hyphenation, long lines)."""
    source = gzip.decompress(path.read_bytes())
    if source.lstrip().startswith(b".so "):
        return ""  # an alias of another page
    done = subprocess.run(
        ["groff", "-t", "-man", "-Tutf8", "-rHY=0", "-rLL=300n", "-P-cbou"],
        input=source,
        capture_output=True,
        check=False,
    )
    return done.stdout.decode("utf-8", "replace")


def _markdown(text: str) -> tuple[str, str, str]:
    """(names, description, Markdown body without the NAME section) of a formatted page."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines()[1:-1]:  # the running header and footer
        if _HEADING.match(line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line.strip())
    if not sections or sections[0][0] != "NAME":
        return "", "", ""
    name_line = " ".join(" ".join(sections[0][1]).split())
    names, _, description = name_line.partition(" - ")
    blocks = []
    for heading, lines in sections[1:]:
        blocks.append(f"## {heading.title()}")
        paragraphs = "\n".join(lines).split("\n\n")
        for paragraph in paragraphs:
            words = " ".join(paragraph.split())
            if words:
                blocks.append(_ESCAPED.sub(r"\\\1", words).replace("<", "&lt;"))
    return names.strip(), description.strip(), "\n\n".join(blocks)


def manpages(limit_queries: int = 600) -> Collection:
    """The known-item set: one post per page, its NAME description as the query."""
    content = WORK / "relevance" / "manpages" / "content"
    judged_file = content.parent / "judged.json"
    if not judged_file.exists():
        pages = sorted(p for p in fetch_manpages().glob("man[1-8]/*.gz"))
        with ThreadPoolExecutor(2) as pool:
            texts = list(pool.map(_as_text, pages))
        shutil.rmtree(content, ignore_errors=True)
        (content / "posts").mkdir(parents=True)
        (content / "site.yml").write_text("title: Manual\nbase_url: http://localhost\n")
        found: dict[str, list[str]] = {}
        for n, (page, text) in enumerate(zip(pages, texts, strict=True)):
            names, description, body = _markdown(text)
            if not names or not body:
                continue
            slug = re.sub(r"[^a-z0-9]+", "-", page.name.removesuffix(".gz").lower()).strip("-")
            section = page.parent.name.removeprefix("man")
            front = {
                "title": f"{names} ({section})",
                "date": f"2024-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}",
            }
            header = "\n".join(f"{k}: {json.dumps(v)}" for k, v in front.items())
            (content / "posts" / f"{slug}.md").write_text(f"---\n{header}\n---\n\n{body}\n")
            found.setdefault(description.lower(), []).append(f"/posts/{slug}/")
        unique = {q: urls[0] for q, urls in found.items() if len(urls) == 1 and len(q.split()) > 1}
        # Every n-th, so the set spans all sections of the manual.
        step = max(1, len(unique) // limit_queries)
        judged = {q: {url: 1} for q, url in sorted(unique.items())[::step][:limit_queries]}
        judged_file.write_text(json.dumps(judged, indent=1))
    return Collection("manpages", content, json.loads(judged_file.read_text()))


def sample_site() -> Collection:
    """Questions a visitor might ask of the sample site, judged by reading its articles:
    2 answers the question, 1 helps."""
    content = WORK / "relevance" / "site" / "content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(ROOT / "content", content)
    return Collection("site", content, SITE_QUESTIONS)


def _p(slug: str) -> str:
    return f"/posts/{slug}/"


WALK, DESK, SLEEP = (
    _p("walking-for-lower-back-pain"),
    _p("desk-setup-for-a-healthier-back"),
    _p("sleep-and-back-pain"),
)
DOCTOR, MIND = _p("when-to-see-a-doctor-about-back-pain"), _p("mental-health-and-chronic-back-pain")
SCIATICA, MINDFUL = _p("sciatica-explained"), _p("mindfulness-for-chronic-pain")
STRESS, PACING = _p("stress-and-muscle-tension"), _p("pacing-with-chronic-pain")
MYTHS, PHYSIO = _p("posture-myths"), _p("what-to-expect-at-physiotherapy")
STRENGTH = _p("strength-training-after-an-injury")
CONTACT, PRIVACY, ABOUT = "/contact/", "/privacy/", "/about/"

SITE_QUESTIONS: Judged = {
    "is walking good for lower back pain": {WALK: 2, STRENGTH: 1},
    "how should I set up my desk chair and monitor to avoid back ache": {DESK: 2, MYTHS: 1},
    "what sleeping position is best when my back hurts": {SLEEP: 2},
    "why does a bad night's sleep make my pain feel worse": {SLEEP: 2, MIND: 1},
    "what are the warning signs that back pain is something serious": {DOCTOR: 2, SCIATICA: 1},
    "when should I get urgent help for back pain": {DOCTOR: 2, SCIATICA: 1, CONTACT: 1},
    "how are anxiety and depression connected to chronic back pain": {
        MIND: 2,
        MINDFUL: 1,
        PACING: 1,
    },
    "why does pain shoot down my leg": {SCIATICA: 2},
    "how long does sciatica usually last": {SCIATICA: 2},
    "will I need surgery or injections for sciatica": {SCIATICA: 2},
    "what is mindfulness and can it help with pain": {MINDFUL: 2, MIND: 1},
    "a short breathing practice to try": {MINDFUL: 2, STRESS: 1},
    "why are my shoulders so tight when I am stressed": {STRESS: 2},
    "how do I release muscle tension": {STRESS: 2},
    "what is the boom and bust cycle": {PACING: 2},
    "how do I pace my activities on good and bad days": {PACING: 2, WALK: 1},
    "is slouching bad for your spine": {MYTHS: 2, DESK: 1},
    "should I always lift with a straight back": {MYTHS: 2, STRENGTH: 1},
    "does a weak core cause back pain": {MYTHS: 2, STRENGTH: 1},
    "what happens at my first physio appointment": {PHYSIO: 2, DOCTOR: 1},
    "what should I wear to a physiotherapy session": {PHYSIO: 2},
    "how do I start strength training after an injury": {STRENGTH: 2, PHYSIO: 1},
    "how quickly should I add weight when rebuilding strength": {STRENGTH: 2},
    "how can I book an appointment with the clinic": {CONTACT: 2, PHYSIO: 1},
    "what are your opening hours": {CONTACT: 2},
    "what do you do with my email address when I leave a reply": {PRIVACY: 2},
    "how long do you keep my comment": {PRIVACY: 2},
    "who works at the clinic": {ABOUT: 2, CONTACT: 1},
    "working from a laptop without a sore neck": {DESK: 2},
    "cognitive behavioural therapy for chronic pain": {MIND: 2, PACING: 1, MINDFUL: 1},
    "getting in and out of bed with back pain": {SLEEP: 2},
    "does walking still count as exercise if it hurts a little": {WALK: 2},
    "is there one correct posture for sitting": {MYTHS: 2, DESK: 2},
    "ways to stop stress making my pain worse": {STRESS: 2, MIND: 1, MINDFUL: 1},
}
