"""The assistant editor's form <-> the API's AssistantCreate / AssistantUpdate.

Lists are edited as text, one item a line:
- questions: `question | answer, answer, ... | 1=answer, 2=answer` (commas, Chinese commas
  or 、 between answers; the keys that answer the question, optional, last)
- hot words: `word | weight | replaced word, ... | fuzzy` (weight, replaced words and the
  word `fuzzy` optional)
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from voxdial.api.schemas import AssistantCreate, AssistantUpdate
from voxdial.api.schemas.assistants import AnswerDetection
from voxdial.web import transfer_form

_SPLIT = re.compile(r"\s*[,，、]\s*")
TEXT_FIELDS = ("name", "welcome", "prompt", "objective", "knowledge", "timeZone")
# answerDetection (api/schemas/assistants.py:AnswerDetection): form field `ad_<key>`
AD_LIMITS = (
    "afterGreetingSilenceMs",
    "maxGreetingMs",
    "machineLimitMs",
    "totalLimitMs",
    "beepWaitMs",
)
AD_FIELDS = ("ad_enabled", "ad_onVoicemail", "ad_voicemailMessage", *(f"ad_{k}" for k in AD_LIMITS))


def collect_text(collect: list[dict[str, Any]]) -> str:
    lines = []
    for c in collect:
        line = c["question"]
        keys = c.get("keys") or {}
        if c.get("answers") or keys:
            line += " | " + ", ".join(c.get("answers") or [])
        if keys:
            line += " | " + ", ".join(f"{k}={v}" for k, v in keys.items())
        lines.append(line)
    return "\n".join(lines)


def hot_words_text(words: list[dict[str, Any]]) -> str:
    lines = []
    for w in words:
        parts = [w["word"], str(w.get("weight", 5))]
        if w.get("replacedWords") or w.get("enableFuzzyMatch"):
            parts.append(", ".join(w.get("replacedWords") or []))
        if w.get("enableFuzzyMatch"):
            parts.append("fuzzy")
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def values_of(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The form's values for an assistant version."""
    i = config.get("interruption") or {}
    return {
        "name": name,
        "scene": config.get("scene", "outbound_collect"),
        "language": config.get("language") or "",
        "speakerId": str(config.get("speakerId", 1)),
        "listenerId": str(config.get("listenerId", 1)),
        "welcome": config.get("welcome", ""),
        "prompt": config.get("prompt", ""),
        "objective": config.get("objective", ""),
        "collect": collect_text(config.get("collect") or []),
        "knowledge": config.get("knowledge", ""),
        "hotWords": hot_words_text(config.get("hotWords") or []),
        "llmId": str(config.get("llmId", 0)),
        "timeZone": config.get("timeZone", ""),
        "method": i.get("method", "talk_over"),
        "uninterruptibleMs": str(i.get("uninterruptibleMs", 1500)),
        "talkOverThresholdMs": str(i.get("talkOverThresholdMs", 500)),
        **_answer_values(config.get("answerDetection") or {}),
        **transfer_form.values_of(config.get("taskTransfer")),
    }


def _answer_values(ad: dict[str, Any]) -> dict[str, str]:
    defaults = AnswerDetection()
    out = {
        "ad_enabled": "on" if ad.get("enabled", defaults.enabled) else "",
        "ad_onVoicemail": str(ad.get("onVoicemail", defaults.onVoicemail)),
        "ad_voicemailMessage": str(ad.get("voicemailMessage", defaults.voicemailMessage)),
    }
    for k in AD_LIMITS:
        out[f"ad_{k}"] = str(ad.get(k, getattr(defaults, k)))
    return out


def read_values(form: Any) -> dict[str, str]:
    keys = (
        *TEXT_FIELDS,
        "scene",
        "language",
        "speakerId",
        "listenerId",
        "collect",
        "hotWords",
        "llmId",
        "method",
        "uninterruptibleMs",
        "talkOverThresholdMs",
        *AD_FIELDS,
        *transfer_form.FIELDS,
    )
    out = {}
    for k in keys:
        v = form.get(k, "")
        out[k] = v[:200_000] if isinstance(v, str) else ""
    return out


