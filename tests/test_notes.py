"""Trace notes by kind: what the engines write, and reading a stored line back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from voxdial.conversation.engine import Action, ActionKind, CallContext
from voxdial.conversation.notes import NoteKind, note, note_kind, parse_note
from voxdial.conversation.script import ScriptEngine

ASSISTANT = {
    "welcome": "Hi, this is Ava from StarNet.",
    "collect": [{"question": "Are you happy with our service?", "answers": ["Yes", "No"]}],
    "knowledge": "We open at nine.",
    "language": "en",
}


@dataclass
class _Passage:
    passage: str


class _Knowledge:
    def __init__(self, found: bool) -> None:
        self.found = found

    def answer(self, question: str, *, topic: str = "") -> _Passage | None:
        return _Passage("We open at nine.") if self.found else None


@pytest.mark.parametrize(
    ("found", "kind"), [(True, NoteKind.KNOWLEDGE_HIT), (False, NoteKind.KNOWLEDGE_MISS)]
)
def test_the_script_notes_a_knowledge_question_by_kind(found: bool, kind: NoteKind) -> None:
    engine = ScriptEngine(encoder=False, knowledge=lambda text: _Knowledge(found))
    context = CallContext(assistant=ASSISTANT, now=datetime(2026, 3, 10, tzinfo=UTC))
    conversation = engine.begin(context)
    conversation.start()
    actions = conversation.hear("When do you open?")
    notes = [a for a in actions if a.kind == ActionKind.NOTE]
    assert [note_kind(a) for a in notes] == [kind]
    # the stored trace line keeps its text form: "<kind>: <question>"
    assert notes[0].text == f"{kind}: When do you open?"
    assert parse_note(notes[0].text) == (kind, "When do you open?")


def test_a_trace_line_reads_back_to_its_kind_and_detail() -> None:
    action = note(NoteKind.LLM_FALLBACK, "timeout: no complete reply within 8 s")
    assert action.kind == ActionKind.NOTE and note_kind(action) is NoteKind.LLM_FALLBACK
    assert parse_note(action.text) == (
        NoteKind.LLM_FALLBACK,
        "timeout: no complete reply within 8 s",
    )
    assert action.text.startswith("llm fallback: ")


@pytest.mark.parametrize("text", ["", "knowledge", "knowledge maybe: x", "hello: world"])
def test_lines_of_no_known_kind_read_as_none(text: str) -> None:
    assert parse_note(text) is None


def test_only_typed_notes_have_a_kind() -> None:
    assert note_kind(Action(ActionKind.NOTE, "knowledge miss: x")) is None
    assert note_kind(Action(ActionKind.HANGUP, result="completed")) is None
    assert note_kind(Action(ActionKind.NOTE, "x", result="no such kind")) is None
