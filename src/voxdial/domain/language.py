"""Which language an assistant speaks: one rule, read by voices, listeners and engines."""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


def language_of(config: dict | None) -> Language:
    """An assistant's language: its explicit `language` field when set, else derived from
    the opening line: plain-ASCII text is English, anything else Mandarin."""
    config = config or {}
    explicit = config.get("language")
    if explicit in LANGUAGES:
        return explicit
    return language_from_welcome(config.get("welcome") or "")


def language_from_welcome(welcome: str) -> Language:
    """The default when no language is given: "en" for a non-empty ASCII welcome."""
    return "en" if welcome and welcome.isascii() else "zh"
