"""What the script engine says, in each language, and how it reads its own opening line
(the greeting, who is calling and why, the question it may end with)."""

from __future__ import annotations

import re

TEXT = {
    "zh": {
        "closing": "感谢您的接听，祝您生活愉快，再见。",
        "goodbye": "好的，感谢您的接听，再见。",
        "refused": "好的，不打扰您了，祝您生活愉快，再见。",
        "blocked": "好的，非常抱歉打扰您，我们以后不会再给您打电话了，再见。",
        "callback_at": "好的，那我们{at}再联系您，再见。",
        "callback": "好的，那我们稍后再联系您，再见。",
        "still_there": "喂，您好，您还在听吗？",
        "silence_close": "可能信号不太好，我们稍后再联系您，再见。",
        "reask": "不好意思，我没太听清。",
        "reask_again": "我换个方式问一下：",
        "unsure": "没关系，",
        "calm": "不着急，",
        "options": "您可以说：{options}。",
        "options_again": "请直接说{options}就可以。",
        "free_again": "您直接说就可以。",
        "or": "还是",
        "sep": "、",
        "hold": "好的，不着急，您请便。",
        "unknown": "这个问题我记下了，稍后请专员回复您。",
        "back": "我们继续，",
        "corrected": "好的，已经帮您改成「{answer}」。",
        "consent": "请问您现在方便吗？",
    },
    "en": {
        "closing": "Thank you for your time. Goodbye.",
        "goodbye": "Alright, thank you for your time. Goodbye.",
        "refused": "No problem, sorry to have bothered you. Goodbye.",
        "blocked": "Understood, we will not call you again. Sorry for the trouble. Goodbye.",
        "callback_at": "Sure, we will call you back {at}. Goodbye.",
        "callback": "Sure, we will call you back later. Goodbye.",
        "still_there": "Hello, are you still there?",
        "silence_close": "I can't hear you, we will call back another time. Goodbye.",
        "reask": "Sorry, I didn't quite catch that. ",
        "reask_again": "Let me put it another way: ",
        "unsure": "No problem. ",
        "calm": "No rush. ",
        "options": "You can say: {options}.",
        "options_again": "Just say {options}.",
        "free_again": "Just tell me in your own words.",
        "or": " or ",
        "sep": ", ",
        "hold": "Sure, take your time.",
        "unknown": "I have noted your question; a colleague will get back to you.",
        "back": "Back to my question: ",
        "corrected": "Got it, I've changed that to {answer}.",
        "consent": "Is now a good time?",
    },
}

_GREETING = re.compile(
    r"^(您好|你好|喂|哈喽|嗨|早上好|下午好|晚上好)|(您好|你好)$|"
    r"^(hi|hello|hey|good (morning|afternoon|evening))\b",
    re.I,
)
_CLAUSE = re.compile(r"(?<=[，,。.!！?？;；])\s*")
# an opening that ends by asking for a moment ("可以吗？", "Is now a good time?")
_ASKS = re.compile(
    r"[?？]\s*$|(可以吗|方便吗|好吗|行吗|有空吗|有时间吗|可不可以|方不方便)[。.!！]?\s*$",
)


def asks(welcome: str) -> bool:
    """The opening line ends with a question the callee is expected to answer."""
    return bool(_ASKS.search(welcome.strip()))


def _clauses(welcome: str) -> list[str]:
    # "Mr. Lee" is not the end of a sentence
    text = re.sub(r"\b(Mr|Mrs|Ms|Dr|St)\. ", "\\1\x00", welcome.strip())
    return [c.replace("\x00", ". ") for c in _CLAUSE.split(text) if c.strip()]


def consent_question(welcome: str, lang: str) -> str:
    """The opening's own question, to ask it again ("现在方便吗？")."""
    parts = _clauses(welcome)
    last = parts[-1].strip() if parts else ""
    if asks(welcome) and len(re.sub(r"\W", "", last)) >= 4:
        return last
    return TEXT[lang]["consent"]


def introduction(welcome: str, lang: str) -> str:
    """Who is calling and why, from the opening line: the greeting and the closing
    question left out ("我是城联宽带的客服小林，想耽误您一分钟做个回访。")."""
    parts = _clauses(welcome)
    if parts and _GREETING.search(re.sub(r"[，,。.!！?？\s]+$", "", parts[0])):
        parts = parts[1:]
    if parts and asks(welcome):
        parts = parts[:-1]
    if not parts:
        return welcome.strip()
    text = "".join(parts) if lang == "zh" else " ".join(p.strip() for p in parts)
    text = re.sub(r"[，,;；\s]+$", "", text)
    if not re.search(r"[。.!！]$", text):
        text += "。" if lang == "zh" else "."
    return text


def choices(answers: list[str], lang: str) -> str:
    """ "满意、一般还是不满意" / "Morning, Afternoon or Evening"."""
    t = TEXT[lang]
    if len(answers) < 2:
        return "".join(answers)
    return t["sep"].join(answers[:-1]) + t["or"] + answers[-1]
