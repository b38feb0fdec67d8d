"""Notes: the engine's unspoken lines for the call trace, by kind.

A `NOTE` action's text is the trace line, `"<kind>: <detail>"` (e.g. `"knowledge miss:
what are your hours"`), and its `result` is the `NoteKind`, so code that runs the call
reads the kind without parsing the text. Stored calls keep only the text: `parse_note`
reads a trace line back.
"""

from __future__ import annotations

from enum import StrEnum

from voxdial.conversation.engine import Action, ActionKind


class NoteKind(StrEnum):
    KNOWLEDGE_HIT = "knowledge hit"  # a callee's question the knowledge answered
    KNOWLEDGE_MISS = "knowledge miss"  # one it could not answer (the task insight lists them)
    LLM_FALLBACK = "llm fallback"  # the model's turn failed; the script answered instead


KNOWLEDGE_NOTES = frozenset({NoteKind.KNOWLEDGE_HIT, NoteKind.KNOWLEDGE_MISS})


def note(kind: NoteKind, detail: str) -> Action:
    """A `NOTE` action of `kind`; its text is the trace line."""
    return Action(ActionKind.NOTE, text=f"{kind}: {detail}", result=kind)


def note_kind(action: Action) -> NoteKind | None:
    """The kind of a `NOTE` action (None for other actions and untyped notes)."""
    if action.kind != ActionKind.NOTE or not action.result:
        return None
    try:
        return NoteKind(action.result)
    except ValueError:
        return None


def parse_note(text: str) -> tuple[NoteKind, str] | None:
    """A stored trace line's kind and detail; None when it is no known kind."""
    head, sep, detail = text.partition(": ")
    if not sep:
        return None
    try:
        return NoteKind(head), detail
    except ValueError:
        return None
