"""`GET /metrics`: this process's figures in the Prometheus text format (metrics.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from voxdial.api.deps import StateDep
from voxdial.errors import Forbidden, Unauthorized
from voxdial.metrics import CONTENT_TYPE, REFUSALS, scrape_refusal

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def read_metrics(request: Request, state: StateDep) -> Response:
    """This process's figures: with `metrics_token` set, for its bearer; else loopback only."""
    client = request.client.host if request.client else None
    token = state.settings.metrics_token.get_secret_value()
    refusal = scrape_refusal(client, request.headers.get("authorization"), token)
    if refusal == 401:
        raise Unauthorized(REFUSALS[401])
    if refusal == 403:
        raise Forbidden(REFUSALS[403])
    return Response(state.runtime.metrics.exposition(), media_type=CONTENT_TYPE)
