"""@username mentions in comments: finding them, and cutting a comment into text and mentions so
that the template renders each piece escaped (no markup is ever built from what people type)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Django usernames are letters, digits and @ . + - _; a mention does not end with a full stop
# (the end of a sentence), and an e-mail address in the text ("li@example.com") is no mention.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]*[\w+-])")


def mentioned_usernames(text: str) -> list[str]:
    """The usernames `text` mentions, once each, in order."""
    return list(dict.fromkeys(MENTION.findall(text)))


@dataclass(frozen=True)
class Segment:
    """A piece of a comment: plain text, or the mention of `person` (shown by name)."""

    text: str
    person: object | None = None


def segments(text: str, people: Mapping[str, object]) -> list[Segment]:
    """`text` cut into plain pieces and the mentions of `people` (by username); a mention of
    anyone else stays plain text."""
    pieces: list[Segment] = []
    start = 0
    for match in MENTION.finditer(text):
        person = people.get(match.group(1))
        if person is None:
            continue
        if match.start() > start:
            pieces.append(Segment(text[start : match.start()]))
        pieces.append(Segment(match.group(0), person))
        start = match.end()
    if start < len(text):
        pieces.append(Segment(text[start:]))
    return pieces
