"""The script engine on a labelled set of callee replies, and in simulated campaigns."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.dialer import COLLECT, calls_of, make_task, phones, run_virtual
from voxdial.conversation.engine import ActionKind, CallContext
from voxdial.conversation.script import ScriptEngine
from voxdial.domain.status import HangupReason
from voxdial.store.db import Database
from voxdial.telephony.personas import PERSONAS
from voxdial.telephony.sim import SimCarrier, SimConfig

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 3, 10, 10, 30)  # a Tuesday
ZONES = {"zh": "Asia/Shanghai", "en": "America/New_York"}
WELCOME = {
    "zh": "您好{姓名}，我是星辰宽带的客服小星。",
    "en": "Hi {name}, this is Ava from StarNet.",
}
KNOWLEDGE = {
    "zh": """问：宽带多少钱？
答：我们的宽带套餐有59元、99元和129元每月三档，新用户首年八折。
问：安装收费吗？
答：安装免费，师傅一般在下单后48小时内上门，安装大约需要一个小时。
问：会员有什么好处？
答：会员每月送10G流量，生日当月话费五折，会员费每年30元。
问：怎么退订？
答：您可以在营业厅或者拨打客服电话10086退订，随时可以办理，没有违约金。
问：公司在哪里？
答：我们的营业厅在人民路88号，营业时间是每天早上九点到晚上九点。
问：客服电话是多少？
答：客服电话是10086，二十四小时有人接听。
问：网速有多快？
答：宽带速率有300兆、500兆和1000兆可选。
问：合约期多长？
答：套餐合约期为一年，到期自动续约。
问：可以开发票吗？
答：可以开具电子发票，在我们的小程序里就能申请。
""",
    "en": """Q: How much does it cost?
A: Plans are 30, 50 and 80 dollars per month, and the first month is free.
Q: Is there a contract?
A: There is no contract; you can cancel anytime without a fee.
Q: How fast is the internet?
A: Speeds are 300 megabits, 500 megabits or 1 gigabit.
Q: What are your opening hours?
A: Our stores are open from 9 am to 9 pm every day.
Q: Is installation free?
A: Installation is free and takes about one hour.
""",
}


def load(lang: str) -> list[dict]:
    with (DATA / f"replies_{lang}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def context_for(case: dict, lang: str) -> CallContext:
    zone = ZONES[lang]
    return CallContext(
        assistant={
            "welcome": WELCOME[lang],
            "collect": [{"question": case["question"], "answers": case["answers"]}],
            "knowledge": KNOWLEDGE[lang],
            "hotWords": [],
        },
        name="张先生" if lang == "zh" else "John",
        now=NOW.replace(tzinfo=ZoneInfo(zone)),
        time_zone=zone,
    )


@dataclass
class Outcome:
    ok: bool
    got: str


class RecordingEngine(ScriptEngine):
    """The script engine with the real knowledge base, noting what it was asked and
    what the knowledge base found."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.asked: list[str] = []
        self.found: list[bool] = []

    def knowledge(self, text: str):
        base = super().knowledge(text)
        engine = self

        class Recorder:
            def answer(self, question: str, *, topic: str = ""):
                hit = base.answer(question)
                engine.asked.append(question)
                engine.found.append(hit is not None)
                return hit

        return Recorder()


def judge(engine: ScriptEngine, case: dict, lang: str) -> Outcome:
    """Runs one reply through a fresh conversation and says whether the engine did
    what the label says."""
    ctx = context_for(case, lang)
    conv = engine.begin(ctx)
    conv.start()
    actions = conv.hear(case["reply"])
    kinds = [a.kind for a in actions]
    expect = case["expect"]
    said = [a.text for a in actions if a.kind == ActionKind.SAY]
    collects = [a for a in actions if a.kind == ActionKind.COLLECT]
    got = ",".join(kinds)
    action = expect["action"]
    if action == "collect":
        got = f"collect:{collects[0].result}" if collects else got
        ok = bool(collects) and collects[0].hit and collects[0].result == expect["result"]
    elif action in ("close", "block"):
        ok = (
            ActionKind.HANGUP in kinds
            and not collects
            and (ActionKind.BLOCK in kinds) == (action == "block")
            and ActionKind.CALLBACK not in kinds
        )
    elif action == "callback":
        cb = [a for a in actions if a.kind == ActionKind.CALLBACK]
        at = cb[0].at if cb else None
        got = f"callback:{at.isoformat() if at else None}" if cb else got
        want = expect.get("at")
        ok = bool(cb) and (
            at is None if want is None else (at is not None and at.isoformat()[:16] == want)
        )
        ok = ok and ActionKind.HANGUP in kinds
    elif action == "knowledge":
        # routed to the knowledge base (whether it found a passage is the knowledge
        # module's part, reported separately), then back to the question
        asked = engine.asked if isinstance(engine, RecordingEngine) else [case["reply"]]
        ok = (
            not collects
            and asked[-1:] == [case["reply"]]
            and len(said) >= 2
            and said[-1].endswith(case["question"])
        )
        got = said[0][:30] if said else got
    else:  # reask: neither recorded nor closed, and the question comes again
        ok = not collects and not conv.finished and any(case["question"] in s for s in said)
    return Outcome(ok, got)