def _collect(text: str) -> list[dict[str, Any]]:
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        question, _, rest = line.partition("|")
        answers, _, keys = rest.partition("|")
        item: dict[str, Any] = {
            "question": question.strip(),
            "answers": [a for a in _SPLIT.split(answers.strip()) if a] if answers.strip() else [],
        }
        if keys.strip():
            pairs = [p.partition("=") for p in _SPLIT.split(keys.strip()) if p]
            item["keys"] = {k.strip(): v.strip() for k, _, v in pairs}
        items.append(item)
    return items


def _hot_words(text: str) -> list[dict[str, Any]]:
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        item: dict[str, Any] = {"word": parts[0]}
        if len(parts) > 1 and parts[1]:
            item["weight"] = parts[1]
        if len(parts) > 2 and parts[2]:
            item["replacedWords"] = [w for w in _SPLIT.split(parts[2]) if w]
        if len(parts) > 3:
            item["enableFuzzyMatch"] = parts[3].lower() in ("fuzzy", "yes", "true", "1", "模糊")
        items.append(item)
    return items


def body_of(values: dict[str, str]) -> dict[str, Any]:
    """The API body the form stands for (strings left for pydantic to judge)."""
    return {
        "name": values["name"],
        "scene": values["scene"] or None,
        "language": values["language"] or None,
        "speakerId": values["speakerId"] or None,
        "listenerId": values["listenerId"] or None,
        "welcome": values["welcome"],
        "prompt": values["prompt"],
        "objective": values["objective"],
        "collect": _collect(values["collect"]),
        "knowledge": values["knowledge"],
        "hotWords": _hot_words(values["hotWords"]),
        "llmId": values["llmId"] or None,
        "timeZone": values["timeZone"] or None,
        "interruption": {
            "method": values["method"] or "talk_over",
            "uninterruptibleMs": values["uninterruptibleMs"] or 1500,
            "talkOverThresholdMs": values["talkOverThresholdMs"] or 500,
        },
        "answerDetection": {
            # a checkbox: sent ("on") when ticked, absent when not
            "enabled": bool(values["ad_enabled"]),
            "onVoicemail": values["ad_onVoicemail"] or "hangup",
            "voicemailMessage": values["ad_voicemailMessage"],
            **{k: _whole(values[f"ad_{k}"], getattr(_AD_DEFAULTS, k)) for k in AD_LIMITS},
        },
        "taskTransfer": transfer_form.body_of(values),
    }


_AD_DEFAULTS = AnswerDetection()
_AD_NAMED = ("voicemailMessage", "totalLimitMs", "machineLimitMs")


def _whole(text: str, default: int) -> Any:
    """A whole number typed in a number field as an integer (the API takes integers
    strictly); blank is the default; anything else is left for pydantic to name."""
    text = text.strip()
    if not text:
        return default
    if text.isascii() and text.lstrip("-").isdecimal():
        return int(text)
    return text


def changes_of(body: AssistantCreate | AssistantUpdate) -> dict[str, Any]:
    """What a save writes over the stored config: every field the form sent. The
    transfer setting is always written, `null` when the form turns it off (a dump
    without None would leave the stored transfer in place)."""
    changes = body.model_dump(exclude={"name"}, exclude_none=True, mode="json")
    changes.setdefault("taskTransfer", None)
    return changes


def validate(values: dict[str, str], *, create: bool):
    """(AssistantCreate | AssistantUpdate, {}) or (None, {field: message})."""
    schema = AssistantCreate if create else AssistantUpdate
    try:
        return schema.model_validate(body_of(values)), {}
    except ValidationError as e:
        errors: dict[str, str] = {}
        for err in e.errors(include_url=False):
            loc = err["loc"]
            key = str(loc[0]) if loc else "form"
            if key == "interruption" and len(loc) > 1:
                key = str(loc[1])
            elif key == "answerDetection":
                # a field's own error beside it; the settings' cross-field checks
                # (a message needed, limits in order) beside the field they name
                if len(loc) > 1:
                    key = f"ad_{loc[1]}"
                else:
                    named = next((f for f in _AD_NAMED if f in err["msg"]), "onVoicemail")
                    key = f"ad_{named}"
            elif key == "taskTransfer":
                key = transfer_form.error_field(loc[1:], err["msg"])
            if key in ("collect", "hotWords") and len(loc) > 1 and isinstance(loc[1], int):
                msg = f"line {loc[1] + 1}: {err['msg']}"
            else:
                msg = err["msg"]
            errors.setdefault(key, msg)
        return None, errors
