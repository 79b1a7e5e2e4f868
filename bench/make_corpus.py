"""Build a benchmark corpus of real text: blog posts made from Debian's FOLDOC and GCIDE.

    python bench/make_corpus.py COUNT OUTDIR [--seed 1] [--words 600] [--cache DIR] [--force]

The dictionaries come from the Debian packages dict-foldoc and dict-gcide, fetched with
`apt-get download` into the cache and unpacked there with `dpkg -x`; nothing they produce
is meant to be committed. The same seed, word target and package versions always give
the same corpus.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DEFAULT_CACHE = Path(__file__).resolve().parent / "work" / "debs"
# Dictionary name (as in <name>.index) and the Debian package that ships it.
PACKAGES = {"foldoc": "dict-foldoc", "gcide": "dict-gcide"}
DICTD = Path("usr/share/dictd")
MIN_WORDS = 15
# Paragraphs shorter than this are leftovers of stripped markup ("Usenet newsgroups:").
MIN_PARAGRAPH_WORDS = 3
FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2025, 12, 31)
SLUG_MAX = 60

# Most common first: a tag's weight falls off as 1/rank, so the tag cloud has a few
# big tags and a long tail, as real blogs do.
TAGS = (
    "programming",
    "networking",
    "history",
    "hardware",
    "programming languages",
    "unix",
    "jargon",
    "operating systems",
    "etymology",
    "databases",
    "internet",
    "mathematics",
    "security",
    "standards",
    "software engineering",
    "web",
    "algorithms",
    "storage",
    "protocols",
    "graphics",
    "compilers",
    "theory",
    "linguistics",
    "processors",
    "electronics",
    "telecoms",
    "artificial intelligence",
    "file formats",
    "open source",
    "companies",
    "people",
    "lexicography",
    "usenet",
    "logic",
    "testing",
    "games",
    "humour",
    "architecture",
    "words",
    "culture",
)
TAG_WEIGHTS = tuple(1.0 / rank for rank in range(1, len(TAGS) + 1))
TAG_COUNT_WEIGHTS = (0.35, 0.45, 0.2)  # how often a post has 1, 2 or 3 tags

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_VALUE = {ch: i for i, ch in enumerate(_B64)}

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Control and format characters (and lone surrogates) that YAML or a browser would reject
# or hide; a regex rather than str.isprintable, which is slow character by character.
_INVISIBLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    r"\ud800-\udfff\ufeff\ufff0-\uffff]"
)
_PARENS_LEFT = re.compile(r"\(\s*[,;]?\s*\)")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?])")  # on text whose whitespace is collapsed
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])")

# FOLDOC: "<language>" or "<networking, standard>" subject labels, e-mail addresses,
# "{text (url)}" links and bare URLs are markup or addresses, not prose.
_FOLDOC_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")
_FOLDOC_SOURCE = re.compile(r"\[.*\]\.?")
# Labels open a paragraph or a numbered sense; elsewhere "<p>" is an HTML example.
_FOLDOC_LABEL = re.compile(r"\A(\s*(?:\d+\.\s+)?)<[a-z][a-z0-9 ,'/&-]*>")
_FOLDOC_EMAIL = re.compile(r"<[^<>\s]+[@!][^<>\s]+>")
# "/roo't*/": a pronunciation at the start of the definition.
_FOLDOC_PRONUNCIATION = re.compile(r"\A\s*/[^/\s][^/\n]*/\s")
_FOLDOC_LINK = re.compile(r"\{([^{}]*?)\s*\(([^()\s]*[/:.][^()\s]*)\)\s*\}")
_URL = re.compile(r"(?:https?|ftp|gopher|telnet|wais)://\S+|\bnews:")

# GCIDE: a header of headword, "\pro*nun"ci*a`tion\", "(respelling)" and part of
# speech, then prose sprinkled with "[ae]" character codes, "[Obs.]" and
# "[1913 Webster]" labels, bracketed etymologies and "--Shak." citations.
_GCIDE_HEAD = re.compile(
    # (No backslashes in these comments: the regex parser would join the next line.)
    r"""\A[^\\\n]*\\[^\\\n]*\\                 # headword and its pronunciation
        (?:\s*,?\s*(?:or\s+)?[^\\\n,]*\\[^\\\n]*\\)*  # variant spellings, each pronounced
        \s*(?:\([^()\n]*\))?                  # (respelling)
        [\s,;]*(?:(?:pl\.\s*\{[^{}]*\}\.?|[a-z]{1,6}\.|&)[\s,;]*)*  # n.; pl. {Plurals}. v. t.
    """,
    re.VERBOSE,
)
# The conversion left the next entry's headword after the last sentence or the closing
# "[1913 Webster]" label: "been discontinued. Dauphiness", "[1913 Webster] Drawing knife".
_GCIDE_LEAKED_HEADWORD = re.compile(r"([.\]])[ \t]+[A-Z][^\s.,;\]]*(?: [a-z][^\s.,;\]]*)?\s*\Z")
# A citation runs to the end of its line, wrapping onto far-indented lines.
_GCIDE_CITATION = re.compile(r"--[A-Z][^\n]*(?:\n {30,}\S[^\n]*)*")
_GCIDE_CODE = re.compile(r"\[([^\[\]\s]{1,8})\]")
_GCIDE_BRACKETED = re.compile(r"\[[^\[\]]*\]")
_GCIDE_PRONUNCIATION = re.compile(r"\\[^\\\n]*\\")
# Stress marks inside a word ("Ir`re*fran"gi*ble"). Matching the mark first and looking
# behind afterwards is several times faster than a leading lookbehind.
_GCIDE_STRESS = re.compile(r"[*`\"](?<=\w[*`\"])(?=\w)")
_GCIDE_ACCENT = re.compile(r"([\^=~'`\".,\-*])([A-Za-z]{1,2})|([A-Za-z]{1,2})\^")
_GCIDE_NAMED = {
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "deg": "°",
    "sect": "§",
    "pounds": "£",
    "eth": "ð",
    "thorn": "þ",
    "yogh": "ȝ",
    "ng": "ng",
    "th": "th",
    "add": "a",
    "asl": "a",
    "udd": "u",
    "imac": "i",
    "alpha": "α",
    "beta": "β",
    "pi": "π",
    "phi": "φ",
    "Delta": "Δ",
    "Upsilon": "Υ",
    "frac12": "½",
    "frac14": "¼",
}
# Marks that are real accents in prose (café, naïve, señor); GCIDE's other marks only
# show vowel length in respellings, so their letter stands alone.
_GCIDE_COMBINING = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "~": "\u0303", ",": "\u0327"}

# Markdown would read these as emphasis, code, links or attribute lists. "<" (raw HTML)
# has no backslash escape in Python-Markdown, so it becomes an entity instead.
_MD_INLINE = re.compile(r"([\\`*_\[\]{}])")
# At the start of a paragraph these would open a heading, quote or bullet list.
_MD_BLOCK_START = re.compile(r"[#>+-]")


class CorpusError(Exception):
    """The dictionaries could not be fetched or read."""


@dataclass(frozen=True)
class Entry:
    """One dictionary entry as prose: its headword and plain-text paragraphs."""

    headword: str
    paragraphs: tuple[str, ...]
    words: tuple[int, ...]


Cleaner = Callable[[str, str], tuple[str, list[str]] | None]


class Dictionary:
    """A dictd database: entries are cleaned on first use, so GCIDE's 200,000 cost little."""

    def __init__(self, data: bytes, spans: list[tuple[str, int, int]], clean: Cleaner) -> None:
        self._data = data
        self._spans = spans
        self._clean = clean
        self._cache: dict[int, Entry | None] = {}

    def __len__(self) -> int:
        return len(self._spans)

    def entry(self, i: int) -> Entry | None:
        """Entry number i, or None when it is too short once its markup is gone."""
        if i in self._cache:
            return self._cache[i]
        headword, offset, length = self._spans[i]
        raw = self._data[offset : offset + length]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # A few GCIDE entries carry stray Windows-1252 bytes (curly apostrophes).
            text = raw.decode("cp1252", errors="replace")
        cleaned = self._clean(text, headword)
        entry = None
        if cleaned is not None:
            head, paragraphs = cleaned
            kept = [p for p in paragraphs if len(p.split()) >= MIN_PARAGRAPH_WORDS]
            counts = tuple(len(p.split()) for p in kept)
            if head and sum(counts) >= MIN_WORDS:
                entry = Entry(head, tuple(kept), counts)
        self._cache[i] = entry
        return entry


