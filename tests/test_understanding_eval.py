"""The script engine on the labelled evaluation sets (tests/data/eval/): replies and
conversations as people really give them, dev and held-out parts reported separately.

The targets are at least 95% right and at most 1% wrong (an answer collected that the
callee did not give). The "heldout" part was written in the same pass as the dev part
and held out until ccf04a0 (measured there: replies 90.5% right, 1.5% wrong;
conversation units 90.6% right, 0.9% wrong); its misses have since been read and tuned
on, so it is now a second tuning part beside dev. Both meet the targets, and each also
holds the level it was measured at so it cannot slip back. Figures: BENCHMARKS.md,
"Understanding callees".

The blind part (other questions, other answer sets, two other knowledge texts) was
written after the held-out part was spent, before the next tuning round, by someone who
does not tune, and measured before that round (at ad63115: replies 79.0% right, 7.6% wrong;
conversation units 85.6% right, 4.3% wrong) and once after it (tuned on dev and the
spent held-out part: replies 79.7% right, 7.8% wrong; units 84.9% right, 5.0% wrong):
the round did not carry over to data it never saw. Spent by that measurement, it became
a third tuning part beside dev and heldout in the precision round (docs/understanding-round3.md:
general rules that abstain when the evidence is not one answer; replies 89.4% right,
0.2% wrong; units 89.9% right, 0 wrong). It is still reported on its own with the
targets as strict xfails, but its figures are tuned ones now, not held-out ones: the
next held-out figure comes from a fresh part.

The blind2 part is that fresh part (other questions again, a water utility in Mandarin
and a veterinary practice in English), written by someone who does not tune and
measured once before the next round (at 7247292: replies 75.8% right, 6.7% wrong;
conversation units 72.1% right, 6.1% wrong). It is reported on its own and by
language, held at that level, with the targets as strict xfails; its items and misses
are not for the tuner's eyes.

The blind3 part is the fresh held-out part of the round after that (other questions
again, a driving school in Mandarin and a home insurer in English), written the same
way and measured once at d454c28 (engine code as at e48afd1, before the next round):
replies 79.2% right, 3.7% wrong; conversation units 79.7% right, 2.6% wrong. It is
reported and held the same way as blind2.

The blind4 part is the fresh held-out part of the next round (other questions again, a
property-management office in Mandarin and a dental practice in English), written the
same way at 09111ea and measured once at 2101f69 (engine code as at 09111ea): replies
84.0% right, 4.2% wrong; conversation units 81.7% right, 3.6% wrong. It is reported
and held the same way as blind2 and blind3.

The blind5 part is the validation part of the round after blind4 (other questions again,
a health check-up centre in Mandarin and a home solar installer in English), written the
same way at 2010400 and measured once at 35262f2 (engine code as at 2010400): replies
74.5% right, 5.7% wrong; conversation units 87.0% right, 1.0% wrong. It is reported and
held the same way as the earlier fresh parts; tuners check a change against its
aggregate figures (bench/understanding_cv.py gate blind5), never its items.

The blind6 part is the fresh held-out part of the round after that (other questions
again, a home-cleaning service in Mandarin and a car-rental branch in English), written
the same way at 2010400 and measured at 54d88f2 (engine code as at 2010400):
replies 68.0% right, 4.9% wrong; conversation units 76.7% right, 6.1% wrong. It is
reported and held the same way as blind2, blind3 and blind4."""

from __future__ import annotations

import functools
from collections import Counter

import pytest

from tests.support.understanding import (
    KNOWLEDGE,
    PARTS,
    KnowledgeFigures,
    Tally,
    evaluate,
    evaluate_knowledge,
    judge_reply,
    knowledge_text,
    load,
)
from voxdial.conversation.script import ScriptEngine

RIGHT, WRONG = 0.95, 0.01
# measured levels (replies, conversation units), held so they cannot slip back; after the
# precision round: dev 407/411 replies, 134/134 units; heldout 408/412, 116/117, no wrong
DEV_FLOOR = {"replies": (0.99, 0.0), "units": (0.99, 0.0)}
HELDOUT_FLOOR = {"replies": (0.99, 0.0), "units": (0.99, 0.0)}
# the blind part, measured once before the tuning round (ad63115: replies 343/434 right,
# 33 wrong; units 119/139 right, 6 wrong; knowledge first 38/50, answered 36/50, 8 wrong
# passages) and once after it (b5bc856 merged: replies 346/434 right, 34 wrong; units
# 118/139 right, 7 wrong; knowledge first 37/50, answered 35/50, 9 wrong passages, 8/10
# off-topic declined). Then spent, and a tuning part in the precision round: held at
# what that round measured (replies 388/434 right, 1 wrong; units 125/139 right, 0 wrong;
# knowledge unchanged) -- a tuned level, no longer a held-out one. The generalization
# round (docs/understanding-round4.md) measured 397/434 right, 0 wrong; units 125/139, 0
# wrong; the knowledge round after it (docs/knowledge-round4.md) first 42/50, answered
# 36/50, 4 wrong passages, 10/10 off-topic declined
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
BLIND_FLOOR = {"replies": (0.969, 0.0), "units": (0.975, 0.0)}
BLIND_KNOWLEDGE_FLOOR = {"ranked_first": 0.84, "answered": 0.74, "answered_wrong": 5,
                         "off_topic_accepted": 0}  # fmt: skip
KNOWLEDGE_TARGETS = {"ranked_first": 0.85, "answered": 0.75}
# the blind2 part, measured once at 7247292 (engine code as at 2ab088d, before the next
# tuning round): replies 329/434 right (75.8%), 29 wrong (6.7%) (zh 174/235 right, 13
# wrong; en 155/199 right, 16 wrong); conversation units 106/147 right (72.1%), 9 wrong
# (6.1%) (zh 44/74, 5 wrong; en 62/73, 4 wrong), whole conversations 32/52; knowledge
# right passage first 44/44, answered 44/44, 0 wrong passages, off-topic declined 5/10
# (6/10 after the knowledge round, which tuned on it once its check was measured).
# Measured once more after the precision round (78.6% / 5.3%), then held out from the
# generalization round's first step (tuned on dev, heldout and blind only: 78.8% right,
# 4.8% wrong) and tuned on after it, so a tuned part now (docs/understanding-round4.md): replies
# 387/434 right, 2 wrong (zh 213/235, 0 wrong; en 174/199, 2 wrong); units 126/147, 1
# wrong (zh 62/74, 1 wrong; en 64/73, 0 wrong). Held at those levels.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
BLIND2_FLOOR = {
    "all": {"replies": (0.966, 0.0), "units": (0.915, 0.0)},
    "zh": {"replies": (0.964, 0.0), "units": (0.922, 0.0)},
    "en": {"replies": (0.969, 0.0), "units": (0.907, 0.0)},
}
BLIND2_KNOWLEDGE_FLOOR = {"ranked_first": 1.0, "answered": 1.0, "answered_wrong": 0,
                          "off_topic_accepted": 4}  # fmt: skip
