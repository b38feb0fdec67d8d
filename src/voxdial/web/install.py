"""Mount the console on the API's app: its routes at `/`, its files at `/static`, the
API docs at `/docs` from those files (offline), and the security headers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from voxdial.web.pages import STATIC, env
from voxdial.web.routes import admin, assistants, auth, calls, home, task_new, tasks
from voxdial.web.security import SecurityHeadersMiddleware


def install_console(app: FastAPI) -> None:
    # task_new before tasks: `/tasks/new` before `/tasks/{task_id}`
    for module in (auth, home, task_new, tasks, calls, assistants, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="console-static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """Swagger UI from the vendored files; its start-up script is a static file too
        (the CSP allows no inline script)."""
        html = env.get_template("docs.html").render(openapi_url=app.openapi_url)
        return HTMLResponse(html)

    app.add_middleware(SecurityHeadersMiddleware)
