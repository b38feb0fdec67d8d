"""Every call outcome has its words in the console (both languages) and in the task
summary, so a new outcome (such as `interrupted`) never shows as its raw key."""

from __future__ import annotations

import pytest

from voxdial.domain.status import HangupReason
from voxdial.insights.writer import REASON_EN, REASON_ZH
from voxdial.web.i18n import EN, ZH


@pytest.mark.parametrize("reason", list(HangupReason))
def test_every_outcome_has_words(reason):
    assert ZH[f"outcome.{reason}"] and EN[f"outcome.{reason}"]
    assert REASON_ZH[reason] and REASON_EN[reason]
