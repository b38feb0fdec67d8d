"""Turn a task's figures into its `summary` and `suggestion`, in the assistant's
language. Every number in the text comes from the figures, and every sentence of the
suggestion names the figure it is about and what to change.

The suggestion has one sentence per figure outside its bounds (with at least
`MIN_CALLS_FOR_ADVICE` ended calls; a share needs enough calls under it to count):

| figure | within bounds when | otherwise |
|---|---|---|
| best hour's answer rate (an hour with >= 5 calls) | below `BEST_HOUR_LIFT` x the overall rate | call more in that hour; say whether the windows cover it |
| retries' answer rate (>= 10 retries) | at least `RETRY_RATIO` x the first attempts' rate | lengthen `retryInterval` |
| unanswered share (no answer, busy, off) | at most `UNANSWERED_SHARE`, or retryCount >= 2 | raise `retryCount` |
| hang-ups right after the opening (of answered) | at most `OPENING_HANGUPS` | shorten the opening |
| hang-ups at one question (of answered) | at most `QUESTION_HANGUPS` | reword or move that question |
| asked not to be called again (of answered) | at most `NOT_AGAIN_SHARE` | review the list and the opening |
| voicemail share (of calls) | at most `VOICEMAIL_SHARE` | call at other hours |
| invalid numbers: vacant or suspended (of calls) | at most `INVALID_SHARE` | clean the list |
| dissatisfied share of a satisfaction question (>= 10 answers) | at most `DISSATISFIED_SHARE` | follow up with those callees |
| collection rate (>= 10 answered) | at least `COLLECTION_RATE` | fewer questions, clearer answers |
| questions the knowledge could not answer | none | add them to the knowledge |

"各项指标正常" / "within bounds" (with the connect and collection rates) only when every
figure is within its bounds.
"""

from __future__ import annotations

import re

from voxdial.insights.figures import TaskFigures

REASON_ZH = {
    "no_answer": "无人接听",
    "busy": "占线",
    "refused": "拒接",
    "powered_off": "关机",
    "unreachable": "无法接通",
    "vacant": "空号",
    "suspended": "停机",
    "voicemail": "语音信箱",
    "blocked": "免打扰",
    "failed": "线路失败",
    "interrupted": "外呼进程中断",
    "answered": "接通",
}
REASON_EN = {
    "no_answer": "no answer",
    "busy": "busy",
    "refused": "declined",
    "powered_off": "off",
    "unreachable": "unreachable",
    "vacant": "vacant",
    "suspended": "suspended",
    "voicemail": "voicemail",
    "blocked": "blocked",
    "failed": "carrier failure",
    "interrupted": "cut by a lost worker",
    "answered": "answered",
}

MIN_CALLS_FOR_ADVICE = 20  # below this the figures say too little to advise on
BEST_HOUR_LIFT = 1.2
RETRY_RATIO = 0.5
MIN_RETRIES = 10
UNANSWERED_SHARE = 0.3
OPENING_HANGUPS = 0.15
QUESTION_HANGUPS = 0.1
NOT_AGAIN_SHARE = 0.05
VOICEMAIL_SHARE = 0.15
INVALID_SHARE = 0.1
DISSATISFIED_SHARE = 0.2
MIN_ANSWERS = 10
COLLECTION_RATE = 0.6

_DISSATISFIED = re.compile(
    r"不满意|不太满意|很差|差|失望|dissatisfied|unsatisfied|unhappy|poor|bad", re.I
)
_SATISFACTION = re.compile(r"满意|评价|打分|评分|几分|satisf|rate|rating|score|happy", re.I)


def pct(x: float) -> str:
    return f"{round(x * 100)}%"


def write(f: TaskFigures, *, language: str) -> tuple[str, str]:
    """(summary, suggestion); both empty before any call ended."""
    if f.attempts == 0:
        return "", ""
    zh = language != "en"
    return (_summary_zh(f) if zh else _summary_en(f)), _advice(f, zh)


def _top(counter, n: int = 3):
    return [(k, v) for k, v in counter.most_common(n) if v]


def _best_hours(f: TaskFigures) -> list[int]:
    rates = {
        h: f.hour_answered[h] / f.hour_attempts[h]
        for h in f.hour_attempts
        if f.hour_attempts[h] >= 5
    }
    return sorted(rates, key=lambda h: (-rates[h], h))[:2]


