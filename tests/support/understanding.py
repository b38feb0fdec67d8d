"""Runs the script engine through the labelled evaluation sets (tests/data/eval/) the way
a debug call does (`start()`, then `hear()` per callee turn) and scores it.

Every scored unit is one of:

    right   the engine did what the label says
    wrong   it collected an answer (hit=true) the callee did not give: the worst outcome
    missed  anything else (no answer where one was given, a flow not followed)

Parts: `dev` (tuned on), `heldout` (never looked at while tuning; its misses were read
after the last tuning round), `blind` (written afterwards, before any further tuning,
by someone who does not tune; spent after one tuning round, it was tuned on in the
precision round), `blind2` (the fresh held-out part for the round after it, written
the same way: its items and misses are not for the tuner's eyes), `blind3` (written
the same way at e48afd1 as the held-out part of the round after that), `blind4`
(written the same way at 09111ea, after blind3 was spent, as the held-out part of the
next round), `blind5` (written the same way at 2010400 as that round's validation
part: tuners check a change against its aggregate figures only), `blind6` (written
the same way at 2010400 as the fresh held-out part of the round after that) and `train1`
(written the same way at 98a22bb, but as a tuning part: spent from birth, its items and
misses are for the tuner); `blind7` (written the same way at 4333d11 as round 7's
validation part, seen by its aggregate figures only, and held out for the round after);
`blind8` (written the same way at 3ed8069 as round 8's fresh held-out part, measured
once at ab28f31 and spent since); `blind9` (written the same way at ef804a8, one writer
per language, as round 9's fresh held-out part; spent in round 10); `blind10` (written
the same way at 1a82dcf as round 10's fresh held-out part; spent in round 11) and
`blind11` (written the same way at 58c4025 as a second one); `blind12` (written the same
way at cf94435, while round 11's tuners were at work, for the round after), `blind13`
(the same way at 1051048, during round 12, for round 13), `blind14` (the same way at
41f3f86, during round 13, for round 14), `blind15` (the same way at cf670c8, during
round 14, for round 15) and `blind16` (the same way at 5a85a0c, during round 15, for
round 16). Item formats are described in
tests/data/eval/README.md.

    PYTHONPATH=src:. .venv/bin/python -m tests.support.understanding dev [--misses]
    PYTHONPATH=src:. .venv/bin/python -m tests.support.understanding blind [--knowledge]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from voxdial.conversation.engine import Action, ActionKind, CallContext, ConversationEngine

DATA = Path(__file__).resolve().parents[1] / "data"
EVAL = DATA / "eval"
KNOWLEDGE = {
    "broadband_zh": DATA / "knowledge_broadband_zh.txt",
    "clinic_en": DATA / "knowledge_clinic_en.txt",
    "carservice_zh": EVAL / "heldout_kb_carservice_zh.txt",
    "gym_en": EVAL / "heldout_kb_gym_en.txt",
    "parcel_zh": EVAL / "blind_kb_parcel_zh.txt",
    "energy_en": EVAL / "blind_kb_energy_en.txt",
    "water_zh": EVAL / "blind2_kb_water_zh.txt",
    "vet_en": EVAL / "blind2_kb_vet_en.txt",
    "drivingschool_zh": EVAL / "blind3_kb_drivingschool_zh.txt",
    "homeinsurance_en": EVAL / "blind3_kb_homeinsurance_en.txt",
    "property_zh": EVAL / "blind4_kb_property_zh.txt",
    "dental_en": EVAL / "blind4_kb_dental_en.txt",
    "checkup_zh": EVAL / "blind5_kb_checkup_zh.txt",
    "solar_en": EVAL / "blind5_kb_solar_en.txt",
    "housekeeping_zh": EVAL / "blind6_kb_housekeeping_zh.txt",
    "carrental_en": EVAL / "blind6_kb_carrental_en.txt",
    "phonerepair_zh": EVAL / "train1_kb_phonerepair_zh.txt",
    "hotel_en": EVAL / "train1_kb_hotel_en.txt",
    "creditcard_zh": EVAL / "train2_kb_creditcard_zh.txt",
    "pharmacy_en": EVAL / "train2_kb_pharmacy_en.txt",
    "library_zh": EVAL / "blind7_kb_library_zh.txt",
    "movers_en": EVAL / "blind7_kb_movers_en.txt",
    "petgroom_zh": EVAL / "blind8_kb_petgroom_zh.txt",
    "telecom_en": EVAL / "blind8_kb_telecom_en.txt",
    "aircon_zh": EVAL / "blind9_kb_aircon_zh.txt",
    "optician_en": EVAL / "blind9_kb_optician_en.txt",
    "swimschool_zh": EVAL / "blind10_kb_swimschool_zh.txt",
    "bulkwaste_en": EVAL / "blind10_kb_bulkwaste_en.txt",
    "renovation_zh": EVAL / "blind11_kb_renovation_zh.txt",
    "adulted_en": EVAL / "blind11_kb_adulted_en.txt",
    "freshgrocery_zh": EVAL / "blind12_kb_freshgrocery_zh.txt",
    "blooddonor_en": EVAL / "blind12_kb_blooddonor_en.txt",
    "gascheck_zh": EVAL / "blind13_kb_gascheck_zh.txt",
    "hearing_en": EVAL / "blind13_kb_hearing_en.txt",
    "earlyedu_zh": EVAL / "blind14_kb_earlyedu_zh.txt",
    "glasgowpharmacy_en": EVAL / "blind14_kb_glasgowpharmacy_en.txt",
    "tradein_zh": EVAL / "blind15_kb_tradein_zh.txt",
    "dublinbikes_en": EVAL / "blind15_kb_dublinbikes_en.txt",
    "heating_zh": EVAL / "blind16_kb_heating_zh.txt",
    "lawncare_en": EVAL / "blind16_kb_lawncare_en.txt",
}
PARTS = (
    "dev", "heldout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6",
    "train1", "train2", "blind7", "blind8", "blind9", "blind10",
    "blind11", "blind12", "blind13", "blind14", "blind15", "blind16",
)  # fmt: skip
# Parts nobody who tunes may open or list the misses of: each is measured once, when a
# round of tuning ends, and then moves to SPENT. Tuning harnesses iterate SPENT only.
# blind4 (round 6's test part) and blind5 (its validation part) were spent in round 6;
# blind6 was round 7's test part, measured once at c7d217b; blind8 was round 8's test
# part, measured once at ab28f31, and spent in round 9; blind9 was round 9's test part,
# measured once at its start (ef804a8) and once at its end (554a414), and is spent since
# (round 10 tunes on it); blind7 (the validation part of rounds 7 to 9, seen by its
# aggregates only) stays held out as round 10's validation part; blind10 (written at
# 1a82dcf by two non-tuners, one per language, and label-reviewed by a third) is round
# 10's fresh held-out part, measured at its merge and once more when the round ends;
# blind11 (written the same way at 58c4025, while round 10's tuners were at work) is a
# second one, measured the same way, and may stay held out for the round after.
# Round 11 spends blind10 (its tuners may read its misses from 8ceb4e1 on), keeps
# blind11 held out as its test part, and blind7 as its validation part. blind12 (written
# at cf94435 by two non-tuners, one per language, and label-reviewed by a third, while
# round 11's tuners were at work) is measured at its merge and when round 11 ends, and
# stays held out for round 12.
# Round 12 spends blind11 (its tuners may read its misses from 2beffb9 on), keeps
# blind12 held out as its test part, and blind7 as its validation part. blind13 (written
# at 1051048 by two non-tuners, one per language, and label-reviewed by a third, while
# round 12's tuners were at work) is measured at its merge and when round 12 ends, and
# stays held out for round 13.
# Round 13 spends blind12 (its tuners may read its misses from this commit on), keeps
# blind13 held out as its test part, and blind7 as its validation part. blind14 (written
# at 41f3f86 by two non-tuners, one per language, and label-reviewed by a third, while
# round 13's tuners were at work) is measured at its merge and when round 13 ends, and
# stays held out for round 14.
# Round 14 spends blind13 (its tuners may read its misses from this commit on), keeps
# blind14 held out as its test part, and blind7 as its validation part. blind15 (written
# at cf670c8 by two non-tuners, one per language, and label-reviewed by a third, while
# round 14's tuners were at work) is measured at its merge and when round 14 ends, and
# stays held out for round 15.
# Round 15 spends blind14 (its tuners may read its misses from this commit on), keeps
# blind15 held out as its test part, and blind7 as its validation part. blind16 (written
# at 5a85a0c by two non-tuners, one per language, and label-reviewed by a third, while
# round 15's tuners were at work) is measured at its merge and when round 15 ends, and
# stays held out for round 16.
HELD_OUT = ("blind7", "blind15", "blind16")
SPENT = tuple(p for p in PARTS if p not in HELD_OUT)
ZONES = {"zh": "Asia/Shanghai", "en": "America/New_York"}
NOW = datetime(2026, 3, 10, 10, 30)  # a Tuesday, in the callee's zone


def load(name: str) -> list[dict[str, Any]]:
    with (EVAL / f"{name}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def knowledge_text(kb: str | None) -> str:
    return KNOWLEDGE[kb].read_text(encoding="utf-8") if kb else ""


def context(
    *, lang: str, welcome: str, name: str, kb: str | None, collect: list[dict]
) -> CallContext:
    zone = ZONES[lang]
    return CallContext(
        assistant={
            "welcome": welcome,
            "language": lang,
            "collect": collect,
            "knowledge": knowledge_text(kb),
            "hotWords": [],
        },
        name=name,
        now=NOW.replace(tzinfo=ZoneInfo(zone)),
        time_zone=zone,
    )


def hear_once(engine: ConversationEngine, ctx: CallContext, reply: str) -> tuple[Any, list[Action]]:
    """A fresh call on `ctx`: the opening, then the callee's one reply. The
    conversation and the actions that reply gave."""
    conv = engine.begin(ctx)
    conv.start()
    return conv, conv.hear(reply)


def last_answer(conv: Any) -> str | None:
    """The last answer the call collected (hit), or None when it collected none."""
    hits = [c.result for c in conv.collected if c.hit]
    return hits[-1] if hits else None


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    missed: int = 0
    # "wrong ..." / "missed ..." lines; kept out of repr, which pytest prints when an
    # assertion on a tally fails: a held-out part's misses must never reach the output
    notes: list[str] = field(default_factory=list, repr=False)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missed

    def add(self, verdict: str, note: str = "") -> None:
        setattr(self, verdict, getattr(self, verdict) + 1)
        if verdict != "right":
            self.notes.append(f"{verdict}: {note}")

    def share(self, what: str) -> float:
        return getattr(self, what) / self.total if self.total else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.total} units, right {self.right} ({self.share('right'):.1%}), "
            f"wrong {self.wrong} ({self.share('wrong'):.1%}), "
            f"missed {self.missed} ({self.share('missed'):.1%})"
        )


def _says(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if a.kind == ActionKind.SAY]


def _asks_again(said: list[str], question: str, answers: list[str]) -> bool:
    return any(question in s or (answers and all(a in s for a in answers)) for s in said)


def _hangup(actions: list[Action]) -> Action | None:
    return next((a for a in actions if a.kind == ActionKind.HANGUP), None)


def _callback_ok(actions: list[Action], at: str | None) -> bool:
    cb = next((a for a in actions if a.kind == ActionKind.CALLBACK), None)
    if cb is None or _hangup(actions) is None:
        return False
    return at is None or (cb.at is not None and cb.at.isoformat().startswith(at))


def _answer_verdict(expect: Any, hit: Any) -> str:
    """right / wrong / missed for an expected answer (a preset answer, {"free": s} or
    None for "must not be collected") against the hit collected (a CollectResult|None)."""
    if expect is None:
        return "wrong" if hit is not None else "right"
    if hit is None:
        return "missed"
    if isinstance(expect, dict):
        return "right" if expect["free"].lower() in hit.result.lower() else "wrong"
    return "right" if hit.result == expect else "wrong"


# reply types that answer the question itself (the others may answer the welcome)
_REPLIES_TO_THE_QUESTION = frozenset(
    {"yesno", "choice", "choice-uncertain", "scale", "datetime", "number", "free", "filler",
     "repeat"}
)  # fmt: skip
_PLAIN_YES = {"zh": "好的", "en": "okay"}


def judge_reply(engine: ConversationEngine, item: dict[str, Any]) -> tuple[str, str]:
    """One reply on a fresh conversation; (verdict, what happened)."""
    collect = [{"question": item["question"], "answers": item["answers"]}]
    ctx = context(
        lang=item["lang"], welcome=item["welcome"], name=item["name"], kb=item["kb"],
        collect=collect,
    )  # fmt: skip
    conv = engine.begin(ctx)
    opening = conv.start()
    consent = not _asks_again(_says(opening), item["question"], [])
    if consent and item["type"] in _REPLIES_TO_THE_QUESTION:
        # the item answers the question: when the welcome asks first, the callee agrees
        # plainly, as they would, and the reply is heard once the question is put
        opening = conv.hear(_PLAIN_YES[item["lang"]])
        if not _asks_again(_says(opening), item["question"], []):
            raise ValueError(f"{item['id']}: the question is not asked after a plain yes")
        consent = False
    actions = conv.hear(item["reply"])
    said = _says(actions)
    kinds = {a.kind for a in actions}
    hits = [c for c in conv.collected if c.hit]
    hit = hits[-1] if hits else None
    hangup = _hangup(actions)
    got = ",".join(str(a.kind) for a in actions) + (f" collect={hit.result!r}" if hit else "")
    got += f" say={' | '.join(said)[:120]!r}"
    e = item["expect"]
    flow = e.get("flow")
    if "answer" in e or "free" in e:
        want = e.get("answer") if "answer" in e else {"free": e["free"]}
        return _answer_verdict(want, hit), got
    if hit is not None:
        return "wrong", got
    calm = ActionKind.CALLBACK not in kinds and ActionKind.BLOCK not in kinds
    if e.get("none"):
        ok = calm and (hangup is None or hangup.result != "refused")
        if e.get("again"):
            ok = ok and hangup is None and _asks_again(said, item["question"], item["answers"])
        return ("right" if ok else "missed"), got
    if flow == "callback":
        return ("right" if _callback_ok(actions, e.get("at")) else "missed"), got
    if flow == "refusal":
        ok = hangup is not None and hangup.result == "refused" and calm
        return ("right" if ok else "missed"), got
    if flow == "block":
        return ("right" if ActionKind.BLOCK in kinds and hangup else "missed"), got
    if flow == "goodbye":
        ok = hangup is not None and calm and hangup.result != "refused"
        return ("right" if ok else "missed"), got
    text = " ".join(said).lower()
    if flow == "question":
        ok = hangup is None and calm and all(s.lower() in text for s in e["says"])
        if consent:
            ok = ok and bool(said) and said[-1].rstrip().endswith(("?", "？"))
            ok = ok and not _asks_again(said, item["question"], [])
        else:
            ok = ok and _asks_again(said, item["question"], [])
        return ("right" if ok else "missed"), got
    if flow == "proceed":
        ok = hangup is None and _asks_again(said, item["question"], [])
        return ("right" if ok else "missed"), got
    raise ValueError(f"unknown expectation {e!r} in {item['id']}")


@dataclass
class ConversationOutcome:
    answers: list[tuple[str, str]]  # (verdict, note) per scored question
    flow: tuple[str, str]


def run_conversation(engine: ConversationEngine, c: dict[str, Any]):
    ctx = context(
        lang=c["lang"], welcome=c["welcome"], name=c["name"], kb=c["kb"], collect=c["collect"]
    )
    conv = engine.begin(ctx)
    log: list[Action] = list(conv.start())
    transcript = [f"A: {' | '.join(_says(log))}"]
    for turn in c["turns"]:
        if conv.finished:
            break
        actions = conv.silence() if turn is None else conv.hear(turn)
        log += actions
        transcript += [f"C: {turn}", f"A: {' | '.join(_says(actions))}"]
    return conv, log, transcript


def judge_conversation(engine: ConversationEngine, c: dict[str, Any]) -> ConversationOutcome:
    conv, log, transcript = run_conversation(engine, c)
    e = c["expect"]
    questions = [q["question"] for q in c["collect"]]
    final: dict[str, Any] = {}
    for r in conv.collected:  # the last result for a question stands
        final[r.question] = r if r.hit else None
    story = " / ".join(transcript)
    answers = []
    for index, want in e["collected"].items():
        q = questions[int(index)]
        hit = final.get(q)
        verdict = _answer_verdict(want, hit)
        got = hit.result if hit else None
        answers.append((verdict, f"{c['id']} q{index} want={want!r} got={got!r} :: {story}"))
    said = " ".join(_says(log)).lower()
    kinds = {a.kind for a in log}
    hangup = _hangup(log)
    end = e["end"]
    if end == "completed":
        ok = hangup is not None and hangup.result == "completed"
    elif end == "callback":
        ok = _callback_ok(log, e.get("callback_at"))
    elif end == "refusal":
        ok = hangup is not None and hangup.result == "refused" and ActionKind.BLOCK not in kinds
    elif end == "block":
        ok = ActionKind.BLOCK in kinds and hangup is not None
    elif end == "goodbye":
        ok = (
            hangup is not None
            and hangup.result != "refused"
            and not kinds & {ActionKind.BLOCK, ActionKind.CALLBACK}
        )
    else:  # "open"
        ok = hangup is None
    ok = ok and all(s.lower() in said for s in e.get("says", []))
    for index in e.get("not_asked", []):
        asked = sum(questions[index] in s for s in _says(log))
        ok = ok and asked == 0
    flow = ("right" if ok else "missed", f"{c['id']} end={end} {e} :: {story}")
    return ConversationOutcome(answers, flow)


@dataclass
class Figures:
    replies: Tally
    answers: Tally  # conversation questions
    flows: Tally  # conversation ends, facts said, questions not asked again
    conversations_right: int
    conversations: int

    @property
    def conversation_units(self) -> Tally:
        t = Tally(
            self.answers.right + self.flows.right,
            self.answers.wrong + self.flows.wrong,
            self.answers.missed + self.flows.missed,
        )
        t.notes = self.answers.notes + self.flows.notes
        return t

    def report(self, part: str) -> str:
        return "\n".join(
            [
                self.replies.line(f"{part} replies"),
                self.answers.line(f"{part} conversation answers"),
                self.flows.line(f"{part} conversation flows"),
                self.conversation_units.line(f"{part} conversation units"),
                f"{part} whole conversations right: "
                f"{self.conversations_right}/{self.conversations}",
            ]
        )


def _in_lang(item: dict[str, Any], lang: str | None) -> bool:
    """Whether an item is in `lang` (None: every item); knowledge items by their text's
    language, the suffix of its key."""
    return lang is None or item.get("lang", item.get("kb", "")[-2:]) == lang


def evaluate(engine: ConversationEngine, part: str, *, lang: str | None = None) -> Figures:
    replies = Tally()
    for item in filter(lambda i: _in_lang(i, lang), load(f"{part}_replies")):
        verdict, got = judge_reply(engine, item)
        replies.add(verdict, f"{item['id']} {item['lang']} {item['type']} {item['reply']!r} "
                    f"want={item['expect']} got: {got}")  # fmt: skip
    answers, flows = Tally(), Tally()
    whole = 0
    conversations = [c for c in load(f"{part}_conversations") if _in_lang(c, lang)]
    for c in conversations:
        outcome = judge_conversation(engine, c)
        for verdict, note in outcome.answers:
            answers.add(verdict, note)
        flows.add(*outcome.flow)
        whole += all(v == "right" for v, _ in [*outcome.answers, outcome.flow])
    return Figures(replies, answers, flows, whole, len(conversations))


@dataclass
class KnowledgeFigures:
    questions: int = 0  # with a right passage
    ranked_first: int = 0  # the right passage ranked first by search()
    answered: int = 0  # answer() returned the right passage
    answered_wrong: int = 0  # answer() returned another passage
    off_topic: int = 0
    rejected: int = 0  # off-topic questions answer() declined
    notes: list[str] = field(default_factory=list, repr=False)  # as Tally.notes

    def report(self, part: str) -> str:
        q = max(1, self.questions)
        return (
            f"{part} knowledge: right passage first {self.ranked_first}/{self.questions} "
            f"({self.ranked_first / q:.1%}); answer() right {self.answered}/{self.questions} "
            f"({self.answered / q:.1%}), wrong passage {self.answered_wrong}; "
            f"off-topic rejected {self.rejected}/{self.off_topic}"
        )


def evaluate_knowledge(
    part: str, *, encoder: Any = None, lang: str | None = None
) -> KnowledgeFigures:
    from voxdial.conversation.knowledge import cache_for

    f = KnowledgeFigures()
    for item in filter(lambda i: _in_lang(i, lang), load(f"{part}_knowledge")):
        kb = cache_for(knowledge_text(item["kb"]), encoder=encoder)
        want = item["passage_has"]
        wants = [want] if isinstance(want, str) else want or []
        good = {i for i, p in enumerate(kb.passages) if any(w in p.indexed for w in wants)}
        first = kb.search(item["question"], k=1)
        hit = kb.answer(item["question"])
        if not wants:
            f.off_topic += 1
            f.rejected += hit is None
            if hit is not None:
                f.notes.append(f"off-topic accepted: {item['question']!r} -> {hit.passage[:40]}")
            continue
        f.questions += 1
        f.ranked_first += bool(first) and first[0].index in good
        if hit is not None and hit.index in good:
            f.answered += 1
        else:
            f.answered_wrong += hit is not None
            got = hit.passage[:40] if hit else (first[0].passage[:40] if first else None)
            f.notes.append(f"{'wrong' if hit else 'none'}: {item['question']!r} -> {got}")
    return f


def main(argv: list[str]) -> None:
    from voxdial.conversation.script import ScriptEngine

    part = argv[0] if argv else "dev"
    if part not in PARTS:
        raise SystemExit(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    if "--misses" in argv and part in HELD_OUT:
        raise SystemExit(f"{part} is held out: its misses are not listed (figures only)")
    if "--knowledge" in argv:
        kf = evaluate_knowledge(part)
        print(kf.report(part))  # noqa: T201
        if "--misses" in argv:
            print("\n".join(kf.notes))  # noqa: T201
        return
    figures = evaluate(ScriptEngine(), part)
    print(figures.report(part))  # noqa: T201
    if "--misses" in argv:
        for note in figures.replies.notes + figures.conversation_units.notes:
            print(note)  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
