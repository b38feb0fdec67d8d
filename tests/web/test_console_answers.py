"""Answer detection in the console, over HTTP as a browser sends it: the assistant
editor's settings (saved as a new version, refused beside the field at fault with the
API's rules, not for viewers), the call page's "who answered", and the calls tables'
filter by who answered."""

from __future__ import annotations

import html as html_text
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.support.api import create_assistant, create_task
from tests.web.answered import answered_call
from tests.web.conftest import page_csrf
from voxdial.domain.status import HangupReason
from voxdial.store.models import Assistant, Call
from voxdial.web.i18n import EN, ZH


def api(console, token: str) -> TestClient:
    c = TestClient(console.app, raise_server_exceptions=False)
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def form_of(html: str) -> dict[str, str]:
    """What the editor's form would send as it stands (inputs, selects, textareas)."""
    form = html[html.index('<form class="card editor"') :]
    form = form[: form.index("</form>")]
    values: dict[str, str] = {}
    for m in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in m.group(1):
                values[attrs["name"]] = "on"
            continue
        values[attrs["name"]] = attrs.get("value", "")
    for m in re.finditer(r'<select name="(\w+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(2))
        values[m.group(1)] = chosen.group(1) if chosen else ""
    for m in re.finditer(r'<textarea name="(\w+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[m.group(1)] = m.group(2)
    return values


def _assistant(console) -> int:
    return create_assistant(api(console, console.operator_token))["id"]


def _read(console, assistant_id: int) -> dict:
    r = api(console, console.viewer_token).get(f"/openapi/assistants/{assistant_id}")
    assert r.status_code == 200, r.text
    return r.json()


def test_the_editor_shows_the_settings_and_saves_them_as_a_new_version(console):
    aid = _assistant(console)
    before = _read(console, aid)
    page = console.operator.get(f"/assistants/{aid}")
    assert page.status_code == 200
    assert "<details>" in page.text  # the time limits are collapsed
    values = form_of(page.text)
    assert values["ad_enabled"] == "on"
    assert values["ad_onVoicemail"] == "hangup"
    assert values["ad_machineLimitMs"] == "4000"
    values.update(
        ad_onVoicemail="leave_message",
        ad_voicemailMessage="您好{姓名}，稍后再联系您。",
        ad_beepWaitMs="2500",
    )
    r = console.operator.post(f"/assistants/{aid}", data=values, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = _read(console, aid)
    assert after["versionId"] != before["versionId"]
    assert after["answerDetection"] == {
        **before["answerDetection"],
        "onVoicemail": "leave_message",
        "voicemailMessage": "您好{姓名}，稍后再联系您。",
        "beepWaitMs": 2500,
    }
    # the rest of the assistant is as it was
    for key in ("welcome", "prompt", "collect", "knowledge", "interruption"):
        assert after[key] == before[key], key
    shown = form_of(console.operator.get(f"/assistants/{aid}?saved=1").text)
    assert shown["ad_onVoicemail"] == "leave_message"
    assert shown["ad_beepWaitMs"] == "2500"

    # unticking the box turns detection off
    shown.pop("ad_enabled")
    r = console.operator.post(f"/assistants/{aid}", data=shown, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert _read(console, aid)["answerDetection"]["enabled"] is False


def _error_beside(html: str, field: str) -> str:
    """The error text inside the label that holds the field named `field`."""
    m = re.search(
        rf'name="{field}"[^>]*>(?:[^<]*</textarea>|[^<]*(?:<option[^>]*>[^<]*</option>)*</select>)?'
        r'\s*<span class="field-error" role="alert">([^<]*)</span>',
        html,
    )
    assert m, f"no error beside {field}"
    return html_text.unescape(m.group(1))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"ad_onVoicemail": "leave_message", "ad_voicemailMessage": "  "},
            "ad_voicemailMessage",
            "voicemailMessage is required",
        ),
        (
            {"ad_machineLimitMs": "9000", "ad_totalLimitMs": "5000"},
            "ad_totalLimitMs",
            "at least machineLimitMs",
        ),
        ({"ad_machineLimitMs": "999"}, "ad_machineLimitMs", "greater than or equal to 1000"),
        ({"ad_afterGreetingSilenceMs": "7.5"}, "ad_afterGreetingSilenceMs", "valid integer"),
        ({"ad_onVoicemail": "shout"}, "ad_onVoicemail", "'hangup' or 'leave_message'"),
        ({"ad_voicemailMessage": "留" * 501}, "ad_voicemailMessage", "at most 500"),
    ],
)
def test_bad_settings_are_422_beside_the_field_and_save_nothing(console, changes, field, words):
    aid = _assistant(console)
    before = _read(console, aid)
    values = {**form_of(console.operator.get(f"/assistants/{aid}").text), **changes}
    r = console.operator.post(f"/assistants/{aid}", data=values, follow_redirects=False)
    assert r.status_code == 422
    assert words in _error_beside(r.text, field)
    if field in ("ad_machineLimitMs", "ad_totalLimitMs", "ad_afterGreetingSilenceMs"):
        assert "<details open>" in r.text  # the limits open to show the error
    if field.endswith("Ms"):  # what was typed is shown again, to be corrected
        assert form_of(r.text)[field] == values[field]
    assert _read(console, aid)["versionId"] == before["versionId"]