def accuracy(engine: ScriptEngine) -> tuple[dict[str, tuple[int, int]], list[str]]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for lang in ("zh", "en"):
        for case in load(lang):
            outcome = judge(engine, case, lang)
            total[case["type"]] += 1
            right[case["type"]] += outcome.ok
            if not outcome.ok:
                misses.append(f"{lang} {case['type']} {case['reply']!r}: {outcome.got}")
    return {t: (right[t], total[t]) for t in total}, misses


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return RecordingEngine()


def test_labelled_set_is_large_and_varied():
    cases = load("zh") + load("en")
    assert len(cases) >= 300
    assert len({c["type"] for c in cases}) >= 10
    assert {c["type"] for c in load("en")} == {c["type"] for c in load("zh")}


@pytest.mark.slow
def test_labelled_replies_accuracy(engine):
    per_type, misses = accuracy(engine)
    right = sum(r for r, _ in per_type.values())
    total = sum(t for _, t in per_type.values())
    assert right / total >= 0.95, "\n".join(misses)
    # no regression: 316 right before the evaluation work (274048a), 324 at ccf04a0
    assert right >= 324, "\n".join(misses)


def _run(engine, ctx, replies):
    conv = engine.begin(ctx)
    actions = conv.start()
    out = [actions]
    for r in replies:
        out.append(conv.silence() if r is None else conv.hear(r))
    return conv, out


def test_opening_line_fills_variables(engine):
    ctx = CallContext(
        assistant={"welcome": "您好{姓名}，您的账单{金额}元已出。", "collect": []},
        name="李女士",
        variables={"金额": 128},
    )
    actions = engine.begin(ctx).start()
    assert actions[0].text == "您好李女士，您的账单128元已出。"
    assert actions[-1].kind == ActionKind.HANGUP


def test_reask_twice_rephrased_then_move_on_with_the_words_heard(engine):
    ctx = CallContext(
        assistant={
            "welcome": "您好",
            "collect": [
                {"question": "您对服务满意吗？", "answers": ["满意", "不满意"]},
                {"question": "您的邮箱是？", "answers": []},
            ],
        }
    )
    replies = ["我在外面呢", "嗯嗯嗯就那个啥", "我儿子在旁边呢", "a@b.cn"]
    conv, turns = _run(engine, ctx, replies)
    for turn in turns[1:3]:  # asked again, with the choices, rephrased the second time
        assert not any(a.kind == ActionKind.COLLECT for a in turn)
        said = " ".join(a.text for a in turn)
        assert "您对服务满意吗？" in said and "满意" in said and "不满意" in said
    assert turns[1][0].text != turns[2][0].text
    assert turns[3][0].kind == ActionKind.COLLECT and not turns[3][0].hit
    assert [c.result for c in conv.collected] == ["", "a@b.cn"]
    assert conv.collected[0].message == " / ".join(replies[:3])
    assert conv.finished and turns[4][-1].kind == ActionKind.HANGUP


def test_silence_prompts_then_closes(engine):
    ctx = CallContext(assistant={"welcome": "Hello", "collect": [{"question": "Ok?"}]})
    conv, turns = _run(engine, ctx, [None, None])
    assert [a.kind for a in turns[1]] == [ActionKind.SAY]
    assert turns[2][-1].kind == ActionKind.HANGUP and conv.finished


def test_hot_words_replace_misheard_words(engine):
    ctx = CallContext(
        assistant={
            "welcome": "您好",
            "collect": [{"question": "您想要哪个套餐？", "answers": ["星辰宽带", "极光套餐"]}],
            "hotWords": [
                {"word": "极光", "weight": 5, "replacedWords": ["机关"], "enableFuzzyMatch": 0},
                {"word": "星辰", "weight": 5, "replacedWords": [], "enableFuzzyMatch": 1},
            ],
        }
    )
    conv, _ = _run(engine, ctx, ["机关套餐吧"])
    assert conv.collected[0].result == "极光套餐"
    conv, _ = _run(engine, ctx, ["星尘宽带"])
    assert conv.collected[0].result == "星辰宽带"


