"""Round 14 knowledge (h/knowledge8): "do you do X Y" whose head noun Y the text never
uses is not answered. Sentences of a made-up dog groomer, not of any eval part."""

from __future__ import annotations

import pytest

from voxdial.conversation.knowledge import KnowledgeBase

_GROOMER = (
    "Dog nail trimming is done by a groomer with quiet clippers, takes about 15 minutes "
    "and costs $20 for all four paws.\n\n"
    "Our salon is open Monday to Friday, 8am to 5pm.\n\n"
    "Payment: we take cards and cash.\n\n"
    "A full wash and dry takes about an hour and costs $60."
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_text(_GROOMER)


def test_an_offer_whose_head_noun_the_text_never_uses_is_declined(kb: KnowledgeBase) -> None:
    assert kb.answer("do you do dog training") is None  # "dog" alone is named


def test_an_offer_the_text_names_is_still_answered(kb: KnowledgeBase) -> None:
    hit = kb.answer("do you do dog nail trimming")
    assert hit is not None and "$20" in hit.passage