def test_the_same_settings_are_refused_by_the_api_alike(console):
    aid = _assistant(console)
    r = api(console, console.operator_token).patch(
        f"/openapi/assistants/{aid}",
        json={"answerDetection": {"machineLimitMs": 9000, "totalLimitMs": 5000}},
    )
    assert r.status_code == 422
    assert "at least machineLimitMs" in r.text


def test_a_new_assistant_from_the_form_keeps_its_answer_settings(console):
    values = form_of(console.operator.get("/assistants/new").text)
    values.update(name="留言助手", ad_onVoicemail="leave_message", ad_voicemailMessage="请回电。")
    r = console.operator.post("/assistants/new", data=values, follow_redirects=False)
    assert r.status_code == 303, r.text
    aid = int(r.headers["location"].split("/")[2].split("?")[0])
    ad = _read(console, aid)["answerDetection"]
    assert (ad["onVoicemail"], ad["voicemailMessage"], ad["enabled"]) == (
        "leave_message",
        "请回电。",
        True,
    )


def test_a_viewer_cannot_save_answer_settings(console):
    aid = _assistant(console)
    before = _read(console, aid)
    page = console.viewer.get(f"/assistants/{aid}")
    assert page.status_code == 200
    assert "Save as a new version" not in page.text
    values = {
        **form_of(page.text),
        "csrf_token": page_csrf(console.viewer),
        "ad_onVoicemail": "leave_message",
        "ad_voicemailMessage": "x",
    }
    r = console.viewer.post(f"/assistants/{aid}", data=values, follow_redirects=False)
    assert r.status_code == 403
    assert _read(console, aid) == before


# --- who answered -----------------------------------------------------------------


def _calls(console) -> dict[str, str]:
    task = create_task(api(console, console.operator_token), [["13912345678", "张三", "VIP"]])
    with console.db.session() as s:
        a = s.get(Assistant, task["assistant"]["id"])
        ws, aid, vid = a.workspace_id, a.id, a.current_version_id
    made = {}
    for name, outcome, reason, ms, early in (
        ("vm", "voicemail", "beep after a greeting", 3400, False),
        ("off", "powered_off", "phrase 'switched off'", 2100, True),
        ("person", "human", "greeting 416 ms, then silence", 1116, False),
    ):
        sid = f"{name}-{'0' * 20}"
        answered_call(
            console.db,
            session_id=sid,
            workspace_id=ws,
            assistant_id=aid,
            assistant_vid=vid,
            callee=f"+86139000000{len(made)}",
            outcome=outcome,
            reason=reason,
            decided_ms=ms,
            early_media=early,
            task_id=task["id"],
        )
        made[name] = sid
    made["task"] = str(task["id"])
    return made


