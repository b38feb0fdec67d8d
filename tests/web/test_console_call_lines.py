"""The call page's transfers and keys, and the calls tables' filters by them, over HTTP:
calls stored through the outcome writer with the calltrace lines a spoken call leaves
(tests/web/line_calls.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.support.api import create_task
from tests.web.line_calls import STARTED, key, line_call, said, transfer
from tests.web.test_console_answers import _listed, api
from voxdial.domain.status import HangupReason
from voxdial.store.models import Assistant
from voxdial.web.call_events import transfers_of

AGENT = "sip:agent@pbx.example.com"


def _owner(console) -> tuple[int, int, int, int]:
    task = create_task(api(console, console.operator_token), [["13912345678", "张三", "VIP"]])
    with console.db.session() as s:
        a = s.get(Assistant, task["assistant"]["id"])
        return a.workspace_id, a.id, a.current_version_id, task["id"]


def _calls(console) -> dict[str, str]:
    """Five calls of one task: transferred, a failed transfer, keys pressed, keys sent,
    and neither."""
    ws, aid, vid, task_id = _owner(console)
    ok_lines, ok_record = transfer(AGENT, at_ms=6200, outcome="connected", end_ms=9400)
    bad_lines, bad_record = transfer(
        "+8613912345678", at_ms=5100, outcome="failed", end_ms=35100, error="no word in 30 s"
    )
    made = {}
    for i, (name, lines, extra, outcome) in enumerate(
        (
            ("moved", ok_lines, {"transfer": ok_record}, HangupReason.ANSWERED),
            ("stuck", bad_lines, {"transfer": bad_record}, HangupReason.ANSWERED),
            (
                "pressed",
                [key("1", "in", "sip", 3000), key("#", "in", "inband", 4500)],
                None,
                HangupReason.ANSWERED,
            ),
            ("sent", [key("9", "out", "sip", 200)], None, HangupReason.VOICEMAIL),
            ("plain", [said("customer", "好的", 2000)], None, HangupReason.ANSWERED),
        )
    ):
        sid = f"{name}-{'0' * 20}"
        line_call(
            console.db,
            session_id=sid,
            workspace_id=ws,
            assistant_id=aid,
            assistant_vid=vid,
            callee=f"+86139000000{i}",
            lines=lines,
            extra=extra,
            outcome=outcome,
            started=STARTED + timedelta(minutes=i),
            task_id=task_id,
        )
        made[name] = sid
    made["task"] = str(task_id)
    return made


def _cell(html: str, testid: str) -> list[str]:
    return [t.strip() for t in re.findall(rf'data-testid="{testid}">([^<]*)<', html)]


def test_the_call_page_shows_a_connected_transfer(console):
    calls = _calls(console)
    page = console.viewer.get(f"/calls/{calls['moved']}")
    assert page.status_code == 200
    assert 'id="transfers">Transfer to a person<' in page.text
    assert _cell(page.text, "transfer-target") == [AGENT]
    assert _cell(page.text, "transfer-mode") == ["blind (send the callee on)"]
    assert _cell(page.text, "transfer-at") == ["0:06"]
    assert _cell(page.text, "transfer-outcome") == ["connected · 0:09"]
    assert _cell(page.text, "transfer-reason") == ["—"]
    assert 'id="keys"' not in page.text  # no keys, no keys card


def test_the_call_page_shows_a_failed_transfer_and_why(console):
    calls = _calls(console)
    page = console.viewer.get(f"/calls/{calls['stuck']}")
    assert _cell(page.text, "transfer-target") == ["+8613912345678"]
    assert _cell(page.text, "transfer-outcome") == ["failed · 0:35"]
    assert _cell(page.text, "transfer-reason") == ["no word in 30 s"]
    console.viewer.cookies.set("vxd_lang", "zh")
    zh = console.viewer.get(f"/calls/{calls['stuck']}").text
    console.viewer.cookies.delete("vxd_lang")
    assert _cell(zh, "transfer-outcome") == ["失败 · 0:35"]
    assert "transfer-outcome." not in zh


def test_the_call_page_shows_the_keys_either_way(console):
    calls = _calls(console)
    page = console.viewer.get(f"/calls/{calls['pressed']}").text
    rows = re.findall(r'<tr data-testid="key">(.*?)</tr>', page, re.S)
    cells = [[c.strip() for c in re.findall(r"<td[^>]*>([^<]*)</td>", r)] for r in rows]
    assert cells == [
        ["0:03", "callee pressed", "1", "SIP (RFC 4733 / INFO)"],
        ["0:04", "callee pressed", "#", "tones in the audio"],
    ]
    # the transcript says it in words, not as the line's JSON
    assert '"direction"' not in page
    assert "callee pressed 1" in page
    sent = console.viewer.get(f"/calls/{calls['sent']}").text
    assert _cell(sent, "key-digit") == ["9"]
    assert "assistant sent" in sent
    assert 'id="transfers"' not in sent


def test_a_call_with_neither_shows_neither(console):
    calls = _calls(console)
    page = console.viewer.get(f"/calls/{calls['plain']}").text
    assert 'id="transfers"' not in page and 'id="keys"' not in page


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"transfer": "any"}, {"moved", "stuck"}),
        ({"transfer": "connected"}, {"moved"}),
        ({"transfer": "failed"}, {"stuck"}),
        ({"keys": "pressed"}, {"pressed"}),
        ({"keys": "sent"}, {"sent"}),
        ({"keys": "any"}, {"pressed", "sent"}),
        ({"keys": "any", "outcome": "voicemail"}, {"sent"}),  # with the other filters
        ({"keys": "any", "transfer": "any"}, set()),
        ({"transfer": "any", "phone": "0001"}, {"stuck"}),
        ({"transfer": "nonsense", "keys": "x"}, {"moved", "stuck", "pressed", "sent", "plain"}),
    ],
)
def test_the_calls_tables_filter_by_transfer_and_keys(console, params, names):
    calls = _calls(console)
    want = {calls[n] for n in names}
    assert _listed(console.viewer.get("/calls", params=params).text) == want
    part = console.viewer.get(f"/tasks/{calls['task']}/calls", params=params)
    assert _listed(part.text) == want
    # another workspace's table never shows them
    assert _listed(console.other.get("/calls", params=params).text) == set()


def test_the_filters_offer_transfer_and_keys(console):
    calls = _calls(console)
    for path in ("/calls", f"/tasks/{calls['task']}"):
        html = console.viewer.get(path, params={"keys": "sent"}).text
        assert '<select name="transfer">' in html and '<select name="keys">' in html
        assert '<option value="sent" selected>assistant sent keys</option>' in html
        assert ">transfer did not go through</option>" in html


def test_the_key_filter_pages_in_the_query(console):
    """30 calls, every fifth without keys: 24 match, 20 on page 1 and 4 on page 2, the
    pager's links keep the filter, and no page shows a call without keys."""
    ws, aid, vid, _ = _owner(console)
    plain = set()
    for i in range(30):
        sid = f"page-{i:02d}-{'0' * 16}"
        lines = [key("5", "in", "mediastream", 1000)] if i % 5 else [said("customer", "嗯", 900)]
        if not i % 5:
            plain.add(sid)
        line_call(
            console.db,
            session_id=sid,
            workspace_id=ws,
            assistant_id=aid,
            assistant_vid=vid,
            callee=f"+861390000{i:04d}",
            lines=lines,
            started=STARTED + timedelta(minutes=i),
        )
    first = console.viewer.get("/calls", params={"keys": "pressed"}).text
    assert "24 calls" in first and "1 / 2" in first
    assert re.search(r'href="\?keys=pressed&amp;page=2"', first)  # the next page keeps it
    second = console.viewer.get("/calls", params={"keys": "pressed", "page": "2"}).text
    assert re.search(r'href="\?keys=pressed"', second)  # and so does the previous
    one, two = _listed(first), _listed(second)
    assert (len(one), len(two)) == (20, 4)
    assert not one & two and not (one | two) & plain
    assert "30 calls" in console.viewer.get("/calls").text