# the blind3 part, measured once at d454c28 (engine code as at e48afd1, before the
# fourth round; load average 12): replies 366/462 right (79.2%), 17 wrong (3.7%) (zh
# 179/235 right, 14 wrong; en 187/227 right, 3 wrong); conversation units 122/153 right
# (79.7%), 4 wrong (2.6%) (zh 60/77, 3 wrong; en 62/76, 1 wrong), whole conversations
# 38/54; knowledge right passage first 39/46, answered 34/46, 5 wrong passages,
# off-topic declined 3/10. Measured once after the round (replies4 and knowledge4
# merged, at 8dd0b55): replies 372/462 right (80.5%), 12 wrong (2.6%) (zh
# 183/235, 11 wrong; en 189/227, 1 wrong); units 120/153 right (78.4%), 4 wrong (zh
# 60/77, 3 wrong; en 60/76, 1 wrong); whole conversations 37/54; knowledge first 38/46,
# answered 31/46, 4 wrong passages, off-topic declined 4/10. Spent by that measurement;
# held at the after-figures: right at most a point lower, wrong at most a point higher,
# knowledge at them.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
BLIND3_FLOOR = {
    "all": {"replies": (0.968, 0.0), "units": (0.905, 0.03)},
    "zh": {"replies": (0.977, 0.0), "units": (0.899, 0.036)},
    "en": {"replies": (0.959, 0.0), "units": (0.911, 0.024)},
}
BLIND3_KNOWLEDGE_FLOOR = {"ranked_first": 0.826, "answered": 0.695, "answered_wrong": 4,
                          "off_topic_accepted": 6}  # fmt: skip
# the blind4 part, written at 09111ea after blind3 was spent and measured once at 2101f69
# (engine code as at 09111ea, before the next round; load average 2): replies 398/474
# right (84.0%), 20 wrong (4.2%) (zh 206/244 right, 14 wrong; en 192/230 right, 6 wrong);
# conversation units 138/169 right (81.7%), 6 wrong (3.6%) (zh 69/85, 4 wrong; en 69/84,
# 2 wrong), whole conversations 38/54; knowledge right passage first 54/55, answered
# 51/55, 1 wrong passage, off-topic declined 7/12. Held there: right at most a point
# lower, wrong at most a point higher, knowledge at the measured figures.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
# replies raised at c7d217b (round 7, polarity) to the level measured then, the same way
BLIND4_FLOOR = {
    "all": {"replies": (0.906, 0.023), "units": (0.806, 0.046)},
    "zh": {"replies": (0.892, 0.031), "units": (0.79, 0.058)},
    "en": {"replies": (0.92, 0.014), "units": (0.823, 0.034)},
}
BLIND4_KNOWLEDGE_FLOOR = {"ranked_first": 0.981, "answered": 0.927, "answered_wrong": 1,
                          "off_topic_accepted": 5}  # fmt: skip
# the blind5 part, written at 2010400 as the validation part of the next round and
# measured once at 35262f2 (engine code as at 2010400; load average 1.4): replies 350/470
# right (74.5%), 27 wrong (5.7%) (zh 158/235 right, 15 wrong; en 192/235 right, 12 wrong);
# conversation units 167/192 right (87.0%), 2 wrong (1.0%) (zh 86/96, 1 wrong; en 81/96,
# 1 wrong), whole conversations 41/54; knowledge right passage first 44/61, answered
# 41/61, 14 wrong passages, off-topic declined 7/12. Held there: right at most a point
# lower, wrong at most a point higher, knowledge at the measured figures.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
# replies raised at c7d217b (round 7, polarity) to the level measured then, the same way
BLIND5_FLOOR = {
    "all": {"replies": (0.826, 0.042), "units": (0.901, 0.021)},
    "zh": {"replies": (0.777, 0.048), "units": (0.917, 0.021)},
    "en": {"replies": (0.875, 0.035), "units": (0.885, 0.021)},
}
BLIND5_KNOWLEDGE_FLOOR = {"ranked_first": 0.721, "answered": 0.672, "answered_wrong": 14,
                          "off_topic_accepted": 5}  # fmt: skip

# the blind6 part, written at 2010400 as the fresh held-out part of the round after
# blind4's and measured at 54d88f2 (engine code as at 2010400; load average 2; a first
# run at 3c0c736 gave 333 right, then eight labels were made unambiguous on a reread of
# the items, not of any miss): replies 335/493 right (68.0%), 24 wrong (4.9%) (zh
# 154/246 right, 8 wrong; en 181/247 right, 16 wrong); conversation units 125/163 right
# (76.7%), 10 wrong (6.1%) (zh 60/82, 2 wrong; en 65/81, 8 wrong), whole conversations
# 32/54; knowledge right passage first 47/53, answered 43/53, 4 wrong passages, off-topic
# declined 9/12. Held there: right at most a point lower, wrong at most a point higher,
# knowledge at the measured figures.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
BLIND6_FLOOR = {
    "all": {"replies": (0.703, 0.051), "units": (0.781, 0.041)},
    "zh": {"replies": (0.672, 0.039), "units": (0.746, 0.0)},
    "en": {"replies": (0.734, 0.063), "units": (0.817, 0.072)},
}
BLIND6_KNOWLEDGE_FLOOR = {"ranked_first": 0.886, "answered": 0.811, "answered_wrong": 5,
                          "off_topic_accepted": 3}  # fmt: skip
# the blind7 part, written at 4333d11 as this round's validation part (tuners see its
# aggregate figures only) and measured at 6e713ea (engine code as at 4333d11; load
# average 21): replies 382/470 right (81.3%), 18 wrong (3.8%) (zh 184/235 right, 11
# wrong; en 198/235 right, 7 wrong); conversation units 157/162 right (96.9%), none wrong
# (zh 80/81, en 77/81); knowledge right passage first 46/53, answered 44/53, 5 wrong
# passages, off-topic declined 11/12. Held there: right at most a point lower, wrong at
# most a point higher, knowledge at the measured figures.
BLIND7_FLOOR = {
    "all": {"replies": (0.803, 0.048), "units": (0.959, 0.01)},
    "zh": {"replies": (0.773, 0.057), "units": (0.978, 0.01)},
    "en": {"replies": (0.833, 0.04), "units": (0.941, 0.01)},
}
# round 8 (knowledge2: near ties declined) traded one right answer for one wrong passage
# fewer and every off-topic question declined: 46/53 first, 43 answered, 4 wrong, 12/12
BLIND7_KNOWLEDGE_FLOOR = {"ranked_first": 0.867, "answered": 0.811, "answered_wrong": 4,
                          "off_topic_accepted": 0}  # fmt: skip
