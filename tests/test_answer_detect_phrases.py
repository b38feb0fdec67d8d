"""Announcement and voicemail phrases in transcripts, as Whisper writes them."""

from __future__ import annotations

import pytest

from voxdial.voice.answer_phrases import align_cost, classify, find_phrases, tokens
from voxdial.voice.answer_types import AnswerOutcome as O


@pytest.mark.parametrize(
    ("transcript", "outcome"),
    [
        # Mandarin, as said and as misheard (homophones, a dropped or swapped character)
        ("您好，您拨打的电话已关机。", O.POWERED_OFF),
        ("您好您拨打的电话以关机", O.POWERED_OFF),
        ("您拨打的号码是空号，请查证后再拨。", O.VACANT),
        ("您拨打的号码是空耗", O.VACANT),
        ("对不起，您拨打的号码不存在。", O.VACANT),
        ("您拨打的电话已停机。", O.SUSPENDED),
        ("您拨打的电话正在通话中，请稍后再拨。", O.BUSY),
        ("您拨打的电话正在同话中", O.BUSY),
        ("对不起，您拨打的用户正忙。", O.BUSY),
        ("您拨打的电话暂时无法接通，请稍后再拨。", O.UNREACHABLE),
        ("您拨打的电话暂时无法接听，不在服务区", O.UNREACHABLE),
        ("您拨打的电话暂时无人接听。", O.NO_ANSWER),
        ("您好，我现在不方便接听电话，请在提示音后留言。", O.VOICEMAIL),
        ("你好，我是小王，现在没空接电话，请留言，谢谢。", O.VOICEMAIL),
        ("您已进入语音信箱", O.VOICEMAIL),
        # English, as said and as misheard
        ("The number you have dialed is not in service.", O.VACANT),
        ("We're sorry, the number you have reached is no longer in service.", O.VACANT),
        ("The subscriber you dialed is power off.", O.POWERED_OFF),
        ("The mobile phone you are calling is switched off.", O.POWERED_OFF),
        ("The number you dialled has been suspended.", O.SUSPENDED),
        ("The line is busy. Please try again later.", O.BUSY),
        ("The subscriber you are calling is on another call.", O.BUSY),
        ("The subscriber you dialed cannot be connected for the moment.", O.UNREACHABLE),
        ("The number you are calling is out of the service area.", O.UNREACHABLE),
        ("The subscriber you dialed is not available.", O.UNREACHABLE),
        ("The person you are calling is not answering.", O.NO_ANSWER),
        ("Hi, you've reached Sam. Please leave a message after the tone.", O.VOICEMAIL),
        ("Hi you have reached Sam", O.VOICEMAIL),
        ("Please record your message at the beep.", O.VOICEMAIL),
    ],
)
def test_announcements_and_voicemail(transcript, outcome):
    match = classify(transcript)
    assert match is not None and match.outcome is outcome, (transcript, match)


@pytest.mark.parametrize(
    "transcript",
    [
        "喂？",
        "喂，你好。",
        "你好，哪位？",
        "喂？喂？说话呀。",
        "是我，你说。",
        "Hello?",
        "Hello, this is Sam.",
        "Hi, Sam speaking, who's calling?",
        "Yeah, hello?",
        "I'm busy, who is this?",
        "",
        "Thank you for watching!",
    ],
)
def test_greetings_say_nothing_a_machine_would(transcript):
    assert classify(transcript) is None


@pytest.mark.parametrize(
    "transcript",
    ["您拨打的用户", "对不起，您所拨打的", "The number you have dialed", "We're sorry"],
)
def test_generic_announcement_openings_are_hints(transcript):
    match = classify(transcript)
    assert match is not None and match.is_hint and match.outcome is None


@pytest.mark.parametrize(
    ("transcript", "outcome"),
    [
        # a carrier's voicemail says both: the invitation wins over "unreachable"
        ("您拨打的用户暂时无法接通，请在嘀声后留言。", O.VOICEMAIL),
        ("The person you are calling is not available. Please leave a message.", O.VOICEMAIL),
        # a named state of the number wins over a vague one
        ("您拨打的电话已关机，暂时无法接通。", O.POWERED_OFF),
        # "out of the service area" is not "out of service"
        ("The subscriber is out of the service area.", O.UNREACHABLE),
    ],
)
def test_the_most_specific_phrase_wins(transcript, outcome):
    assert classify(transcript).outcome is outcome
    assert len(find_phrases(transcript)) >= 2


def test_tokens_are_pinyin_and_words():
    assert tokens("您拨打的 Number, can't") == ["nin", "bo", "da", "de", "number", "cant"]


@pytest.mark.parametrize(
    ("pattern", "text", "cost"),
    [
        (["guan", "ji"], ["nin", "de", "guan", "ji", "le"], 0.0),
        (["zheng", "zai"], ["zen", "zai"], 0.4),  # zh/z, eng/en: one sound-alike syllable
        (["wu", "fa", "jie", "tong"], ["wu", "jie", "tong"], 1.0),  # one syllable lost
        (["kong", "hao"], ["ni", "hao"], 1.0),
    ],
)
def test_align_cost(pattern, text, cost):
    assert align_cost(pattern, text) == pytest.approx(cost)


def test_a_recited_prompt_is_no_announcement():
    # Whisper, given the phrases as hot words, recites them over audio it cannot read
    match = classify("您拨打的电话已关机、空号、已停机、空号、已停机、空号")
    assert match is not None and match.is_hint


def test_hot_words_per_language():
    from voxdial.voice.answer_phrases import hot_words_for

    assert "空号" in hot_words_for("zh") and "空号" not in hot_words_for("en")
    assert "switched off" in hot_words_for("en")
    assert set(hot_words_for(None)) == set(hot_words_for("zh")) | set(hot_words_for("en"))


@pytest.mark.parametrize("transcript", ["关机", "空号。", "Suspended.", "busy"])
def test_hot_words_alone_are_a_recital_not_an_announcement(transcript):
    assert classify(transcript) is None


def test_a_phrase_beyond_the_recited_hot_words_still_counts():
    assert classify("关机、播炸机,电话正在通话中。").outcome is O.BUSY