def _summary_zh(f: TaskFigures) -> str:
    parts = [
        f"共{f.total}个号码，已完成{f.final}个（{pct(f.final / f.total) if f.total else '0%'}），"
        f"累计拨打{f.attempts}次；接通{f.answered}人，接通率{pct(f.connect_rate)}；"
        f"完整收集{f.collected}人，收集率{pct(f.collection_rate)}。"
    ]
    fails = [(k, v) for k, v in _top(f.outcomes, 4) if k != "answered"]
    if fails:
        parts.append(
            "未接通原因：" + "、".join(f"{REASON_ZH.get(k, k)}{v}次" for k, v in fails) + "。"
        )
    for q in f.questions:
        per = f.answers.get(q["question"], {})
        total = sum(per.values())
        if total:
            dist = "、".join(
                f"{r}{pct(n / total)}" for r, n in sorted(per.items(), key=lambda x: -x[1])[:4]
            )
            parts.append(f"「{q['question']}」：{dist}。")
    if f.intents:
        parts.append(
            "意向分布：" + "、".join(f"{k}类{f.intents[k]}" for k in "ABCDE" if f.intents[k]) + "。"
        )
    hours = _best_hours(f)
    if hours:
        parts.append("接通率最高的时段：" + "、".join(f"{h}点" for h in hours) + "。")
    if f.hangup_after:
        where, n = f.hangup_after.most_common(1)[0]
        spot = "开场白后" if where == "opening" else f"问到「{where}」时"
        parts.append(f"客户挂断最多发生在{spot}（{n}次）。")
    if f.blocked_requests or f.callbacks:
        parts.append(f"要求不再来电{f.blocked_requests}人，要求稍后回电{f.callbacks}次。")
    return "".join(parts)


def _summary_en(f: TaskFigures) -> str:
    parts = [
        f"{f.final} of {f.total} numbers finished after {f.attempts} calls; "
        f"{f.answered} people answered (connect rate {pct(f.connect_rate)}) and "
        f"{f.collected} answered every question (collection rate {pct(f.collection_rate)})."
    ]
    fails = [(k, v) for k, v in _top(f.outcomes, 4) if k != "answered"]
    if fails:
        parts.append(
            " Not connected: " + ", ".join(f"{REASON_EN.get(k, k)} {v}" for k, v in fails) + "."
        )
    for q in f.questions:
        per = f.answers.get(q["question"], {})
        total = sum(per.values())
        if total:
            dist = ", ".join(
                f"{r} {pct(n / total)}" for r, n in sorted(per.items(), key=lambda x: -x[1])[:4]
            )
            parts.append(f' "{q["question"]}": {dist}.')
    hours = _best_hours(f)
    if hours:
        parts.append(" Best hours to reach people: " + ", ".join(f"{h}:00" for h in hours) + ".")
    if f.hangup_after:
        where, n = f.hangup_after.most_common(1)[0]
        spot = "after the opening line" if where == "opening" else f'at "{where}"'
        parts.append(f" Most hang-ups came {spot} ({n}).")
    if f.blocked_requests or f.callbacks:
        parts.append(
            f" {f.blocked_requests} asked not to be called again; {f.callbacks} callbacks were requested."
        )
    return "".join(parts)


def covers(windows: list[list[str]], hour: int) -> bool:
    """Whether one of the daily windows (["09:00", "12:00"], ...) includes `hour`:00."""
    at = f"{hour:02d}:00"
    return any(len(w) == 2 and w[0] <= at < w[1] for w in windows)


def dissatisfied(question: dict, counts: dict[str, int]) -> tuple[int, int] | None:
    """(dissatisfied answers, all answers) of a satisfaction question, else None. Its
    dissatisfied answers are those saying so ("不满意", "Dissatisfied"), or 1 and 2 of a
    1-5 score."""
    answers = [str(a) for a in question.get("answers") or []]
    scores = [a for a in answers if re.fullmatch(r"\s*[1-5]\s*(分|星|stars?|points?)?\s*", a)]
    if len(scores) >= 3 and _SATISFACTION.search(question.get("question") or ""):
        bad = {a for a in answers if re.match(r"\s*[12]\b", a)}
    else:
        bad = {a for a in answers if _DISSATISFIED.search(a)}
        if not bad or not _SATISFACTION.search(
            " ".join([question.get("question") or "", *answers])
        ):
            return None
    total = sum(counts.values())
    return sum(n for a, n in counts.items() if a in bad), total