# the blind8 part, written at 3ed8069 as this round's fresh held-out part (measured once,
# when the round ends) and measured at 9541c94 (engine code as at 3ed8069; load average
# 0.1): replies 385/470 right (81.9%), 16 wrong (3.4%) (zh 194/235 right, 10 wrong; en
# 191/235 right, 6 wrong); conversation units 173/194 right (89.2%), 2 wrong (1.0%) (zh
# 88/97, 2 wrong; en 85/97, none wrong); knowledge right passage first 43/53, answered
# 39/53, 10 wrong passages, off-topic declined 9/12. Held there: right at most a point
# lower, wrong at most a point higher, knowledge at the measured figures.
# raised at the end of round 9, which tuned on it (spent since ab28f31), to the level
# measured then: replies 93.6% / 0.2% (zh 94.9 / 0.4, en 92.3 / 0); units 94.8% / 0;
# knowledge 45/53 first, 42 answered, 7 wrong passages, 11/12 declined
BLIND8_FLOOR = {
    "all": {"replies": (0.926, 0.012), "units": (0.938, 0.01)},
    "zh": {"replies": (0.939, 0.014), "units": (0.949, 0.01)},
    "en": {"replies": (0.913, 0.01), "units": (0.928, 0.01)},
}
BLIND8_KNOWLEDGE_FLOOR = {"ranked_first": 0.849, "answered": 0.792, "answered_wrong": 7,
                          "off_topic_accepted": 1}  # fmt: skip
# the blind9 part, written at ef804a8 by two non-tuners (one per language) as round 9's
# fresh held-out part (measured once, when the round ends) and measured at its merge
# (engine code as at ef804a8; load average 15): replies 381/470 right (81.1%), 19 wrong
# (4.0%) (zh 192/235 right, 9 wrong; en 189/235 right, 10 wrong); conversation units
# 196/216 right (90.7%), 3 wrong (zh 93/108, 3 wrong; en 103/108, none wrong); knowledge
# right passage first 40/55, answered 33/55, 10 wrong passages, off-topic declined 8/12.
# Held there: right at most a point lower, wrong at most a point higher, knowledge at
# the measured figures.
# Measured once more when round 9 ended (2e64173, the round's test figure): replies
# 390/470 right (83.0%), 19 wrong (4.0%) (zh 200/235, 8 wrong; en 190/235, 11 wrong);
# units 197/216 (91.2%), 2 wrong (zh 94/108, 2 wrong; en 103/108, none); knowledge 41/55
# first, 34 answered, 9 wrong passages, 8/12 declined. Held there the same way.
# Raised at the end of round 10, which tuned on it (spent since 1a82dcf), to the level
# measured then (8ceb4e1): replies 94.3% / 0.6% (zh 92.8 / 1.3, en 95.7 / 0); units 95.4%
# / 0; knowledge 42/55 first, 35 answered, 8 wrong passages, 8/12 declined.
BLIND9_FLOOR = {
    "all": {"replies": (0.933, 0.016), "units": (0.944, 0.01)},
    "zh": {"replies": (0.918, 0.023), "units": (0.925, 0.01)},
    "en": {"replies": (0.947, 0.01), "units": (0.962, 0.01)},
}
BLIND9_KNOWLEDGE_FLOOR = {"ranked_first": 0.763, "answered": 0.636, "answered_wrong": 8,
                          "off_topic_accepted": 4}  # fmt: skip
# the blind10 part, written at 1a82dcf by two non-tuners (one per language) and
# label-reviewed by a third, as round 10's fresh held-out part (measured at its merge and
# once more when the round ends), measured at its merge (engine code as at 1a82dcf; load
# average 14): replies 381/470 right (81.1%), 20 wrong (4.3%) (zh 196/235 right, 10
# wrong; en 185/235 right, 10 wrong); conversation units 185/206 right (89.8%), 5 wrong
# (zh 86/94, 3 wrong; en 99/112, 2 wrong); knowledge right passage first 52/66, answered
# 45/66, 7 wrong passages, off-topic declined 9/14. Held there: right at most a point
# lower, wrong at most a point higher, knowledge at the measured figures.
# Measured once more when round 10 ended (8ceb4e1, the round's test figure): replies
# 81.5% right, 4.0% wrong (zh 83.8 / 3.8, en 79.1 / 4.3); units and knowledge unchanged.
# Spent in round 11 and raised at 5feaa4f to the level it was tuned to: replies 95.1%
# right, 0.2% wrong (zh 95.7 / 0.0, en 94.5 / 0.4); units 91.8% / 1.9% (zh 93.6 / 2.1,
# en 90.2 / 1.8); knowledge first 54/66, answered 47, 5 wrong passages, 9/14 declined.
# Held there: right at most a point lower, wrong at most a point higher.
BLIND10_FLOOR = {
    "all": {"replies": (0.941, 0.012), "units": (0.908, 0.029)},
    "zh": {"replies": (0.947, 0.010), "units": (0.926, 0.031)},
    "en": {"replies": (0.935, 0.014), "units": (0.892, 0.028)},
}
BLIND10_KNOWLEDGE_FLOOR = {"ranked_first": 0.818, "answered": 0.712, "answered_wrong": 5,
                           "off_topic_accepted": 5}  # fmt: skip
# the blind11 part, written at 58c4025 by two non-tuners (one per language) and
# label-reviewed by a third, while round 10's tuners were at work, as a second fresh
# held-out part for round 10, measured at its merge (engine code as at 1a82dcf; load
# average 12): replies 348/470 right (74.0%), 19 wrong (4.0%) (zh 187/235 right, 11
# wrong; en 161/235 right, 8 wrong); conversation units 161/192 right (83.9%), 7 wrong
# (zh 78/97, 4 wrong; en 83/95, 3 wrong); knowledge right passage first 49/60, answered
# 38/60, 6 wrong passages, off-topic declined 12/13. Held there the same way.
# Measured once more when round 10 ended (8ceb4e1): replies 74.5% right, 3.8% wrong (zh
# 79.6 / 4.7, en 69.4 / 3.0); units 87.0% / 3.6%; knowledge unchanged. Floors unchanged.
# Round 11's test part, measured when it ended (5feaa4f): replies 74.7% right, 3.8% wrong
# (zh 79.6 / 4.7, en 69.8 / 3.0); units 88.0% / 3.6%; knowledge unchanged.
# Spent in round 12, once its replies to the question were heard after the welcome's yes
# (5e71079: 81.9% right, 4.5% wrong), and raised at 1176f8d to the level it was tuned
# to: replies 94.5% right, 0.2% wrong (zh 92.8 / 0.4, en 96.2 / 0.0); units 93.2% / 0.5%
# (zh 91.8 / 1.0, en 94.7 / 0.0). Held there: right at most a point lower, wrong at most
# a point higher.
BLIND11_FLOOR = {
    "all": {"replies": (0.934, 0.012), "units": (0.922, 0.016)},
    "zh": {"replies": (0.917, 0.014), "units": (0.907, 0.021)},
    "en": {"replies": (0.951, 0.010), "units": (0.937, 0.010)},
}
BLIND11_KNOWLEDGE_FLOOR = {"ranked_first": 0.816, "answered": 0.633, "answered_wrong": 6,
                           "off_topic_accepted": 1}  # fmt: skip
