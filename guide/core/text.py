"""Text from outside (forms, files) made safe to store, and any text made safe to write out.

Control characters (a vertical tab or a NUL pasted into a note) mean nothing to a reader, and
one of them makes a whole Atom feed invalid XML; PostgreSQL refuses a NUL outright. They are
removed where text comes in, and again where it is written out, so that nothing stored (or
loaded before this check) can break a feed, a calendar, JSON or HTML.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# What no XML 1.0 document may hold (C0 controls but tab and line breaks, surrogates, U+FFFE,
# U+FFFF), and DEL and the C1 controls, which HTML forbids.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# And, where text comes in, the bidirectional embeddings, overrides and isolates: Chinese and
# English need none, and they can make a notice read otherwise than it is stored
# ("closed" shown as "desolc"). Marks (U+200E, U+200F) stay.
_INBOUND = re.compile(_UNSAFE.pattern[:-1] + "\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Text as typed, with line breaks as \\n and without control characters (bidi overrides too)."""
    return _INBOUND.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_texts(texts: dict[str, str] | None) -> dict[str, str]:
    """Text in several languages ({"zh": …, "en": …}) as typed: each cleaned and trimmed, and
    the empty ones left out."""
    return {lang: cleaned for lang, value in (texts or {}).items() if (cleaned := clean_text(value).strip())}


def unsafe_characters(text: str) -> list[str]:
    """The control characters in `text`, as U+XXXX, for a message that names them."""
    return sorted({f"U+{ord(c):04X}" for c in _UNSAFE.findall(text)})


def drop_unsafe(text: str) -> str:
    """For writers: the same text without the characters no format can hold (line breaks kept)."""
    return _UNSAFE.sub("", text)


def drop_unsafe_texts(texts: dict[str, str] | None) -> dict[str, str] | None:
    """drop_unsafe for text in several languages, for writers (JSON) that take the dict whole."""
    return {lang: drop_unsafe(value) for lang, value in texts.items()} if texts is not None else None


# A house number and the word after it ("230号", "2700弄") read as one: a line never breaks inside.
_NUMBER = re.compile("[0-9０-９]+(?:号楼|号|弄|室|幢|栋|楼)?")


def numbers_kept_whole(text: str) -> Markup:
    """`text`, escaped, with every house number wrapped so that a line cannot break inside it
    (an address in large type on a phone must not read "230" on one line and "号" on the next)."""
    out = Markup()
    last = 0
    for found in _NUMBER.finditer(text):
        out += escape(text[last : found.start()]) + Markup('<span class="nowrap">{}</span>').format(found.group())
        last = found.end()
    return out + escape(text[last:])