def test_collect_result_keeps_the_callees_words(engine):
    ctx = CallContext(assistant={"welcome": "您好", "collect": [
        {"question": "满意吗？", "answers": ["满意", "不满意"]}]})  # fmt: skip
    conv, _ = _run(engine, ctx, ["嗯挺好的"])
    c = conv.collected[0]
    assert (c.question, c.hit, c.result, c.message) == ("满意吗？", True, "满意", "嗯挺好的")


# ----- simulated callees -----


def _persona_call(engine, persona: str, *, english: bool, seed: int = 1):
    import random

    collect = (
        [
            {"question": "Are you happy with our service?", "answers": ["Yes", "No"]},
            {"question": "What is your email?", "answers": []},
        ]
        if english
        else [
            {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
            {"question": "您的邮箱是多少？", "answers": []},
        ]
    )
    ctx = CallContext(
        assistant={"welcome": "Hello {姓名}" if english else "您好{姓名}", "collect": collect},
        name="Ann",
        now=datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    persona_obj = PERSONAS[persona](rng=random.Random(seed), context=ctx)
    conv = engine.begin(ctx)
    actions = conv.start()
    log = list(actions)
    for _ in range(SimConfig().max_turns):
        if conv.finished:
            break
        reply = persona_obj.reply(" ".join(a.text for a in actions if a.kind == ActionKind.SAY))
        if reply.hang_up:
            break
        actions = conv.silence() if reply.text is None else conv.hear(reply.text)
        log += actions
    return conv, log


@pytest.mark.parametrize("english", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_cooperative_persona_answers_everything(engine, english, seed):
    conv, _ = _persona_call(engine, "cooperative", english=english, seed=seed)
    assert len(conv.collected) == 2 and all(c.hit for c in conv.collected)


@pytest.mark.parametrize("english", [False, True])
def test_refusing_persona_is_closed_politely_and_blocked(engine, english):
    conv, log = _persona_call(engine, "refuses", english=english)
    assert conv.collected == [] and conv.finished
    assert [a.kind for a in log[-3:]] == [ActionKind.BLOCK, ActionKind.SAY, ActionKind.HANGUP]


@pytest.mark.parametrize("english", [False, True])
def test_call_me_later_persona_gets_a_callback(engine, english):
    conv, log = _persona_call(engine, "call_me_later", english=english)
    assert [a.kind for a in log].count(ActionKind.CALLBACK) == 1 and conv.finished


def test_callback_at_the_named_time(engine):
    ctx = CallContext(
        assistant={"welcome": "您好", "collect": [{"question": "方便吗？", "answers": []}]},
        now=datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("UTC")),
        time_zone="Asia/Shanghai",
    )
    _, turns = _run(engine, ctx, ["现在不方便 明天下午三点再打"])
    cb = next(a for a in turns[1] if a.kind == ActionKind.CALLBACK)
    assert cb.at == datetime(2026, 3, 11, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _campaign(db_url, persona: str) -> list:
    db = Database(db_url)
    try:
        task = make_task(db, phones(12), concurrency=4)
        carrier = SimCarrier(
            SimConfig(
                rates={HangupReason.ANSWERED: 1.0},
                personas={persona: 1.0},
                seed=3,
                talk_seconds_per_char=0,
            )
        )
        dialer, _ = run_virtual(
            db,
            carrier,
            datetime(2026, 6, 15, 1, 0, tzinfo=UTC),
            until=datetime(2026, 6, 16, tzinfo=UTC),
        )
        assert isinstance(dialer.engine, ScriptEngine)
        return calls_of(db, task.id)
    finally:
        db.dispose()


def test_cooperative_campaign_collects_everything(db_url):
    calls = _campaign(db_url, "cooperative")
    assert len(calls) == 12
    questions = {q["question"] for q in COLLECT}
    for call in calls:
        got = {c["question"]: c for c in call.collect or []}
        assert set(got) == questions and all(c["hit"] for c in got.values())


def test_refusing_campaign_collects_nothing(db_url):
    calls = _campaign(db_url, "refuses")
    assert calls and all(not any(c.get("hit") for c in call.collect or []) for call in calls)