# the blind12 part, written at cf94435 by two non-tuners (one per language) and
# label-reviewed by a third (3 labels changed), while round 11's tuners were at work, as
# the fresh held-out part for round 12, measured at its merge (engine code as at cf94435;
# load average 12): replies 389/470 right (82.8%), 28 wrong (6.0%) (zh 197/235 right, 9
# wrong; en 192/235 right, 19 wrong); conversation units 167/197 right (84.8%), 11 wrong
# (zh 82/96, 4 wrong; en 85/101, 7 wrong); knowledge right passage first 59/64, answered
# 51/64, 3 wrong passages, off-topic declined 12/13. Held there: right at most a point
# lower, wrong at most a point higher, knowledge at the figures. Measured once more when
# round 11 ended (5feaa4f): replies 83.2% right, 5.7% wrong (zh 83.8 / 3.8, en 82.5 /
# 7.7); units 85.3% / 5.6%; knowledge unchanged. Floors unchanged. Round 12's test part,
# measured when it ended (1176f8d): replies 84.0% right, 5.1% wrong (zh 83.8 / 3.8, en
# 84.3 / 6.4); units 85.3% / 5.6%; knowledge unchanged. Floors unchanged.
# Spent in round 13 (41f3f86), and raised at 54284ab to the level it was tuned to:
# replies 409/470 right (87.0%), 12 wrong (2.6%) (zh 201 / 6, en 208 / 6); units 172/197
# right (87.3%), 6 wrong (zh 80/96, 2 wrong; en 92/101, 4 wrong); knowledge first 60/64,
# answered 53, 2 wrong passages, off-topic declined 12/13. Held there: right at most a
# point lower, wrong at most a point higher, knowledge at the figures. (Its Mandarin units
# fell from 81 to 80 right as two wrong answers became misses: a sentence embedding's
# nearest answer is no longer taken when it is the negative of a yes/no pair.)
# Round 15 (da03ba9): a hedge is no longer handed to a later question while the current
# one is unanswered; that took three wrong answers out of conversations (blind14,
# blind12 en, blind10 en) and cost blind12 one Mandarin unit (79/96, 82.3% against the
# floor's 82.3% rounded up): the zh units floor is lowered by that one unit, a trade the
# precision-first rule makes.
BLIND12_FLOOR = {
    "all": {"replies": (0.860, 0.036), "units": (0.863, 0.041)},
    "zh": {"replies": (0.845, 0.036), "units": (0.812, 0.031)},
    "en": {"replies": (0.875, 0.036), "units": (0.901, 0.050)},
}
BLIND12_KNOWLEDGE_FLOOR = {"ranked_first": 0.937, "answered": 0.828, "answered_wrong": 2,
                           "off_topic_accepted": 1}  # fmt: skip
# the blind13 part, written at 1051048 by two non-tuners (one per language) and
# label-reviewed by a third (5 labels changed, 3 replies reworded), while round 12's
# tuners were at work, as the fresh held-out part for round 13, measured at its merge
# (engine code as at df94574; load average 12): replies 376/470 right (80.0%), 27 wrong
# (5.7%) (zh 185/235 right, 14 wrong; en 191/235 right, 13 wrong); conversation units
# 195/220 right (88.6%), 2 wrong (zh 91/108, 1 wrong; en 104/112, 1 wrong); knowledge
# right passage first 58/70, answered 49/70, 6 wrong passages, off-topic declined 7/13.
# Held there: right at most a point lower, wrong at most a point higher, knowledge at the
# figures. Measured once more when round 12 ended (1176f8d): replies 81.3% right, 5.1%
# wrong (zh 78.7 / 6.4, en 83.8 / 3.8); units 89.1% / 1.4%; knowledge unchanged. Floors
# unchanged. Round 13's test part, measured when it ended (54284ab): replies 384/470
# right (81.7%), 23 wrong (4.9%) (zh 186 / 14, en 198 / 9); units 196/220 (89.1%), 3
# wrong; knowledge unchanged. Floors unchanged. Spent in round 14 and tuned on; at its
# end (e6f5d0e): replies 436/470 right (92.8%), 3 wrong (0.6%) (zh 215 / 2, en 221 / 1);
# units 210/220 (95.5%), 0 wrong; knowledge 58/70, 49, 6, off-topic declined 8/13. The
# floors are raised to that tuned level (a point either way).
BLIND13_FLOOR = {
    "all": {"replies": (0.917, 0.017), "units": (0.944, 0.010)},
    "zh": {"replies": (0.904, 0.019), "units": (0.915, 0.010)},
    "en": {"replies": (0.930, 0.015), "units": (0.972, 0.010)},
}
BLIND13_KNOWLEDGE_FLOOR = {"ranked_first": 0.828, "answered": 0.700, "answered_wrong": 6,
                           "off_topic_accepted": 5}  # fmt: skip
