"""The assistant editor's transfer settings over HTTP, as a browser sends the form: a
blind transfer saved as a new version and read back by the API, refusals shown beside
the field the API's 422 names (nothing stored), and turning it off storing `null`.
Whether `bridged` / `intentA` are taken is the API's to say (docs/transfer.md); these
tests send neither."""

from __future__ import annotations

import html as html_text
import re

import pytest

from tests.web.test_console_answers import _assistant, _read, api, form_of

TARGET = "sip:agent@pbx.example.com"


def _error_in_label(html: str, field: str) -> str:
    """The error text shown inside the label that holds field `field` (for `tt_when`,
    the fieldset of its checkboxes)."""
    start = '<fieldset class="transfer-when">' if field == "tt_when" else f'name="{field}"[^>]*>'
    stop = "</fieldset>" if field == "tt_when" else "</label>"
    m = re.search(
        start + rf"(?:(?!{stop}).)*?"
        r'<span class="field-error" role="alert">([^<]*)</span>',
        html,
        re.S,
    )
    assert m, f"no error beside {field}"
    return html_text.unescape(m.group(1))


def _save(console, aid: int, **changes: str):
    values = form_of(console.operator.get(f"/assistants/{aid}").text)
    for k, v in changes.items():
        if v is None:
            values.pop(k, None)  # an unticked checkbox is not sent
        else:
            values[k] = v
    return console.operator.post(f"/assistants/{aid}", data=values, follow_redirects=False)


def test_a_new_assistant_has_no_transfer_and_the_form_shows_it_off(console):
    aid = _assistant(console)
    assert _read(console, aid)["taskTransfer"] is None
    values = form_of(console.operator.get(f"/assistants/{aid}").text)
    assert "tt_enabled" not in values  # unticked
    assert values["tt_mode"] == "blind"
    assert values["tt_when_asked"] == "on" and "tt_when_intentA" not in values
    assert values["tt_agentTimeoutSeconds"] == "30" and values["tt_summary"] == "on"


def test_a_blind_transfer_is_saved_read_back_and_turned_off(console):
    aid = _assistant(console)
    before = _read(console, aid)
    r = _save(console, aid, tt_enabled="on", tt_mode="blind", tt_target=f"  {TARGET} ")
    assert r.status_code == 303, r.text
    after = _read(console, aid)
    assert after["versionId"] != before["versionId"]
    assert after["taskTransfer"] == {"mode": "blind", "target": TARGET, "when": ["asked"]}
    for key in ("welcome", "collect", "answerDetection", "interruption"):
        assert after[key] == before[key], key
    # the form shows what is stored
    shown = form_of(console.operator.get(f"/assistants/{aid}").text)
    assert (shown["tt_enabled"], shown["tt_target"]) == ("on", TARGET)

    # a number target, then off: null is stored, not the old value kept
    r = _save(console, aid, tt_target="+8613912345678")
    assert r.status_code == 303, r.text
    assert _read(console, aid)["taskTransfer"]["target"] == "+8613912345678"
    r = _save(console, aid, tt_enabled=None)
    assert r.status_code == 303, r.text
    off = _read(console, aid)
    assert off["taskTransfer"] is None
    assert "tt_enabled" not in form_of(console.operator.get(f"/assistants/{aid}").text)
    # what is stored in the version itself is null too
    versions = api(console, console.viewer_token).get(f"/openapi/assistants/{aid}/versions")
    assert versions.json()["items"][0]["config"]["taskTransfer"] is None


def test_an_api_edit_of_other_fields_keeps_a_console_saved_transfer(console):
    aid = _assistant(console)
    assert _save(console, aid, tt_enabled="on", tt_target=TARGET).status_code == 303
    r = api(console, console.operator_token).patch(
        f"/openapi/assistants/{aid}", json={"welcome": "您好，我是小狐。"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["taskTransfer"]["target"] == TARGET


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"tt_target": "agent@pbx"}, "tt_target", "should match pattern"),
        ({"tt_target": ""}, "tt_target", "should match pattern"),
        ({"tt_target": "+86 139 1234 5678"}, "tt_target", "should match pattern"),
        ({"tt_target": "sip:a@b\nVia: x"}, "tt_target", "should match pattern"),
        ({"tt_when_asked": None}, "tt_when", "at least 1 item"),
        ({"tt_mode": "shout"}, "tt_mode", "Input should be"),
    ],
)
def test_a_bad_transfer_is_422_beside_its_field_and_stores_nothing(console, changes, field, words):
    aid = _assistant(console)
    before = _read(console, aid)
    r = _save(console, aid, **{"tt_enabled": "on", "tt_target": TARGET, **changes})
    assert r.status_code == 422, r.text
    assert words in _error_in_label(r.text, field)
    if "tt_target" in changes:  # what was typed is shown again, to be corrected
        assert form_of(r.text)["tt_target"] == changes["tt_target"]
    after = _read(console, aid)
    assert after["versionId"] == before["versionId"]
    assert after["taskTransfer"] is None


def test_an_unticked_transfer_ignores_its_other_fields(console):
    aid = _assistant(console)
    r = _save(console, aid, tt_enabled=None, tt_target="not a target", tt_mode="shout")
    assert r.status_code == 303, r.text
    assert _read(console, aid)["taskTransfer"] is None


def test_a_new_assistant_from_the_form_keeps_its_transfer(console):
    values = form_of(console.operator.get("/assistants/new").text)
    values.update(name="热线", tt_enabled="on", tt_target="+8613912345678")
    r = console.operator.post("/assistants/new", data=values, follow_redirects=False)
    assert r.status_code == 303, r.text
    aid = int(r.headers["location"].split("/")[2].split("?")[0])
    assert _read(console, aid)["taskTransfer"] == {
        "mode": "blind",
        "target": "+8613912345678",
        "when": ["asked"],
    }


def test_the_transfer_labels_are_translated(console):
    aid = _assistant(console)
    console.operator.cookies.set("vxd_lang", "zh")
    page = console.operator.get(f"/assistants/{aid}").text
    console.operator.cookies.delete("vxd_lang")
    assert "转接到" in page and "盲转" in page and "桥接" in page
    assert "transfer.blind" not in page