def test_transfer_lines_read_as_attempts_in_order():
    """Unit: the attempts from the lines, a line the record does not end left pending,
    a no-answer end (a bridged transfer's agent) read as such, stray ends ignored."""

    def line(event: str, content: str, ms: int) -> SimpleNamespace:
        return SimpleNamespace(event=event, content=content, elapsed_ms=ms)

    found = transfers_of(
        {"transfer": {"mode": "bridged"}},
        [
            line("transfer.failed", "stray", 10),
            line("transfer.requested", AGENT, 100),
            line("transfer.no_answer", "agent did not answer in 30 s", 30_100),
            line("transfer.requested", "+8613912345678", 40_000),
        ],
    )
    assert [(t.target, t.mode, t.at_ms, t.outcome, t.reason) for t in found] == [
        (AGENT, "bridged", 100, "no_answer", "agent did not answer in 30 s"),
        ("+8613912345678", "bridged", 40_000, "pending", ""),
    ]
    assert transfers_of({"transfer": "x"}, [line("transfer.requested", "", True)])[0].at_ms == 0


def test_the_line_filters_query_alike_on_sqlite_and_postgresql(env):
    """The filters' EXISTS over the calltrace, run by `list_calls` on both databases."""
    from voxdial.web.callquery import CallFilter, list_calls

    a = env.client.post("/openapi/assistants", json={"name": "线路"}).json()
    with env.db.session() as s:
        row = s.get(Assistant, a["id"])
        ws, vid = row.workspace_id, row.current_version_id
    ok_lines, ok_record = transfer(AGENT, at_ms=100, outcome="connected", end_ms=900)
    bad_lines, _ = transfer(AGENT, at_ms=100, outcome="failed", end_ms=900, error="refused")
    for i, lines in enumerate(
        (ok_lines, bad_lines, [key("*", "in", "sip", 50)], [key("2", "out", "inband", 50)])
    ):
        line_call(
            env.db,
            session_id=f"pg-{i}-{'0' * 20}",
            workspace_id=ws,
            assistant_id=a["id"],
            assistant_vid=vid,
            callee=f"+86139000000{i}",
            lines=lines,
            extra={"transfer": ok_record} if i == 0 else None,
            started=STARTED + timedelta(minutes=i),
        )

    def listed(**query: str) -> list[str]:
        with env.db.session() as s:
            calls, total = list_calls(
                s, workspace_id=ws, tz="Asia/Shanghai", f=CallFilter.from_query(query)
            )
        assert total == len(calls)
        return sorted(c.session_id[:4] for c in calls)

    assert listed(transfer="any") == ["pg-0", "pg-1"]
    assert listed(transfer="connected") == ["pg-0"]
    assert listed(transfer="failed") == ["pg-1"]
    assert listed(keys="pressed") == ["pg-2"]
    assert listed(keys="sent") == ["pg-3"]
    assert listed(keys="any", transfer="any") == []