# the blind14 part, written at 41f3f86 by two non-tuners (one per language) and
# label-reviewed by a third (5 labels changed, 3 replies reworded), while round 13's
# tuners were at work, as the fresh held-out part for round 14, measured at its merge
# (engine code as at 41f3f86; load average 11): replies 362/470 right (77.0%), 27 wrong
# (5.7%) (zh 180/235 right, 16 wrong; en 182/235 right, 11 wrong); conversation units
# 182/208 right (87.5%), 5 wrong (zh 88/96, 1 wrong; en 94/112, 4 wrong); knowledge
# right passage first 59/69, answered 52/69, 4 wrong passages, off-topic declined 12/14.
# Held there: right at most a point lower, wrong at most a point higher, knowledge at the
# figures. Measured once more when round 13 ended (54284ab): replies 77.2% right, 5.5%
# wrong (zh 77.0 / 6.4, en 77.5 / 4.7); units unchanged; knowledge 3 wrong passages, the
# rest unchanged. Floors unchanged. Round 14's test part, measured when it ended
# (e6f5d0e): replies 370/470 right (78.7%), 24 wrong (5.1%) (zh 185 / 13, en 185 / 11);
# units 184/208 (88.5%), 4 wrong; knowledge 59/69, 52, 3, 12/14. Floors unchanged.
# Spent in round 15 and tuned on; at its end (da03ba9): replies 446/470 right (94.9%), 4
# wrong (0.9%) (zh 226 / 4, en 220 / 0); units 200/208 (96.2%), 0 wrong; knowledge
# 60/69, 54, 2, off-topic declined 12/14. The floors are raised to that tuned level (a
# point either way).
BLIND14_FLOOR = {
    "all": {"replies": (0.938, 0.019), "units": (0.951, 0.010)},
    "zh": {"replies": (0.951, 0.028), "units": (0.958, 0.010)},
    "en": {"replies": (0.926, 0.010), "units": (0.945, 0.010)},
}
BLIND14_KNOWLEDGE_FLOOR = {"ranked_first": 0.869, "answered": 0.782, "answered_wrong": 2,
                           "off_topic_accepted": 2}  # fmt: skip
# the blind15 part, written at cf670c8 by two non-tuners (one per language) and
# label-reviewed by a third (5 labels changed), while round 14's tuners were at work, as
# the fresh held-out part for round 15, measured at its merge (engine code as at cf670c8;
# load average 15): replies 383/470 right (81.5%), 18 wrong (3.8%) (zh 185/235 right, 10
# wrong; en 198/235 right, 8 wrong); conversation units 201/220 right (91.4%), 4 wrong
# (zh 100/108, 0 wrong; en 101/112, 4 wrong); knowledge right passage first 54/68,
# answered 45/68, 9 wrong passages, off-topic declined 8/14. Held there: right at most a
# point lower, wrong at most a point higher, knowledge at the figures. Measured when
# round 14 ended (e6f5d0e): replies 390/470 right (83.0%), 17 wrong (3.6%) (zh 189 / 10,
# en 201 / 7); units and knowledge unchanged. Floors unchanged. Round 15's test part,
# measured when it ended (da03ba9): replies 392/470 right (83.4%), 16 wrong (3.4%) (zh
# 189 / 10, en 203 / 6); units and knowledge unchanged. Floors unchanged.
BLIND15_FLOOR = {
    "all": {"replies": (0.804, 0.049), "units": (0.903, 0.029)},
    "zh": {"replies": (0.777, 0.053), "units": (0.915, 0.010)},
    "en": {"replies": (0.832, 0.045), "units": (0.891, 0.046)},
}
BLIND15_KNOWLEDGE_FLOOR = {"ranked_first": 0.794, "answered": 0.661, "answered_wrong": 9,
                           "off_topic_accepted": 6}  # fmt: skip
# the blind16 part, written at 5a85a0c by two non-tuners (one per language) and
# label-reviewed by a third (2 labels changed), while round 15's tuners were at work, as
# the fresh held-out part for round 16, measured at its merge (engine code as at 5a85a0c;
# load average 20): replies 377/470 right (80.2%), 23 wrong (4.9%) (zh 192/235 right, 15
# wrong; en 185/235 right, 8 wrong); conversation units 193/208 right (92.8%), 4 wrong
# (zh 92/96, 0 wrong; en 101/112, 4 wrong); knowledge right passage first 53/69,
# answered 46/69, 10 wrong passages, off-topic declined 8/14. Held there: right at most a
# point lower, wrong at most a point higher, knowledge at the figures. Measured when
# round 15 ended (da03ba9): replies unchanged; units 194/208 (93.3%), 3 wrong (en 102 /
# 3); knowledge unchanged. Floors unchanged.
BLIND16_FLOOR = {
    "all": {"replies": (0.792, 0.059), "units": (0.917, 0.030)},
    "zh": {"replies": (0.807, 0.074), "units": (0.948, 0.010)},
    "en": {"replies": (0.777, 0.045), "units": (0.891, 0.046)},
}
BLIND16_KNOWLEDGE_FLOOR = {"ranked_first": 0.768, "answered": 0.666, "answered_wrong": 10,
                           "off_topic_accepted": 6}  # fmt: skip
# the train1 part, a tuning part (spent from birth: its items and misses are for the
# tuner), written at 98a22bb and measured at a8398b1 (engine code as at 98a22bb; load
# average 9): replies 362/476 right (76.1%), 18 wrong (3.8%) (zh 180/240 right, 11 wrong;
# en 182/236 right, 7 wrong); conversation units 121/162 right (74.7%), 3 wrong (1.9%) (zh
# 66/81, 2 wrong; en 55/81, 1 wrong), whole conversations 34/54; knowledge right passage
# first 45/54, answered 35/54, 8 wrong passages, off-topic declined 9/12. Held there:
# right at most a point lower, wrong at most a point higher, knowledge at the figures.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
# replies raised at c7d217b (round 7, polarity) to the level measured then, the same way
TRAIN1_FLOOR = {
    "all": {"replies": (0.86, 0.033), "units": (0.872, 0.017)},
    "zh": {"replies": (0.869, 0.039), "units": (0.928, 0.023)},
    "en": {"replies": (0.85, 0.027), "units": (0.817, 0.0)},
}
TRAIN1_KNOWLEDGE_FLOOR = {"ranked_first": 0.833, "answered": 0.666, "answered_wrong": 8,
                          "off_topic_accepted": 3}  # fmt: skip

# the train2 part, a tuning part spent from birth (not held out: whoever tunes reads its
# items and misses), written at 98a22bb and measured at 81139f1 (engine code as at
# 98a22bb): replies 371/470 right (78.9%), 26 wrong (5.5%) (zh 179/235 right, 15 wrong;
# en 192/235 right, 11 wrong); conversation units 150/162 right (92.6%), 0 wrong (zh
# 76/81, en 74/81), whole conversations 47/54; knowledge right passage first 51/57,
# answered 49/57, 6 wrong passages, off-topic declined 9/12. Held there: right at most a
# point lower, wrong at most a point higher, knowledge at the measured figures.
# raised at adb5594 (round 6) to the level measured then: right a point lower, wrong a point higher
# replies raised at c7d217b (round 7, polarity) to the level measured then, the same way
TRAIN2_FLOOR = {
    "all": {"replies": (0.854, 0.048), "units": (0.971, 0.0)},
    "zh": {"replies": (0.845, 0.048), "units": (0.99, 0.0)},
    "en": {"replies": (0.862, 0.048), "units": (0.952, 0.0)},
}
TRAIN2_KNOWLEDGE_FLOOR = {"ranked_first": 0.894, "answered": 0.859, "answered_wrong": 6,
                          "off_topic_accepted": 3}  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> ScriptEngine:
    return ScriptEngine()


