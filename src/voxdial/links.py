"""The public URLs voxdial hands out (to API clients, carriers and webhooks): one place
that knows the routes' shapes, importable from every layer."""

from __future__ import annotations


def websocket_url(base_url: str, assistant_id: int) -> str:
    """The assistant's realtime endpoint, `ws(s)://HOST/openapi/assistants/{id}/ws`."""
    scheme, _, rest = base_url.partition("://")
    ws = "wss" if scheme == "https" else "ws"
    return f"{ws}://{rest}/openapi/assistants/{assistant_id}/ws"
