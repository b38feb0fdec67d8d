"""The assistant editor's transfer settings (`taskTransfer`, docs/transfer.md) as form
fields `tt_<key>`, and back.

The form always carries the setting, so it is always written: off is `null` (the
assistant does not transfer), on is the object the API validates. Fields that belong
to bridged transfers only (agent timeout, summary) are sent only with mode `bridged`,
so a blind transfer's body is exactly what the API's blind transfer takes. Nothing is
judged here: the API's schema (`TaskTransfer`) refuses what is wrong, and each error
is shown beside the field it names.
"""

from __future__ import annotations

from typing import Any

MODES = ("blind", "bridged")
WHEN = ("asked", "intentA")  # the callee asks for a person; the call reaches intent A
BRIDGED_ONLY = ("agentTimeoutSeconds", "summary")
DEFAULT_AGENT_TIMEOUT = 30
FIELDS = (
    "tt_enabled",
    "tt_mode",
    "tt_target",
    *(f"tt_when_{w}" for w in WHEN),
    "tt_agentTimeoutSeconds",
    "tt_summary",
)
# keys of the setting an error may name without a location of its own (a cross-field
# check's message); the first one named is where it is shown
_NAMED = ("agentTimeoutSeconds", "summary", "target", "when", "mode")


def values_of(setting: Any) -> dict[str, str]:
    """The form's values for a stored `taskTransfer` (None or an object)."""
    tt = setting if isinstance(setting, dict) else {}
    when = tt.get("when") if isinstance(tt.get("when"), list) else ["asked"]
    timeout = tt.get("agentTimeoutSeconds", DEFAULT_AGENT_TIMEOUT)
    return {
        "tt_enabled": "on" if tt else "",
        "tt_mode": str(tt.get("mode", "blind")),
        "tt_target": str(tt.get("target", "")),
        **{f"tt_when_{w}": "on" if w in when else "" for w in WHEN},
        "tt_agentTimeoutSeconds": str(timeout),
        "tt_summary": "on" if tt.get("summary", True) else "",
    }


def body_of(values: dict[str, str]) -> dict[str, Any] | None:
    """The `taskTransfer` the form stands for: None when off (checkboxes are sent when
    ticked, absent when not)."""
    if not values["tt_enabled"]:
        return None
    mode = values["tt_mode"] or "blind"
    body: dict[str, Any] = {
        "mode": mode,
        "target": values["tt_target"],
        "when": [w for w in WHEN if values[f"tt_when_{w}"]],
    }
    if mode == "bridged":
        body["agentTimeoutSeconds"] = _whole(values["tt_agentTimeoutSeconds"])
        body["summary"] = bool(values["tt_summary"])
    return body


def _whole(text: str) -> Any:
    """A whole number as an integer (the API takes integers strictly); blank is the
    default; anything else is left for the API's schema to name."""
    text = text.strip()
    if not text:
        return DEFAULT_AGENT_TIMEOUT
    if text.isascii() and text.lstrip("-").isdecimal():
        return int(text)
    return text


def error_field(loc: tuple[Any, ...], message: str) -> str:
    """The form field beside which an error of the setting at `loc` (its path inside
    `taskTransfer`) is shown."""
    if loc:
        return f"tt_{loc[0]}"
    named = next((k for k in _NAMED if k in message), "mode")
    return f"tt_{named}"