def test_sets_are_large_varied_and_disjoint():
    replies = load("dev_replies") + load("heldout_replies")
    conversations = load("dev_conversations") + load("heldout_conversations")
    assert len(replies) >= 600 and len(conversations) >= 80
    blind = load("blind_replies")
    by_lang = Counter(i["lang"] for i in blind)
    assert len(blind) >= 400 and by_lang["zh"] >= 200 and by_lang["en"] >= 150, by_lang
    assert len(load("blind_conversations")) >= 45 and len(load("blind_knowledge")) >= 50
    for part in ("dev", "heldout", "blind"):
        items = load(f"{part}_replies")
        by_lang = Counter(i["lang"] for i in items)
        assert by_lang["zh"] >= 150 and by_lang["en"] >= 100, by_lang
        types = {i["type"] for i in items}
        assert {"yesno", "choice", "choice-uncertain", "scale", "datetime", "number",
                "free", "consent", "question", "callback", "refusal", "block",
                "goodbye", "filler"} <= types, types  # fmt: skip
        kinds = {c["kind"] for c in load(f"{part}_conversations")}
        assert {"consent", "several", "correction", "ask-again", "question", "uncertain",
                "negation", "closing", "callback", "block"} <= kinds, kinds  # fmt: skip
    # the held-out part asks other questions, not paraphrases of the dev part's
    dev = {(i["question"], i["reply"]) for i in load("dev_replies")}
    held = {(i["question"], i["reply"]) for i in load("heldout_replies")}
    assert not dev & held
    dev_questions = {i["question"] for i in load("dev_replies")}
    held_questions = {i["question"] for i in load("heldout_replies")}
    assert len(held_questions - dev_questions) >= 0.9 * len(held_questions)
    # the blind part asks other questions again, of other knowledge texts
    pairs = {(i["question"], i["reply"]) for i in blind}
    assert not pairs & dev and not pairs & held, len(pairs & (dev | held))
    blind_questions = {i["question"] for i in blind}
    fresh = blind_questions - dev_questions - held_questions
    assert len(fresh) >= 0.9 * len(blind_questions), len(fresh)
    kb = {p: {i["kb"] for i in load(f"{p}_replies") + load(f"{p}_knowledge")}
          for p in ("dev", "heldout", "blind")}  # fmt: skip
    assert not kb["blind"] & (kb["dev"] | kb["heldout"]), kb
    # (one short question coincides word for word with an earlier part's, of another text)
    asked = {i["question"] for p in ("dev", "heldout") for i in load(f"{p}_knowledge")}
    blind_asked = {i["question"] for i in load("blind_knowledge")}
    same = len(blind_asked & asked)  # a count, not the items: the blind part stays unread
    assert same <= 0.05 * len(blind_asked), same


BLIND2_TYPES = {"yesno", "choice", "choice-uncertain", "scale", "datetime", "number",
                "free", "consent", "question", "callback", "refusal", "block", "goodbye",
                "filler"}  # fmt: skip
BLIND2_KINDS = {"consent", "consent-question", "consent-busy", "consent-no", "several",
                "correction", "ask-again", "question", "uncertain", "negation", "closing",
                "callback", "block", "filler", "plain"}  # fmt: skip


def _no_answer(item: dict) -> bool:
    """A reply whose right outcome is that nothing is collected and the call goes on:
    unclear, off-topic, a question back, a refusal to say."""
    e = item["expect"]
    return bool(e.get("none")) or e.get("flow") == "question"


def test_blind2_part_is_large_varied_and_fresh():
    # counts only, never items: the blind2 part stays unread by whoever tunes
    replies = load("blind2_replies")
    by_lang = Counter(i["lang"] for i in replies)
    assert len(replies) >= 320 and by_lang["zh"] >= 170 and by_lang["en"] >= 130, by_lang
    assert BLIND2_TYPES <= {i["type"] for i in replies}
    scales = {len(i["answers"]) for i in replies if i["type"] == "scale"}
    assert {5, 10} <= scales, scales  # 1-5 and 1-10 scales
    share = sum(map(_no_answer, replies)) / len(replies)
    assert 0.2 <= share <= 0.3, share  # a realistic share where collecting is wrong
    conversations = load("blind2_conversations")
    assert len(conversations) >= 40 and BLIND2_KINDS <= {c["kind"] for c in conversations}
    knowledge = load("blind2_knowledge")
    assert len(knowledge) >= 45 and sum(i["passage_has"] is None for i in knowledge) >= 8
    for items in (conversations, knowledge):
        langs = Counter("en" if i["kb"].endswith("_en") else "zh" for i in items)
        assert min(langs["zh"], langs["en"]) >= 0.4 * len(items), langs
    # fresh questions against every other part, asked of two other knowledge texts
    mine = {i["question"] for i in replies} | {
        q["question"] for c in conversations for q in c["collect"]
    }
    kb = {i["kb"] for i in replies + conversations + knowledge}
    asked = {i["question"] for i in knowledge}
    for part in ("dev", "heldout", "blind"):
        theirs = {i["question"] for i in load(f"{part}_replies")} | {
            q["question"] for c in load(f"{part}_conversations") for q in c["collect"]
        }
        assert not mine & theirs, (part, len(mine & theirs))
        their_kb = {i["kb"] for i in load(f"{part}_replies") + load(f"{part}_knowledge")}
        assert not kb & their_kb, (part, kb & their_kb)
        their_asked = {i["question"] for i in load(f"{part}_knowledge")}
        assert not asked & their_asked, (part, len(asked & their_asked))
    texts = {k: knowledge_text(k) for k in KNOWLEDGE}
    assert all(texts[k] not in (texts[o] for o in texts if o != k) for k in kb), kb


