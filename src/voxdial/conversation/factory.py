"""Which conversation engine runs an assistant: the script, or a chat model.

The code that composes calls (the composition root, voxdial/runtime.py)
calls `make_engine` with the settings; engines themselves never read settings.
"""

from __future__ import annotations

from typing import Any

from voxdial.conversation.engine import ConversationEngine
from voxdial.conversation.openai_engine import OpenAIEngine
from voxdial.conversation.script import ScriptEngine
from voxdial.settings import Settings


def script_engine() -> ConversationEngine:
    """The script engine, which answers for llmId 0 and for failed LLM turns."""
    return ScriptEngine()


def make_engine(
    assistant: dict[str, Any], *, settings: Settings, **options: Any
) -> ConversationEngine:
    """The engine for an assistant config: the script engine for `llmId` 0 or an id with
    no endpoint in `settings.llms`, else an `OpenAIEngine` on that endpoint."""
    llm_id = assistant.get("llmId") or 0
    endpoint = settings.llms.get(llm_id) if llm_id else None
    if endpoint is None:
        return script_engine()
    timeout = endpoint.timeout_seconds or settings.llm_timeout_seconds
    return OpenAIEngine(endpoint, timeout=timeout, **options)
