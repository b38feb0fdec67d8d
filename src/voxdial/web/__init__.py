"""The operator's console: server-rendered pages (Jinja2 + htmx) served by `voxdial serve`.

It calls the same store functions and API schemas the API uses (never the API over
HTTP), signs people in with a session cookie, and ships every script, style sheet and
font it uses (static/VENDORED.md).
"""
