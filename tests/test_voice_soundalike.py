"""Sound-alike correction of Mandarin transcripts toward the expected words."""

from __future__ import annotations

import pytest

from voxdial.voice.soundalike import correct, sounds_like

ANSWERS = ["满意", "一般", "不满意", "愿意", "不愿意"]


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("我很买意。", "我很满意。"),  # man -> mai, seen from Whisper base on 8 kHz audio
        ("我和埋意。", "我和满意。"),
        ("不太买意。", "不太满意。"),
        ("以般般般。", "一般般般。"),  # a homophone
        ("我觉得很难以。", "我觉得很满意。"),  # nan -> man: the nasals, the same final
    ],
)
def test_near_homophones_of_expected_words_are_corrected(heard, meant):
    assert correct(heard, ANSWERS) == meant


@pytest.mark.parametrize(
    "text",
    [
        "我很满意",  # already right
        "原因是这样",  # yuan yin vs yuan yi: y is a glide, not a shared consonant
        "埋怨",  # man yuan vs man yi
        "你们忙吧",  # mang vs man: another final, though the nasal is the same
        "年意",  # nian yi: the nasal swapped, but the final differs too
        "今天天气不错",
        "Yes, I am happy",
    ],
)
def test_other_words_are_left_alone(text):
    assert correct(text, ANSWERS) == text


def test_a_transcript_with_an_expected_word_is_not_touched():
    assert correct("我愿意，买意", ANSWERS) == "我愿意，买意"


def test_one_syllable_words_are_never_guessed():
    assert not sounds_like("买", "满")
    assert correct("买", ["满"]) == "买"