def dictd_number(digits: str) -> int:
    """Decode a dictd index offset or length (base 64, most significant digit first)."""
    value = 0
    for ch in digits:
        value = value * 64 + _B64_VALUE[ch]
    return value


def _plain(text: str) -> str:
    """Whitespace collapsed, control characters gone and leftover punctuation tidied."""
    text = " ".join(_INVISIBLE.sub(" ", text).split())
    text = _PARENS_LEFT.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return " ".join(text.split())


def _unbrace(text: str) -> str:
    """Cross-references "{like this}" read as plain words."""
    return text.replace("{", "").replace("}", "")


def clean_foldoc(raw: str, index_headword: str) -> tuple[str, list[str]] | None:
    """FOLDOC entry to (headword, paragraphs): labels, links, addresses and dates removed."""
    blocks = _BLANK_LINE.split(raw.strip("\n"))
    # The first block lists the headword and its aliases, one a line; the first is
    # the properly capitalised name ("ALGOL 60", "Unix"), the index has it lowercased.
    headword = _plain(blocks[0].split("\n", 1)[0]) or index_headword
    paragraphs: list[str] = []
    for block in blocks[1:]:
        text = _FOLDOC_LABEL.sub(r"\1", block)
        text = _FOLDOC_PRONUNCIATION.sub("", text)
        text = _FOLDOC_EMAIL.sub("", text)
        text = _FOLDOC_LINK.sub(r"\1", text)
        text = _URL.sub("", text)
        text = _plain(_unbrace(text))
        # "(1995-01-25)" is the entry's last-edited stamp; "[Jargon File]" a source.
        if _FOLDOC_DATE.fullmatch(text) or _FOLDOC_SOURCE.fullmatch(text):
            continue
        paragraphs.append(text)
    return headword, paragraphs