@pytest.mark.parametrize(
    "part", ["blind3", "blind4", "blind5", "blind6", "train1", "train2", "blind7", "blind8",
     "blind9", "blind10", "blind11", "blind12", "blind13", "blind14", "blind15",
     "blind16"]
)
def test_fresh_part_is_large_varied_and_fresh(part):
    # counts only, never items: a fresh part stays unread by whoever tunes
    replies = load(f"{part}_replies")
    by_lang = Counter(i["lang"] for i in replies)
    assert len(replies) >= 450 and min(by_lang["zh"], by_lang["en"]) >= 200, by_lang
    assert BLIND2_TYPES | {"repeat"} <= {i["type"] for i in replies}
    assert len({i["question"] for i in replies}) >= 25
    scales = {len(i["answers"]) for i in replies if i["type"] == "scale"}
    assert {5, 10} <= scales, scales  # 1-5 and 1-10 scales
    share = sum(map(_no_answer, replies)) / len(replies)
    assert 0.2 <= share <= 0.3, share  # a realistic share where collecting is wrong
    for i in replies:  # an expected answer is one the question offers
        assert "answer" not in i["expect"] or i["expect"]["answer"] in i["answers"], i["id"]
        assert "free" not in i["expect"] or not i["answers"], i["id"]
    conversations = load(f"{part}_conversations")
    langs = Counter(c["lang"] for c in conversations)
    assert len(conversations) >= 52 and min(langs.values()) >= 26, langs
    assert BLIND2_KINDS <= {c["kind"] for c in conversations}
    for c in conversations:
        for index, want in c["expect"]["collected"].items():
            offered = c["collect"][int(index)]["answers"]
            assert want is None or isinstance(want, dict) or want in offered, c["id"]
    knowledge = load(f"{part}_knowledge")
    off = sum(i["passage_has"] is None for i in knowledge)
    assert len(knowledge) >= 50 and off >= 10 and len(knowledge) - off >= 40
    langs = Counter(i["kb"][-2:] for i in knowledge)
    assert min(langs["zh"], langs["en"]) >= 0.45 * len(knowledge), langs
    from voxdial.conversation.knowledge import cache_for

    kbs = {k: cache_for(knowledge_text(k)) for k in {i["kb"] for i in knowledge}}
    for i in knowledge:  # each string naming a right passage is in exactly one passage
        wants = i["passage_has"]
        for want in [wants] if isinstance(wants, str) else wants or []:
            holding = [p for p in kbs[i["kb"]].passages if want in p.indexed]
            assert len(holding) == 1, (i["id"], len(holding))
    # fresh against every other part: questions, (question, reply) items, texts
    mine = {i["question"] for i in replies} | {
        q["question"] for c in conversations for q in c["collect"]
    }
    pairs = {(i["question"], i["reply"]) for i in replies}
    kb = {i["kb"] for i in replies + conversations + knowledge}
    assert kb <= set(KNOWLEDGE), kb
    asked = {i["question"] for i in knowledge}
    for earlier in PARTS[: PARTS.index(part)]:
        theirs_replies = load(f"{earlier}_replies")
        theirs = {i["question"] for i in theirs_replies} | {
            q["question"] for c in load(f"{earlier}_conversations") for q in c["collect"]
        }
        assert not mine & theirs, (earlier, len(mine & theirs))
        their_pairs = {(i["question"], i["reply"]) for i in theirs_replies}
        assert not pairs & their_pairs, (earlier, len(pairs & their_pairs))
        their_kb = {i["kb"] for i in theirs_replies + load(f"{earlier}_knowledge")}
        assert not kb & their_kb, (earlier, kb & their_kb)
        their_asked = {i["question"] for i in load(f"{earlier}_knowledge")}
        assert not asked & their_asked, (earlier, len(asked & their_asked))
    texts = {k: knowledge_text(k) for k in KNOWLEDGE}
    assert all(texts[k] not in (texts[o] for o in texts if o != k) for k in kb), kb


def test_a_failed_floor_never_prints_a_miss():
    # pytest shows the objects of a failed assertion: their repr must not hold the notes
    # (a held-out part's misses), only the counts
    tally, knowledge = Tally(), KnowledgeFigures()
    tally.add("missed", "b9r-001 zh yesno 'a held-out reply'")
    knowledge.notes.append("none: 'a held-out question' -> None")
    assert "held-out" not in repr(tally) and "missed=1" in repr(tally)
    assert "held-out" not in repr(knowledge)


def _item(kind: str, reply: str, expect: dict) -> dict:
    return {"id": "t-1", "lang": "en", "type": kind, "name": "Sam", "kb": None,
            "welcome": "Hello {name}, a quick survey. Is now an OK time?",
            "question": "How would you rate us, 1 to 5?", "answers": ["1", "2", "3", "4", "5"],
            "reply": reply, "expect": expect}  # fmt: skip


def test_a_reply_to_the_question_is_heard_once_the_welcome_is_agreed_to():
    # an item answering the question, under a welcome that asks first, is heard after a
    # plain yes has put the question; a reply to the welcome itself is heard at once
    engine = ScriptEngine()
    assert judge_reply(engine, _item("scale", "four i think", {"answer": "4"}))[0] == "right"
    assert judge_reply(engine, _item("scale", "four i think", {"answer": "5"}))[0] == "wrong"
    verdict, got = judge_reply(engine, _item("consent", "sure go ahead", {"flow": "proceed"}))
    assert verdict == "right" and "collect" not in got, got


def _check(figures, part: str, bounds: dict[str, tuple[float, float]], *, notes=True) -> None:
    report = figures.report(part)
    print("\n" + report)  # noqa: T201
    replies, units = figures.replies, figures.conversation_units
    detail = "\n".join(replies.notes + units.notes) if notes else ""
    for name, tally in (("replies", replies), ("units", units)):
        right, wrong = bounds[name]
        assert tally.share("right") >= right, f"{report}\n{detail}"
        assert tally.share("wrong") <= wrong, f"{report}\n{detail}"


TARGETS = {"replies": (RIGHT, WRONG), "units": (RIGHT, WRONG)}


@pytest.fixture(scope="module")
def heldout(engine):
    return evaluate(engine, "heldout")


@pytest.fixture(scope="module")
def dev(engine):
    return evaluate(engine, "dev")


def test_dev_part(dev):
    _check(dev, "dev", TARGETS)


def test_dev_part_holds_its_measured_level(dev):
    _check(dev, "dev", DEV_FLOOR)


def test_heldout_part_meets_the_targets(heldout):
    _check(heldout, "heldout", TARGETS)


def test_heldout_part_holds_its_measured_level(heldout):
    _check(heldout, "heldout", HELDOUT_FLOOR)


@pytest.mark.parametrize("part", ["dev", "heldout"])
def test_knowledge_retrieval(part):
    f = evaluate_knowledge(part)
    print("\n" + f.report(part))  # noqa: T201
    assert f.questions >= 30 and f.off_topic >= 4
    ranked_first, answered = KNOWLEDGE_TARGETS["ranked_first"], KNOWLEDGE_TARGETS["answered"]
    assert f.ranked_first / f.questions >= ranked_first, f"{f.report(part)}\n" + "\n".join(f.notes)
    assert f.answered / f.questions >= answered, f"{f.report(part)}\n" + "\n".join(f.notes)
    assert f.rejected == f.off_topic, f"{f.report(part)}\n" + "\n".join(f.notes)


@pytest.fixture(scope="module")
def blind(engine):
    return evaluate(engine, "blind")


def test_blind_part_holds_its_measured_level(blind):
    # reported on its own; a tuning part since the precision round, so its misses print
    _check(blind, "blind", BLIND_FLOOR)


