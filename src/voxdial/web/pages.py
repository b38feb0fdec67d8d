"""Rendering: one Jinja2 environment (autoescaping everything), the context every page
gets (language, user, CSRF token, what the role may do), and small display filters.

Nothing from a callee is ever marked safe: names, variables, transcripts and summaries
reach the page only through autoescaped `{{ ... }}`, and charts read their numbers
from `data-` attributes and JSON script blocks filled with `tojson` (which escapes
`<`, `>`, `&` and quotes).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from voxdial import __version__
from voxdial.store.users import Grant, SignedIn, allows
from voxdial.web.i18n import language, translator

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _local(value: datetime | None, tz: str = "UTC", fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def _seconds(value: int | float | None) -> str:
    if not value:
        return "0:00"
    value = int(value)
    return f"{value // 60}:{value % 60:02d}"


def _clock_ms(value: int | None) -> str:
    return _seconds((value or 0) // 1000)


env.filters["local"] = _local
env.filters["mmss"] = _seconds
env.filters["ms_clock"] = _clock_ms


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    user: SignedIn | None = None,
    headers: dict[str, str] | None = None,
    csrf: str | None = None,
) -> HTMLResponse:
    lang = language(request)
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "t": translator(lang),
        "user": user,
        "csrf": csrf if csrf is not None else (user.csrf_token if user else ""),
        "version": __version__,
        "tz": user.time_zone if user else "UTC",
        "can": (lambda grant: allows(user.role, Grant(grant))) if user else (lambda _: False),
        "path": request.url.path,
    }
    values.update(context or {})
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=headers)
