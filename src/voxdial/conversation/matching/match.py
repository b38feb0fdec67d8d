"""What a matching stage finds (`Match`), what it reads (`Heard`), and how it says that
the reply names several answers or none clearly (`Ambiguous`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class Match:
    index: int
    answer: str
    how: str  # the stage that matched, for the calltrace
    score: float = 1.0


@dataclass
class Heard:
    """One reply as the stages read it: the cleaned text, the clauses that may carry the
    answer, whether clauses turning a choice down were left out of them (`narrowed`),
    and the day it was said (for "tomorrow")."""

    text: str
    parts: list[str]
    narrowed: bool
    today: date
    # every clause, those turning a choice down too (when `narrowed` left them out)
    every: tuple[str, ...] = ()


class Ambiguous(Exception):
    """Raised by a stage that finds the reply names several answers, or none clearly:
    no answer is taken and the engine asks again."""
