"""Keys in the conversation: questions answered with a key, and keys the assistant sends.

Two voxdial extensions of the assistant's config (validated by the API):

- a collect question's `keys` maps keys to its answers, `{"1": "满意", "2": "不满意"}`
  ("满意请按1，不满意请按2"): a press of a mapped key while the question is asked is
  its answer (hit, `message` "key 1"); another key asks again. A question without
  `keys` takes no keys: a press is traced and changes nothing.
- `sendKeys` ("1", "2,1#"): keys the assistant sends when the call is answered, before
  its opening (to get through a menu); `,` waits half a second.

The script engine calls `press` and `accepts` (ScriptConversation.press/accepts_key);
`opening_keys` is the `KEYS` action its start sends.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from voxdial.conversation import intents
from voxdial.conversation.engine import Action, ActionKind, CallContext

if TYPE_CHECKING:
    from voxdial.conversation.script import ScriptConversation


def key_map(question: dict[str, Any]) -> dict[str, str]:
    """A question's keys, upper-cased ("a" is key A)."""
    keys = question.get("keys") or {}
    return {str(k).upper(): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}


def opening_keys(context: CallContext) -> list[Action]:
    """The `KEYS` action of the assistant's `sendKeys`, if it has any."""
    digits = str(context.assistant.get("sendKeys") or "").strip()
    return [Action(ActionKind.KEYS, digits)] if digits else []


def _current(conv: ScriptConversation) -> int | None:
    """The question a key would answer now: the one asked, or the first while the
    opening's question waits for consent."""
    if conv.finished or conv.index >= len(conv.questions):
        return None
    return conv.index


def accepts(conv: ScriptConversation, digit: str) -> bool:
    """Whether `digit` answers the question asked now (a press then interrupts)."""
    index = _current(conv)
    return index is not None and digit.upper() in key_map(conv.questions[index])


def press(conv: ScriptConversation, digit: str) -> list[Action] | None:
    """The engine's turn for a key; None when the question asked takes no keys."""
    index = _current(conv)
    if index is None:
        return None
    keys = key_map(conv.questions[index])
    if not keys:
        return None
    conv.silences = 0
    answer = keys.get(digit.upper())
    if answer is None:
        return conv._reask(index, replace(intents.read(""), hesitation=False))
    conv.consenting = False
    return conv._record(index, answer, True, f"key {digit.upper()}") + conv._ask()