def test_blind_part_meets_the_targets(blind):
    # a tuning part since the precision round: in-sample, it met the targets in round 6
    _check(blind, "blind", TARGETS)


def _check_knowledge(f, part: str, floor: dict[str, float]) -> None:
    report = f.report(part)  # no notes: the blind parts are not for tuning
    print("\n" + report)  # noqa: T201
    assert f.questions >= 40 and f.off_topic >= 8, report
    assert f.ranked_first / f.questions >= floor["ranked_first"], report
    assert f.answered / f.questions >= floor["answered"], report
    assert f.answered_wrong <= floor.get("answered_wrong", f.questions), report
    assert f.off_topic - f.rejected <= floor["off_topic_accepted"], report


BLIND_KNOWLEDGE_FLOORS = {
    "blind": BLIND_KNOWLEDGE_FLOOR,
    "blind2": BLIND2_KNOWLEDGE_FLOOR,
    "blind3": BLIND3_KNOWLEDGE_FLOOR,
    "blind4": BLIND4_KNOWLEDGE_FLOOR,
    "blind5": BLIND5_KNOWLEDGE_FLOOR,
    "blind6": BLIND6_KNOWLEDGE_FLOOR,
    "blind7": BLIND7_KNOWLEDGE_FLOOR,
    "blind8": BLIND8_KNOWLEDGE_FLOOR,
    "blind9": BLIND9_KNOWLEDGE_FLOOR,
    "blind10": BLIND10_KNOWLEDGE_FLOOR,
    "blind11": BLIND11_KNOWLEDGE_FLOOR,
    "blind12": BLIND12_KNOWLEDGE_FLOOR,
    "blind13": BLIND13_KNOWLEDGE_FLOOR,
    "blind14": BLIND14_KNOWLEDGE_FLOOR,
    "blind15": BLIND15_KNOWLEDGE_FLOOR,
    "blind16": BLIND16_KNOWLEDGE_FLOOR,
    "train1": TRAIN1_KNOWLEDGE_FLOOR,
    "train2": TRAIN2_KNOWLEDGE_FLOOR,
}
_blind_knowledge = functools.cache(evaluate_knowledge)  # one run per part per session


@pytest.mark.parametrize("part", list(BLIND_KNOWLEDGE_FLOORS))
def test_blind_knowledge_holds_its_measured_level(part):
    _check_knowledge(_blind_knowledge(part), part, BLIND_KNOWLEDGE_FLOORS[part])


def _below_targets(params: list, meeting: set, reason: str) -> list:
    """`params` as pytest params, each expected to fail (strict) unless in `meeting`:
    a part that reaches the targets then fails the suite if it falls back."""
    below = pytest.mark.xfail(strict=True, reason=reason)
    return [
        pytest.param(
            p, marks=() if p in meeting else below, id="-".join(p) if isinstance(p, tuple) else p
        )
        for p in params
    ]


# blind7's knowledge reached the targets in round 8 (knowledge2 merged, 2026-12-03);
# blind's in round 9 (knowledge3 merged, 2026-12-04: 86% first, 76% answered, 10/10 declined)
KNOWLEDGE_MEETING = {"blind7", "blind"}


@pytest.mark.parametrize(
    "part",
    _below_targets(
        list(BLIND_KNOWLEDGE_FLOORS), KNOWLEDGE_MEETING,
        "blind knowledge below the dev and held-out targets",
    ),
)  # fmt: skip
def test_blind_knowledge_meets_the_targets(part):
    # the targets the dev and held-out parts are held to; a wrong passage counts against
    # `answered` there, so no separate bound on it (blind2: off-topic questions accepted)
    _check_knowledge(_blind_knowledge(part), part, {**KNOWLEDGE_TARGETS, "off_topic_accepted": 0})


# the fresh parts, reported as a whole and by language; their misses are never printed
BY_LANGUAGE_FLOORS = {
    "blind2": BLIND2_FLOOR,
    "blind3": BLIND3_FLOOR,
    "blind4": BLIND4_FLOOR,
    "blind5": BLIND5_FLOOR,
    "blind6": BLIND6_FLOOR,
    "blind7": BLIND7_FLOOR,
    "blind8": BLIND8_FLOOR,
    "blind9": BLIND9_FLOOR,
    "blind10": BLIND10_FLOOR,
    "blind11": BLIND11_FLOOR,
    "blind12": BLIND12_FLOOR,
    "blind13": BLIND13_FLOOR,
    "blind14": BLIND14_FLOOR,
    "blind15": BLIND15_FLOOR,
    "blind16": BLIND16_FLOOR,
    "train1": TRAIN1_FLOOR,
    "train2": TRAIN2_FLOOR,
}
BY_LANGUAGE = [(part, lang) for part, floors in BY_LANGUAGE_FLOORS.items() for lang in floors]


@pytest.fixture(scope="module")
def by_language(engine):
    """`(part, lang) -> figures`, each scored once per module ("all": both languages)."""
    return functools.cache(
        lambda part, lang: evaluate(engine, part, lang=None if lang == "all" else lang)
    )


def _label(part: str, lang: str) -> str:
    return part if lang == "all" else f"{part} {lang}"


@pytest.mark.parametrize(("part", "lang"), BY_LANGUAGE)
def test_fresh_part_holds_its_measured_level(by_language, part, lang):
    floor = BY_LANGUAGE_FLOORS[part][lang]
    _check(by_language(part, lang), _label(part, lang), floor, notes=False)


# blind2, blind3 and blind4 (tuning parts now) reached the targets, as a whole and in
# Mandarin, once round 8 was merged (2026-12-03); blind2 and blind4 in English and blind8
# in Mandarin with round 10's flows (later topics answered, h/flows4, 2026-12-04); blind9
# (tuned on in round 10) in English once all of round 10 was merged
MEETING = {(part, lang) for part in ("blind2", "blind3", "blind4") for lang in ("all", "zh")}
MEETING |= {("blind2", "en"), ("blind4", "en"), ("blind8", "zh"), ("blind9", "en")}
# blind6 en once its replies to the question were heard after the welcome's yes (round 12)
MEETING |= {("blind6", "en")}
# train1 as a whole once round 12's choices priced by the knowledge ("the cheaper one")
MEETING |= {("train1", "all")}
# blind10 as a whole once round 15's conversation units took its last wrong hedge out
MEETING |= {("blind10", "all")}


@pytest.mark.parametrize(
    "part_lang", _below_targets(BY_LANGUAGE, MEETING, "below the 95% right / 1% wrong targets")
)
def test_fresh_part_meets_the_targets(by_language, part_lang):
    part, lang = part_lang
    _check(by_language(part, lang), _label(part, lang), TARGETS, notes=False)