def test_the_call_page_shows_who_answered(console):
    calls = _calls(console)
    page = console.viewer.get(f"/calls/{calls['vm']}")
    assert page.status_code == 200
    assert re.search(r'data-testid="answer-outcome">voicemail<', page.text)
    assert "beep after a greeting" in page.text
    assert 'data-testid="answer-decided">3.4 s<' in page.text
    assert 'data-testid="answer-early"' not in page.text
    assert "outcome.voicemail" not in page.text  # every label translated

    off = console.viewer.get(f"/calls/{calls['off']}")
    assert 'data-testid="answer-outcome">powered-off announcement<' in off.text
    assert "phrase &#39;switched off&#39;" in off.text
    assert 'data-testid="answer-early">heard before the answer<' in off.text
    # the calltrace line reads as words, not as JSON
    assert '"decidedAtMs"' not in off.text

    console.viewer.cookies.set("vxd_lang", "zh")
    zh = console.viewer.get(f"/calls/{calls['off']}")
    assert 'data-testid="answer-outcome">关机提示音<' in zh.text
    assert "接通前听到" in zh.text
    console.viewer.cookies.delete("vxd_lang")


def test_a_call_without_a_decision_shows_no_who_answered(console):
    calls = _calls(console)
    with console.db.session() as s:
        s.execute(update(Call).where(Call.session_id == calls["person"]).values(extra={}))
        s.commit()
    # the calltrace line is enough
    page = console.viewer.get(f"/calls/{calls['person']}")
    assert 'data-testid="answer-outcome">a person<' in page.text
    with console.db.session() as s:
        s.execute(update(Call).where(Call.session_id == calls["vm"]).values(extra={"answer": 5}))
        from voxdial.store.models import CallTrace

        call_id = s.query(Call.id).filter_by(session_id=calls["vm"]).scalar()
        s.query(CallTrace).filter_by(call_id=call_id, event="answer.detected").delete()
        s.commit()
    page = console.viewer.get(f"/calls/{calls['vm']}")
    assert page.status_code == 200
    assert "answer-outcome" not in page.text


def _listed(html: str) -> set[str]:
    return set(re.findall(r'href="/calls/([^"]+)"', html))


@pytest.mark.parametrize(
    ("by", "names"),
    [
        ("person", {"person"}),
        ("machine", {"vm", "off"}),
        ("voicemail", {"vm"}),
        ("announcement", {"off"}),
        ("", {"vm", "off", "person"}),
        ("nonsense", {"vm", "off", "person"}),  # an unknown value is dropped
    ],
)
def test_the_calls_tables_filter_by_who_answered(console, by, names):
    calls = _calls(console)
    want = {calls[n] for n in names}
    page = console.viewer.get("/calls", params={"by": by})
    assert _listed(page.text) == want
    part = console.viewer.get(f"/tasks/{calls['task']}/calls", params={"by": by})
    assert _listed(part.text) == want
    # the filter combines with the hang-up reason's
    both = console.viewer.get("/calls", params={"by": by, "outcome": "voicemail"})
    assert _listed(both.text) == want & {calls["vm"]}


def test_the_filters_offer_who_answered_and_every_hangup_reason(console):
    calls = _calls(console)
    for path in ("/calls", f"/tasks/{calls['task']}"):
        html = console.viewer.get(path).text
        assert '<select name="by">' in html
        assert ">machine or announcement</option>" in html
        assert 'value="interrupted"' in html


def test_every_hangup_reason_and_answer_outcome_has_both_labels():
    from voxdial.voice.answer_types import AnswerOutcome

    for reason in HangupReason:
        assert f"outcome.{reason.value}" in ZH and f"outcome.{reason.value}" in EN, reason
    for outcome in AnswerOutcome:
        assert f"answer.{outcome.value}" in ZH and f"answer.{outcome.value}" in EN, outcome
    for key in ("by.person", "by.machine", "voicemail.hangup", "voicemail.leave_message"):
        assert key in ZH and key in EN, key