def _gcide_code(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in _GCIDE_NAMED:
        return _GCIDE_NAMED[code]
    accent = _GCIDE_ACCENT.fullmatch(code)
    if accent is None:
        return match.group(0)  # a label such as [Obs.]: removed with the other brackets
    mark, letters, short = accent.groups()
    if short is not None:
        return short
    return unicodedata.normalize("NFC", letters + _GCIDE_COMBINING.get(mark, ""))


def clean_gcide(raw: str, index_headword: str) -> tuple[str, list[str]] | None:
    """GCIDE entry to (headword, paragraphs): header, codes, labels and citations removed."""
    first_line = raw.split("\n", 1)[0]
    if "\\" not in first_line:
        # Without a "\pronunciation\" header it is a stray quotation or fragment.
        return None
    headword = _plain(first_line.split("\\", 1)[0]).rstrip(",") or index_headword
    text = _GCIDE_LEAKED_HEADWORD.sub(r"\1", raw)
    text = _GCIDE_HEAD.sub("", text, count=1)
    text = _GCIDE_CITATION.sub("", text)
    text = _GCIDE_CODE.sub(_gcide_code, text)
    # Etymologies nest codes and labels in brackets: strip innermost first until none.
    previous = None
    while previous != text:
        previous, text = text, _GCIDE_BRACKETED.sub("", text)
    text = _GCIDE_PRONUNCIATION.sub("", text).replace("\\", "")
    text = _GCIDE_STRESS.sub("", _unbrace(text))
    # A header cut short ("n.; pl. Hospitalities.") leaves punctuation at the start.
    return headword, [_plain(block).lstrip(";,:. ") for block in _BLANK_LINE.split(text)]


def _inline(text: str) -> str:
    return _MD_INLINE.sub(r"\\\1", text).replace("<", "&lt;")


def _markdown(text: str) -> str:
    """Plain text as one Markdown paragraph that renders back to the same text."""
    text = _inline(text)
    if _MD_BLOCK_START.match(text):
        text = "\\" + text
    return text


def _heading(text: str) -> str:
    text = _inline(text)
    # A trailing "#" (as in "C#") would be read as a closing marker and dropped.
    if text.endswith("#"):
        text = text[:-1] + "\\#"
    return "## " + text


def ensure_data(cache: Path) -> Path:
    """Fetch and unpack the dictionary packages into cache unless already there."""
    dictd = cache / "root" / DICTD
    missing = [
        package
        for name, package in PACKAGES.items()
        if not (dictd / f"{name}.index").is_file() or not (dictd / f"{name}.dict.dz").is_file()
    ]
    if not missing:
        return dictd
    cache.mkdir(parents=True, exist_ok=True)
    updated = False
    for package in missing:
        deb = _find_deb(cache, package)
        if deb is None:
            print(f"fetching {package} with apt-get download", file=sys.stderr)
            ok, output = _run(["apt-get", "download", package], cache)
            if not ok and not updated:
                # A fresh machine has no package lists yet: read them once, then retry.
                updated = True
                ok, update_output = _run(["apt-get", "update", "-qq"], cache)
                if not ok:
                    raise CorpusError(f"apt-get update failed:\n{update_output}")
                ok, output = _run(["apt-get", "download", package], cache)
            deb = _find_deb(cache, package)
            if not ok or deb is None:
                raise CorpusError(f"apt-get download {package} failed:\n{output}")
        ok, output = _run(["dpkg", "-x", str(deb), str(cache / "root")], cache)
        if not ok:
            raise CorpusError(f"dpkg -x {deb} failed:\n{output}")
    return dictd


def _find_deb(cache: Path, package: str) -> Path | None:
    debs = sorted(cache.glob(f"{package}_*.deb"))
    return debs[-1] if debs else None


def _run(command: list[str], cwd: Path) -> tuple[bool, str]:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        return False, str(e)
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def load_dictionary(dictd: Path, name: str, clean: Cleaner) -> Dictionary:
    """Read <name>.index and <name>.dict.dz; dictd's own 00-database entries are skipped."""
    try:
        # dictzip is gzip with a random-access table in an extra field gzip ignores.
        with gzip.open(dictd / f"{name}.dict.dz") as f:
            data = f.read()
        index = (dictd / f"{name}.index").read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise CorpusError(f"cannot read the {name} dictionary: {e}") from e
    spans: list[tuple[str, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for line in index.splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or fields[0].startswith(("00-database", "00database")):
            continue
        try:
            span = (dictd_number(fields[1]), dictd_number(fields[2]))
        except KeyError:
            continue
        # Aliases ("coax", "coaxial cable") point at the same text: keep it once.
        if span not in seen:
            seen.add(span)
            spans.append((fields[0], *span))
    return Dictionary(data, spans, clean)


def _package_version(cache: Path, package: str) -> str:
    """The unpacked package's version, from the first line of its Debian changelog."""
    changelog = cache / "root" / "usr/share/doc" / package / "changelog.Debian.gz"
    try:
        with gzip.open(changelog, "rt", encoding="utf-8") as f:
            first = f.readline()
    except OSError:
        return "unknown version"
    match = re.match(r"\S+ \(([^)]+)\)", first)
    return match.group(1) if match else "unknown version"


def title_case(headword: str) -> str:
    """Capitalise a lowercase headword ("coaxial cable"), leave "iPod" or "ALGOL 60" alone."""
    first = headword.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return headword[0].upper() + headword[1:]
    return headword


def slugify(text: str) -> str:
    """Lowercase ASCII letters and digits joined by '-', at most 60 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
    return slug[:SLUG_MAX].strip("-") or "entry"


def first_sentence(text: str, min_words: int = 6) -> str:
    """The opening sentence of text, joined with the next while shorter than min_words."""
    sentence = ""
    for piece in _SENTENCE_END.split(text):
        sentence = f"{sentence} {piece}".strip()
        if len(sentence.split()) >= min_words:
            break
    return sentence


def _pick_tags(rng: random.Random) -> list[str]:
    count = rng.choices((1, 2, 3), weights=TAG_COUNT_WEIGHTS)[0]
    tags: list[str] = []
    while len(tags) < count:
        tag = rng.choices(TAGS, weights=TAG_WEIGHTS)[0]
        if tag not in tags:
            tags.append(tag)
    return tags


def _take(entry: Entry, budget: int) -> tuple[list[str], int]:
    """The entry's paragraphs that fit in budget words; always at least the first one."""
    taken: list[str] = []
    used = 0
    for paragraph, words in zip(entry.paragraphs, entry.words, strict=True):
        if taken and used + words > budget:
            break
        taken.append(paragraph)
        used += words
    return taken, used


def _post(
    n: int,
    lead: Entry,
    part: int,
    rng: random.Random,
    sources: Sequence[Dictionary],
    words: int,
) -> tuple[str, str, int]:
    """One post: its file name, its text and its word count."""
    title = title_case(lead.headword) + (f" (part {part})" if part > 1 else "")
    lead_paragraphs, total = _take(lead, words)
    total += len(title.split())
    # Appended entries: at least one per section, more until the word target is met.
    chosen: list[tuple[Entry, list[str]]] = []
    used_headwords = {lead.headword}
    while len(chosen) < 3 or total < words:
        source = sources[rng.randrange(len(sources))]
        entry = source.entry(rng.randrange(len(source)))
        if entry is None or entry.headword in used_headwords:
            continue
        used_headwords.add(entry.headword)
        paragraphs, used = _take(entry, words - total)
        chosen.append((entry, paragraphs))
        total += used
    sections = min(rng.randint(3, 5), len(chosen))
    body = ["\n\n".join(_markdown(p) for p in lead_paragraphs)]
    for s in range(sections):
        group = chosen[s * len(chosen) // sections : (s + 1) * len(chosen) // sections]
        body.append(_heading(title_case(group[0][0].headword)))
        total += len(group[0][0].headword.split())
        body.extend(_markdown(p) for _, paragraphs in group for p in paragraphs)

    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    # json.dumps writes a double-quoted string (or a flow list) that is valid YAML too.
    front = [
        "---",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"date: {day.isoformat()}",
        f"tags: {json.dumps(_pick_tags(rng), ensure_ascii=False)}",
    ]
    if n % 4 == 0:
        summary = _markdown(first_sentence(lead.paragraphs[0]))
        front.append(f"summary: {json.dumps(summary, ensure_ascii=False)}")
    front.append("---")
    name = f"{day.isoformat()}-{slugify(lead.headword)}-{n}.md"
    return name, "\n".join(front) + "\n\n" + "\n\n".join(body) + "\n", total


def _write_site(outdir: Path, count: int, seed: int, words: int, versions: dict[str, str]) -> None:
    """site.yml, the about page and a colophon naming the sources and their licences."""
    (outdir / "pages").mkdir(parents=True, exist_ok=True)
    (outdir / "site.yml").write_text(
        'title: "Benchmark corpus"\ntimezone: UTC\nlanguage: en\n', encoding="utf-8"
    )
    summary = (
        "A generated corpus of real dictionary text, used to measure how the site "
        "behaves with thousands of posts."
    )
    (outdir / "about.md").write_text(
        f"---\ntitle: {json.dumps('About this corpus')}\nsummary: {json.dumps(summary)}\n---\n\n"
        "Every post on this site was assembled by a script from two free dictionaries: "
        "the Free On-line Dictionary of Computing (FOLDOC) and the Collaborative "
        "International Dictionary of English (GCIDE), as Debian packages them for the "
        "dictd server. Each post opens with one computing entry and continues with "
        "further entries from both dictionaries, so the words, sentence lengths and "
        "vocabulary are those of real reference prose even though the posts themselves "
        "say nothing in particular. The dates, tags and titles are chosen at random "
        "from a fixed seed, so the same corpus can be rebuilt exactly whenever the "
        "site's speed needs measuring again.\n",
        encoding="utf-8",
    )
    (outdir / "pages" / "colophon.md").write_text(
        f"---\ntitle: {json.dumps('Colophon')}\n---\n\n"
        f"This corpus holds {count} posts of about {words} words each, built with seed "
        f"{seed} by `bench/make_corpus.py`.\n\n"
        "## Sources\n\n"
        f"- FOLDOC, from the Debian package dict-foldoc {versions['dict-foldoc']}, "
        "edited by Denis Howe and distributed under the GNU Free Documentation License.\n"
        f"- GCIDE, from the Debian package dict-gcide {versions['dict-gcide']}, based on "
        "Webster's Revised Unabridged Dictionary (1913) and WordNet, distributed under "
        "the GNU General Public License.\n\n"
        "Cross-reference braces, subject labels, pronunciations, etymologies and "
        "citations were removed so that only the prose remains.\n",
        encoding="utf-8",
    )


def build_corpus(
    count: int,
    outdir: Path,
    *,
    seed: int = 1,
    words: int = 600,
    cache: Path = DEFAULT_CACHE,
    force: bool = False,
) -> int:
    """Write count posts and the site files into outdir; return the posts' total words."""
    posts_dir = outdir / "posts"
    if posts_dir.is_dir() and any(posts_dir.iterdir()):
        if not force:
            raise FileExistsError(f"{posts_dir} is not empty (use --force to replace it)")
        shutil.rmtree(posts_dir)
    dictd = ensure_data(cache)
    foldoc = load_dictionary(dictd, "foldoc", clean_foldoc)
    gcide = load_dictionary(dictd, "gcide", clean_gcide)
    leads = [entry for i in range(len(foldoc)) if (entry := foldoc.entry(i)) is not None]
    if not leads:
        raise CorpusError("no usable FOLDOC entries")
    random.Random(seed).shuffle(leads)

    posts_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    for n in range(1, count + 1):
        part, position = divmod(n - 1, len(leads))
        # Each post draws from its own generator, so post n is the same whatever COUNT is.
        rng = random.Random(f"{seed}/{n}")
        name, text, post_words = _post(n, leads[position], part + 1, rng, (foldoc, gcide), words)
        (posts_dir / name).write_text(text, encoding="utf-8")
        total += post_words
    versions = {package: _package_version(cache, package) for package in PACKAGES.values()}
    _write_site(outdir, count, seed, words, versions)
    return total


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: parse arguments, build the corpus, print one summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("count", type=int, metavar="COUNT", help="number of posts")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="content folder to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--words", type=int, default=600, help="words per post (default 600)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="where the .deb files are downloaded and unpacked (default bench/work/debs)",
    )
    parser.add_argument("--force", action="store_true", help="replace OUTDIR/posts")
    args = parser.parse_args(argv)
    if args.count < 0 or args.words < 1:
        parser.error("COUNT must be at least 0 and --words at least 1")
    started = time.perf_counter()
    try:
        total = build_corpus(
            args.count,
            args.outdir,
            seed=args.seed,
            words=args.words,
            cache=args.cache,
            force=args.force,
        )
    except FileExistsError as e:
        print(f"make_corpus: {e}", file=sys.stderr)
        return 2
    except CorpusError as e:
        print(f"make_corpus: {e}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(f"wrote {args.count} posts ({total} words) to {args.outdir} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
