"""Front matter of the plainest form, loaded without PyYAML's machinery: exactly what
PyYAML's safe loader would make of it, or None to have PyYAML read it.

Nearly all front matter is a few `key: value` lines with plain or quoted words, dates
and one-line lists. PyYAML's C parser still builds and resolves each node through
Python (about 60 µs a post, a fifth of reading one on a cold start); this reads those
lines directly and types each value with PyYAML's own resolver and constructors, so
that a date, a number, `yes` or `~` come out as PyYAML makes them. Anything else, down
to a tab, a comment after a value, a quote inside quotes or an indented line, is
declined, and the tests hold the two readers equal on what it accepts.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

import yaml
from yaml.nodes import ScalarNode

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
#: The implicit types a plain word can have, and PyYAML's constructor of each.
_TYPED = {
    tag: _CONSTRUCTOR.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:timestamp",
    )
}
#: Characters PyYAML reads as text on one line (its reader refuses other controls, and
#: reads NEL, LS and PS as line breaks); a BOM inside the text is declined too.
_PLAIN_TEXT = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?")
_DOUBLE = re.compile(r'"((?:[^"\\]|\\["\\])*)"')  # of escapes, only \" and \\
_ESCAPED = re.compile(r"\\(.)")
_SINGLE = re.compile(r"'([^']*)'")
#: A plain word: no leading indicator, nothing YAML would read as a comment, a mapping
#: value or (in a list) the list's own punctuation.
_BLOCK_WORD = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^:#]|:(?=\S)|(?<=\S)#)*")
_FLOW_WORD = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^:#,\[\]{}]|:(?=[^\s,\[\]{}])|(?<=\S)#)*")


def quick_load(text: str) -> dict[str, Any] | None:
    """The mapping PyYAML's safe loader makes of `text`, or None when it is not of the
    plain form (see the module's docstring). Raises what PyYAML's constructors raise for
    a value of a known type they cannot make (ValueError for the date 2024-02-30)."""
    if _PLAIN_TEXT.fullmatch(text) is None:
        return None
    found: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line or line[0] == "#":
            continue
        if (matched := _LINE.fullmatch(line.rstrip(" "))) is None:
            return None
        key, value = matched.groups()
        if _key_type(key) != _STR:
            return None
        if (made := _value(value or "")) is _DECLINED:
            return None
        found[key] = made
    # Typed values are made once every line is known to be plain: a file with a bad
    # date and a line PyYAML cannot parse gets PyYAML's parse error, as before.
    for key, made in found.items():
        if isinstance(made, _Typed):
            found[key] = made.make()
        elif isinstance(made, list) and any(isinstance(item, _Typed) for item in made):
            found[key] = [item.make() if isinstance(item, _Typed) else item for item in made]
    return found


class _Typed(NamedTuple):
    """A plain word of an implicit type other than text, made when the text is read."""

    tag: str
    word: str

    def make(self) -> object:
        return _TYPED[self.tag](_CONSTRUCTOR, ScalarNode(self.tag, self.word))


_DECLINED = object()


def _value(value: str) -> object:
    if not value:
        return None
    if value[0] == "[":
        if value[-1] != "]":
            return _DECLINED
        inner = value[1:-1].strip(" ")
        if not inner:
            return []
        items = [_scalar(item.strip(" "), _FLOW_WORD) for item in inner.split(",")]
        if items and items[-1] is _EMPTY:  # a trailing comma ends a list: [a, b,]
            items.pop()
        return _DECLINED if any(i is _DECLINED or i is _EMPTY for i in items) else items
    made = _scalar(value, _BLOCK_WORD)
    return _DECLINED if made is _EMPTY else made


_EMPTY = object()


def _scalar(value: str, word: re.Pattern[str]) -> object:
    if not value:
        return _EMPTY
    if (quoted := _DOUBLE.fullmatch(value)) is not None:
        inner = quoted.group(1)
        return _ESCAPED.sub(r"\1", inner) if "\\" in inner else inner
    if (quoted := _SINGLE.fullmatch(value)) is not None:
        return quoted.group(1)
    if word.fullmatch(value) is None:
        return _DECLINED
    tag = _resolved(value)
    if tag == _STR:
        return value
    return _Typed(tag, value) if tag in _TYPED else _DECLINED


@functools.lru_cache(maxsize=256)
def _key_type(word: str) -> str:
    """A key's type, remembered: front matter uses the same few keys in every file."""
    return _resolved(word)


def _resolved(word: str) -> str:
    return str(_RESOLVER.resolve(ScalarNode, word, (True, False)))  # type: ignore[no-untyped-call]  # PyYAML: untyped