def _advice(f: TaskFigures, zh: bool) -> str:
    if f.attempts < MIN_CALLS_FOR_ADVICE:
        return (
            f"目前只有{f.attempts}通电话结束，数据还不够，建议积累到{MIN_CALLS_FOR_ADVICE}通以上再调整。"
            if zh
            else f"Only {f.attempts} calls have ended; check again after {MIN_CALLS_FOR_ADVICE}."
        )
    tips: list[str] = []

    def tip(zh_text: str, en_text: str) -> None:
        tips.append(zh_text if zh else en_text)

    # the best hours: call more when people answer
    hours = _best_hours(f)
    if hours and f.connect_rate > 0:
        best = hours[0]
        rate = f.hour_answered[best] / max(1, f.hour_attempts[best])
        if rate >= f.connect_rate * BEST_HOUR_LIFT:
            if covers(f.windows, best):
                tip(
                    f"{best}点接通率{pct(rate)}，高于平均{pct(f.connect_rate)}，已在呼叫时段内，建议把更多呼叫安排在这个时段。",
                    f"{best}:00 answers at {pct(rate)} against {pct(f.connect_rate)} overall and is inside the windows: put more of the calls there.",
                )
            else:
                tip(
                    f"{best}点接通率{pct(rate)}，高于平均{pct(f.connect_rate)}，但不在当前呼叫时段内，建议把呼叫时段调整到包含{best}点。",
                    f"{best}:00 answers at {pct(rate)} against {pct(f.connect_rate)} overall but is outside the windows: move a window to cover it.",
                )
    # retries against the interval between them
    if f.retry_attempts >= MIN_RETRIES and f.first_attempts:
        if f.retry_rate < f.first_rate * RETRY_RATIO:
            longer = max(60, f.retry_interval * 2)
            tip(
                f"重拨接通率{pct(f.retry_rate)}，不到首次拨打的一半（{pct(f.first_rate)}），当前重拨间隔{f.retry_interval}分钟，建议把间隔延长到{longer}分钟以上，换个时段再拨。",
                f"Retries answer at {pct(f.retry_rate)}, under half the first attempts' {pct(f.first_rate)}, with retryInterval {f.retry_interval} minutes: raise it to {longer}+ minutes so retries fall at another time of day.",
            )
    unanswered = f.outcomes["no_answer"] + f.outcomes["busy"] + f.outcomes["powered_off"]
    if unanswered / f.attempts > UNANSWERED_SHARE and f.retry_count < 2:
        tip(
            f"未接通占{pct(unanswered / f.attempts)}，当前重试{f.retry_count}次，建议把重试次数提高到2次、间隔60分钟以上。",
            f"{pct(unanswered / f.attempts)} of calls went unanswered with retryCount {f.retry_count}: raise it to 2, 60+ minutes apart.",
        )
    early = f.hangup_after.get("opening", 0)
    if f.answered and early / f.answered > OPENING_HANGUPS:
        tip(
            f"{pct(early / f.answered)}的客户在开场白后挂断，建议缩短开场白（当前{f.welcome_chars}字），先说明来意。",
            f"{pct(early / f.answered)} hung up after the opening line ({f.welcome_chars} characters): shorten it and state the purpose first.",
        )
    asked = [(q, n) for q, n in f.hangup_after.most_common() if q not in ("opening", "other")]
    if asked and f.answered:
        where, n = asked[0]
        if n / f.answered > QUESTION_HANGUPS:
            tip(
                f"挂断最多发生在问到「{where}」时（{n}次，占接通的{pct(n / f.answered)}），建议调整措辞或放到后面问。",
                f'Most hang-ups came at "{where}" ({n}, {pct(n / f.answered)} of answered calls): reword it or ask it later.',
            )
    if f.answered and f.blocked_requests / f.answered > NOT_AGAIN_SHARE:
        share = pct(f.blocked_requests / f.answered)
        tip(
            f"{share}的接通客户（{f.blocked_requests}人）要求不再来电，建议核对号码来源并调整开场白。",
            f"{share} of answered callees ({f.blocked_requests}) asked not to be called again: check where the numbers come from and soften the opening.",
        )
    voicemail = f.outcomes["voicemail"]
    if voicemail / f.attempts > VOICEMAIL_SHARE:
        tip(
            f"转入语音信箱占{pct(voicemail / f.attempts)}（{voicemail}次），建议换到接通率高的时段拨打。",
            f"{pct(voicemail / f.attempts)} of calls ({voicemail}) went to voicemail: call at the hours with the best answer rate.",
        )
    invalid = f.outcomes["vacant"] + f.outcomes["suspended"]
    if invalid / f.attempts > INVALID_SHARE:
        tip(
            f"空号/停机占{pct(invalid / f.attempts)}（{invalid}次），建议清洗号码数据后再导入。",
            f"{pct(invalid / f.attempts)} of calls ({invalid}) reached vacant or suspended numbers: clean the list before importing.",
        )
    for q in f.questions:
        found = dissatisfied(q, f.answers.get(q.get("question") or "", {}))
        if found and found[1] >= MIN_ANSWERS and found[0] / found[1] > DISSATISFIED_SHARE:
            bad, total = found
            tip(
                f"「{q['question']}」有{pct(bad / total)}（{bad}/{total}）回答不满意，建议安排专人回访这些客户。",
                f'{pct(bad / total)} ({bad} of {total}) were dissatisfied at "{q["question"]}": have someone follow up with them.',
            )
    if f.unanswered_questions:
        top = "、".join(f"{q}（{n}次）" for q, n in f.unanswered_questions.most_common(3))
        top_en = ", ".join(f"{q} ({n})" for q, n in f.unanswered_questions.most_common(3))
        tip(
            f"客户问到但知识库答不上的问题：{top}，建议补充到知识库。",
            f"Callers asked what the knowledge could not answer: {top_en}; add it to the knowledge.",
        )
    if f.collection_rate < COLLECTION_RATE and f.answered >= MIN_ANSWERS:
        tip(
            f"收集率仅{pct(f.collection_rate)}，建议减少问题数量或为每个问题提供更明确的选项。",
            f"Collection rate is {pct(f.collection_rate)}: ask fewer questions or give clearer preset answers.",
        )
    if not tips:
        return (
            f"各项指标正常（接通率{pct(f.connect_rate)}，收集率{pct(f.collection_rate)}），保持当前配置。"
            if zh
            else f"Every figure is within bounds (connect rate {pct(f.connect_rate)}, collection rate {pct(f.collection_rate)}); keep the current setup."
        )
    return "".join(tips) if zh else " ".join(tips)
