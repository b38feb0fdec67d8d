"""Turn a task's figures into its `summary` and `suggestion`, in the assistant's
language. Every number in the text comes from the figures; the advice follows rules
stated next to each one."""

from __future__ import annotations

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
    "answered": "answered",
}

MIN_CALLS_FOR_ADVICE = 20  # below this the figures say too little to advise on


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


def _advice(f: TaskFigures, zh: bool) -> str:
    tips: list[str] = []
    if f.attempts < MIN_CALLS_FOR_ADVICE:
        return (
            "通话还不多，建议积累更多数据后再调整。"
            if zh
            else "Too few calls yet to advise on; check again later."
        )
    unanswered = f.outcomes["no_answer"] + f.outcomes["busy"] + f.outcomes["powered_off"]
    # Many unanswered calls and few retries: more retries reach more people.
    if unanswered / f.attempts > 0.3 and f.retry_count < 2:
        tips.append(
            f"未接通占{pct(unanswered / f.attempts)}，建议把重试次数提高到2次、间隔60分钟以上。"
            if zh
            else f"{pct(unanswered / f.attempts)} of calls went unanswered: raise retryCount to 2 with 60+ minutes between tries."
        )
    # Answer rate by hour: steer the windows to the best hours when they stand out.
    hours = _best_hours(f)
    if hours and f.connect_rate > 0:
        best = hours[0]
        rate = f.hour_answered[best] / max(1, f.hour_attempts[best])
        if rate > f.connect_rate * 1.2:
            tips.append(
                f"{best}点接通率{pct(rate)}，高于平均{pct(f.connect_rate)}，建议把呼叫时段向该时段集中。"
                if zh
                else f"{best}:00 answers at {pct(rate)} against {pct(f.connect_rate)} overall: move the windows toward it."
            )
    # Hang-ups right after the opening line: the opening is too long or too salesy.
    early = f.hangup_after.get("opening", 0)
    if f.answered and early / f.answered > 0.15:
        tips.append(
            f"{pct(early / f.answered)}的客户在开场白后挂断，建议缩短开场白（当前{f.welcome_chars}字），先说明来意。"
            if zh
            else f"{pct(early / f.answered)} hung up after the opening line ({f.welcome_chars} characters): shorten it and state the purpose first."
        )
    # A question where many hang up or do not answer.
    if f.hangup_after:
        where, n = f.hangup_after.most_common(1)[0]
        if where != "opening" and f.answered and n / f.answered > 0.1:
            tips.append(
                f"问到「{where}」时挂断较多，建议调整措辞或放到后面。"
                if zh
                else f'Many hang up at "{where}": reword it or ask it later.'
            )
    # Questions the knowledge could not answer.
    if f.unanswered_questions:
        top = "、".join(q for q, _ in f.unanswered_questions.most_common(3))
        tips.append(
            f"客户问到但知识库答不上的问题：{top}，建议补充到知识库。"
            if zh
            else f"Callers asked what the knowledge could not answer ({top}): add it to the knowledge."
        )
    if f.collection_rate < 0.6 and f.answered >= 10:
        tips.append(
            f"收集率仅{pct(f.collection_rate)}，建议减少问题数量或为每个问题提供更明确的选项。"
            if zh
            else f"Collection rate is {pct(f.collection_rate)}: ask fewer questions or give clearer preset answers."
        )
    vacant = f.outcomes["vacant"] + f.outcomes["suspended"]
    if vacant / f.attempts > 0.1:
        tips.append(
            f"空号/停机占{pct(vacant / f.attempts)}，建议清洗号码数据后再导入。"
            if zh
            else f"{pct(vacant / f.attempts)} of numbers are vacant or suspended: clean the list before importing."
        )
    if not tips:
        return (
            "各项指标正常，保持当前配置。"
            if zh
            else "The figures look healthy; keep the current setup."
        )
    return "".join(tips) if zh else " ".join(tips)
