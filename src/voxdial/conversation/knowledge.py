"""Questions about the product answered from an assistant's `knowledge` text.

The text is split into short passages that can be spoken as an answer (paragraphs;
`Q:`/`A:` and `问：`/`答：` pairs; items of numbered or bulleted lists). A question is
scored against every passage twice -- BM25 (jieba words, Chinese character uni- and
bigrams, lower-cased English words; colloquial words expanded through `_CONCEPTS`) and
the cosine of sentence embeddings -- and the two are fused for ranking:

    score = COSINE_WEIGHT * cosine + (1 - COSINE_WEIGHT) * bm25 / max(best bm25, floor)

`answer()` needs an absolute measure instead, so it uses

    confidence = CONFIDENCE_COSINE * cosine + (1 - CONFIDENCE_COSINE) * bm25_share

where `bm25_share` is the passage's BM25 over the most the question's terms could score
(the sum of their idf x (k1 + 1)): "how much of what was asked appears here". A passage
that states the kind of fact the question asks for (an address for "在哪", a price for
"多少钱": `answer_types`) gets KIND_BONUS in ranking and KIND_CONFIDENCE (by kind) in
confidence. Two checks keep off-topic questions
out: the confidence drops by UNKNOWN_PENALTY times the share of the question's words the
whole text never uses ("燃气费" asked of a water utility), and a "do you sell / have X"
question (你们卖不卖X, 有没有X) is answered only by a passage naming X's specific words
(`knowledge_terms.evidenced`). Terms and word groups live in knowledge_terms.py.

The weights, KIND_BONUS and ANSWER_THRESHOLD were tuned on
tests/data/knowledge_questions.jsonl and the dev, heldout and blind parts of
tests/data/eval/; blind2 was the held-out check of the knowledge4 round (measured once
before and once after, docs/knowledge-round4.md), and is spent since. See BENCHMARKS.md
"Knowledge retrieval".
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from voxdial.conversation import answer_types
from voxdial.conversation.embeddings import SentenceEncoder, get_encoder
from voxdial.conversation.knowledge_terms import (
    _FILLERS,  # noqa: F401 (_jieba: polarity.py's)
    _jieba,
    _normalise,
    _stem,
    asked_about,
    evidenced,
    expansions,
    names_all,
    refers_only,
    tokenize,
    unknown_offer,
    unknown_share,
)

COSINE_WEIGHT = 0.6  # ranking: cosine vs BM25 relative to the best passage
BM25_FLOOR = 0.4  # ... or to this share of the question's BM25 ceiling, if higher
CONFIDENCE_COSINE = 0.6  # confidence: cosine vs BM25 share of the ceiling
ANSWER_THRESHOLD = 0.18
KIND_BONUS = 0.10  # ranking: the passage states the kind of fact asked for
KIND_CONFIDENCE = {"place": 0.15, "hours": 0.15, "phone": 0.15}  # else KIND_BONUS
OFFER_EVIDENCE = True
NUMBER_STATED = True  # a question for a phone number is answered only by a passage with one
OFFER_HEAD = True  # "do you do ear piercing": the thing's head noun must be used by the text
UNKNOWN_PENALTY = 0.05  # confidence: less by this times the share of words the text never uses
KIND_FACT_RANKS = 3  # a passage stating the fact asked for answers from this high a rank
NAMED_LIFT = True  # the kind's lift in confidence only for a passage naming what is asked of
MARGIN = 0.01  # answer(): the best passage must lead the next one on another thing by this
TOPIC_TIES = True  # a near tie is settled by the call's topic when it clearly favours one
TOPIC_MARGIN = 0.05  # ... by this much in the topic's own ranking score
ADDRESS_NAMED = True  # "where is the X branch": a street address naming X, when there is one
REFERRED_BY_TOPIC = True  # "how much is it": the passage the call's topic ranks first
MARGIN_RANKS = 6  # ... looked for among this many ranks (items of one list are skipped)
MAX_SPOKEN_UNITS = 110  # ~25 s of speech: a CJK character or an English word is one unit

# a price named as what a question is about ("can my price go up", "还要付违约费用吗"), not
# the form of asking for a figure ("how much", "is it cheaper", "咋收费")
_PRICE_NOUNS = re.compile(r"\b(?:prices?|fees?|charges?)\b|价格|费用", re.I)
# a number one can dial: a short service number ("96118") too, which is no phone fact
_DIALLED = re.compile(r"\d[\d -]{3,}\d")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_QUESTION = re.compile(r"^\s*(?:问|Q|question)\s*[:：.、]\s*", re.I)
_ANSWER = re.compile(r"^\s*(?:答|A|answer)\s*[:：.、]\s*", re.I)
_ITEM = re.compile(
    r"^\s*(?:[-*•·●▪]\s+|\d{1,2}\s*[.、)）]\s*|[（(]\d{1,2}[)）]\s*|[一二三四五六七八九十]{1,2}、\s*)"
)
_SENTENCE_END = re.compile(rf"(?<=[。！？!?；;])|(?<=[.])\s+(?=[A-Z{_CJK}])")


def spoken_units(text: str) -> int:
    return len(re.findall(rf"[{_CJK}]", text)) + len(re.findall(r"[A-Za-z0-9]+", text))


@dataclass(frozen=True)
class Passage:
    text: str  # what is said as the answer
    context: str = ""  # indexed with the text, not spoken: a Q/A question, a list lead-in
    group: int = field(default=-1, compare=False)  # items of one list share a group

    @property
    def indexed(self) -> str:
        return f"{self.context} {self.text}".strip()


@dataclass
class KnowledgeHit:
    passage: str
    index: int
    score: float
    bm25: float
    cosine: float
    confidence: float = 0.0  # what answer() compares with the threshold


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _fit(text: str, context: str, max_units: int) -> list[Passage]:
    """A passage per paragraph, or per run of whole sentences when it is too long."""
    if spoken_units(text) <= max_units:
        return [Passage(text, context)]
    out: list[Passage] = []
    chunk = ""
    for sentence in _sentences(text):
        joined = _join(chunk, sentence)
        if chunk and spoken_units(joined) > max_units:
            out.append(Passage(chunk, context))
            joined = sentence
        chunk = joined
    if chunk:
        out.append(Passage(chunk, context))
    return out


def _join(a: str, b: str) -> str:
    if not a:
        return b
    return f"{a} {b}" if a[-1].isascii() and b[:1].isascii() else a + b


def _join_lines(lines: list[str]) -> str:
    text = ""
    for line in lines:
        text = _join(text, line.strip())
    return text


def split_passages(text: str, *, max_units: int = MAX_SPOKEN_UNITS) -> list[Passage]:
    """Split a knowledge text into passages short enough to speak."""
    passages: list[Passage] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        if any(_QUESTION.match(ln) for ln in lines) and any(_ANSWER.match(ln) for ln in lines):
            passages += _split_qa(lines, max_units)
        elif any(_ITEM.match(ln) for ln in lines):
            passages += [replace(p, group=len(passages)) if p.context else p
                         for p in _split_list(lines, max_units)]  # fmt: skip
        else:
            passages += _fit(_join_lines(lines), "", max_units)
    return passages


def _split_qa(lines: list[str], max_units: int) -> list[Passage]:
    out: list[Passage] = []
    question: list[str] = []
    answer: list[str] = []
    current: list[str] | None = None

    def flush() -> None:
        if answer:
            out.extend(_fit(_join_lines(answer), _join_lines(question), max_units))
        elif question:
            out.extend(_fit(_join_lines(question), "", max_units))

    for line in lines:
        if _QUESTION.match(line):
            flush()
            question, answer = [_QUESTION.sub("", line, count=1)], []
            current = question
        elif _ANSWER.match(line):
            answer = [_ANSWER.sub("", line, count=1)]
            current = answer
        elif current is not None:
            current.append(line)
        else:  # text before the first question stands on its own
            out.extend(_fit(line.strip(), "", max_units))
    flush()
    return out


def _split_list(lines: list[str], max_units: int) -> list[Passage]:
    out: list[Passage] = []
    lead: list[str] = []
    items: list[list[str]] = []
    for line in lines:
        if _ITEM.match(line):
            items.append([_ITEM.sub("", line, count=1)])
        elif items:
            items[-1].append(line)  # a wrapped item
        else:
            lead.append(line)
    context = _join_lines(lead)
    if context and not context.rstrip().endswith((":", "：")):
        out.extend(_fit(context, "", max_units))  # a lead-in that says something itself
    context = context.rstrip(":： ")
    for item in items:
        out.extend(_fit(_join_lines(item), context, max_units))
    return out


class BM25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, documents: list[list[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(doc) for doc in documents]
        self.lengths = np.array([len(doc) for doc in documents], dtype=np.float64)
        self.avgdl = float(self.lengths.mean()) if documents else 0.0
        self.n = len(documents)
        df = Counter(term for doc in self.tf for term in doc)
        self.idf = {term: self.idf_of(count) for term, count in df.items()}

    def idf_of(self, df: int) -> float:
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: list[str], *, extra: dict[str, float] | None = None) -> np.ndarray:
        """Scores of every document; `extra` adds weighted terms (query expansion)."""
        out = np.zeros(self.n)
        if not self.n:
            return out
        norm = self.k1 * (1.0 - self.b + self.b * self.lengths / max(self.avgdl, 1e-9))
        weights = dict.fromkeys(query, 1.0)
        for term, weight in (extra or {}).items():
            weights.setdefault(term, weight)
        for term, weight in weights.items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([doc.get(term, 0) for doc in self.tf], dtype=np.float64)
            out += weight * idf * tf * (self.k1 + 1.0) / (tf + norm)
        return out

    def ceiling(self, query: list[str]) -> float:
        """The most `query` could score: every term matched (unseen terms count too)."""
        return sum(self.idf.get(t, self.idf_of(0)) for t in set(query)) * (self.k1 + 1.0)


def _clean_question(text: str) -> str:
    cleaned = _FILLERS.sub(" ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" ，,。.?？")
    return cleaned or text.strip()


class KnowledgeBase:
    def __init__(
        self,
        passages: list[Passage],
        *,
        encoder: SentenceEncoder,
        threshold: float = ANSWER_THRESHOLD,
        cosine_weight: float = COSINE_WEIGHT,
    ) -> None:
        self.passages = passages
        self.encoder = encoder
        self.threshold = threshold
        self.cosine_weight = cosine_weight
        self.bm25 = BM25([tokenize(p.indexed) for p in passages])
        self._text = _normalise(" ".join(p.indexed for p in passages))
        self._vocabulary = {t for p in passages for t in tokenize(p.indexed, bigrams=False)}
        # One vector per passage, of its text with its Q/A question or list lead-in.
        # (Also embedding each sentence and taking the best was tried: it lost 7 of 64
        # labelled questions to generic sentences such as "客服热线二十四小时有人接听".)
        self._offers = [answer_types.offered(p.text) for p in passages]
        self._addresses = [bool(answer_types.ADDRESS.search(p.text)) for p in passages]
        self._vectors = (
            encoder.encode([p.indexed for p in passages])
            if passages
            else np.zeros((0, 1), dtype=np.float32)
        )

    @classmethod
    def from_text(
        cls, text: str, *, encoder: SentenceEncoder | None = None, **options
    ) -> KnowledgeBase:
        """Split `text` into passages and index them (`encoder`: the packaged USE model)."""
        return cls(split_passages(text), encoder=encoder or get_encoder(), **options)

    def __len__(self) -> int:
        return len(self.passages)

    def _score(self, question: str) -> tuple[np.ndarray, ...]:
        terms = [self._known_form(t) for t in tokenize(question)]
        bm25 = self.bm25.scores(terms, extra=expansions(question))
        ceiling = self.bm25.ceiling(terms)
        share = np.minimum(bm25 / ceiling, 1.0) if ceiling > 0 else np.zeros_like(bm25)
        # ranking: BM25 relative to the best passage, unless even that one matched
        # little of the question (then relative to BM25_FLOOR of the ceiling)
        scale = max(float(bm25.max()), BM25_FLOOR * ceiling, 1e-9)
        query = self.encoder.encode([_clean_question(question)])[0]
        cosine = (self._vectors @ query).astype(np.float64)
        fused = self.cosine_weight * cosine + (1.0 - self.cosine_weight) * bm25 / scale
        confidence = CONFIDENCE_COSINE * cosine + (1.0 - CONFIDENCE_COSINE) * share
        if UNKNOWN_PENALTY:
            confidence = confidence - UNKNOWN_PENALTY * unknown_share(
                question, self._vocabulary, self._text
            )
        kinds = answer_types.wanted(question)
        if kinds:  # "营业厅在哪" wants the passage with an address, not the opening hours
            states = np.array([bool(kinds & o) for o in self._offers_for(question)],
                              dtype=np.float64)  # fmt: skip
            named = self._names_asked(question)
            # in ranking too the bonus goes to a fact about the thing asked of, when a
            # passage names it: "can the installer come on a saturday" is met by the
            # installation windows, not by the help desk's hours (round 9)
            fused = fused + KIND_BONUS * states * (named if named.any() else 1.0)
            # a price passage is met by any price question ("电费怎么这么贵" of a water
            # text); "where are you located?" has nothing but its kind to go on
            lift = max(KIND_CONFIDENCE.get(k, KIND_BONUS) for k in kinds)
            confidence = confidence + lift * states * named
        return fused, bm25, cosine, confidence

    def _known_form(self, term: str) -> str:
        """`term`, or the verb of an English "-er" / "-or" noun the text does not use
        when the text uses the verb ("installer" of a text saying "installs")."""
        if term in self.bm25.idf or not term.endswith(("er", "or")) or len(term) < 6:
            return term
        root = _stem(term[:-2])
        return root if root in self.bm25.idf else term

    def _names_asked(self, question: str) -> np.ndarray:
        """1 for each passage naming every content word of `question` (itself or by a
        word of its group), else 0: the lift of stating the kind of fact asked for goes
        to a fact about the thing asked of, not to any price ("how much is a hearing
        test" of a dentist's text is not met by the check-up's price)."""
        about = [self._known_form(w) for w in asked_about(question)]
        if not about or not NAMED_LIFT:
            return np.ones(len(self.passages))
        return np.array([names_all(about, p.indexed) for p in self.passages], dtype=np.float64)

    def _offers_for(self, question: str) -> list[frozenset[str]]:
        """The kinds of fact each passage states, as evidence for `question`: "where
        are you", "what's your address" (about the business itself, nothing else named)
        is met by a street address only, not by "the gym on the second floor"; so is
        "天河那边在哪里" when a passage with a street address names 天河 (not the metro
        exit of the directions)."""
        if "place" not in answer_types.wanted(question) or not any(self._addresses):
            return self._offers
        about = [self._known_form(w) for w in asked_about(question)]
        if about and not (ADDRESS_NAMED and not answer_types.DIRECTIONS.search(question) and any(
            street and _says_all(about, p.indexed)
            for p, street in zip(self.passages, self._addresses, strict=True)
        )):  # fmt: skip
            return self._offers
        return [o if street else o - {"place"}
                for o, street in zip(self._offers, self._addresses, strict=True)]  # fmt: skip

    def search(self, question: str, k: int = 3) -> list[KnowledgeHit]:
        """The `k` best passages for `question`, best first."""
        if not self.passages or not question.strip():
            return []
        fused, bm25, cosine, confidence = self._score(question)
        ranked = list(np.argsort(-fused, kind="stable"))
        order = ranked[:k]
        listed = [i for i in ranked[:5] if self.passages[i].group >= 0]
        if listed and answer_types.superlative(question):
            # "最便宜的那个": the item of the best-ranked list with the lowest price
            group = self.passages[listed[0]].group
            items = [i for i, p in enumerate(self.passages) if p.group == group]
            best = self._superlative(question, items)
            if best is not None and best != order[0]:
                fused = fused.copy()
                fused[best], confidence = fused[order[0]], confidence.copy()
                confidence[best] = max(confidence[best], confidence[order[0]])
                order = [best, *[i for i in order if i != best]][:k]
        return [
            KnowledgeHit(
                self.passages[i].text,
                int(i),
                float(fused[i]),
                float(bm25[i]),
                float(cosine[i]),
                float(confidence[i]),
            )
            for i in order
        ]

    def answer(self, question: str, *, topic: str = "") -> KnowledgeHit | None:
        """The best passage when it is likely to answer `question`, else None. When it
        is an item of a list and the question names none of the items ("套餐多少钱"),
        the whole list is the answer; "最便宜的" picks the item with the lowest price.
        `topic` (the question the call is asking, or its opening) settles a near tie:
        "when would it start" asked about flood cover is about the flood cover passage."""
        hits = self.search(question, k=MARGIN_RANKS)
        if not hits:
            return None
        fact = self._kind_fact(question, hits[:KIND_FACT_RANKS])
        if REFERRED_BY_TOPIC and topic.strip() and refers_only(question):
            # "how much do you charge for it": "it" is what the call is asking about
            fact = self._referred(question, topic, hits)
            if fact is None:
                return None
        if fact is not None:
            hits = [fact]
        elif self._undecided(question, hits):
            settled = self._by_topic(topic, hits)
            if settled is None:
                return None  # two passages on different things fit alike: "noted" is safer
            hits = [settled]
        elif hits[0].confidence < self.threshold:
            return None
        if OFFER_EVIDENCE and not evidenced(question, self.passages[hits[0].index].indexed):
            return None  # "do you sell X" answered by a passage that never names X
        if OFFER_HEAD and unknown_offer(question, self._vocabulary, self._text):
            return None  # "do you do ear piercing" of a text on ear wax only
        if NUMBER_STATED and self._number_missing(question, hits[0].index):
            return None  # "what number do I call to cancel": a passage with no number
        hit = hits[0]
        group = self.passages[hit.index].group
        if group < 0:
            return hit
        items = [i for i, p in enumerate(self.passages) if p.group == group]
        best = self._superlative(question, items)
        if best is not None:
            return replace(hit, passage=self.passages[best].text, index=best)
        if self._singles_out(question, hit.index, items):
            return hit
        lead = self.passages[hit.index].context
        zh = bool(re.search(rf"[{_CJK}]", lead + self.passages[hit.index].text))
        said = [self.passages[i].text.rstrip("。.;；，, ") for i in items]
        head = f"{lead}：" if zh and lead else f"{lead}: " if lead else ""
        spoken = head + ("；" if zh else "; ").join(said) + ("。" if zh else ".")
        if spoken_units(spoken) > MAX_SPOKEN_UNITS:
            return hit
        return replace(hit, passage=spoken)

    def _referred(self, question: str, topic: str, hits: list[KnowledgeHit]) -> KnowledgeHit | None:
        """Of the passages stating the kind of fact asked for, the one the call's topic
        ranks first, when it leads the next one by TOPIC_MARGIN; else None: a question
        about "it" alone is not met by a passage the call is not about ("how much is it"
        during the delivery questions)."""
        kinds = answer_types.wanted(question)
        fits = [h for h in hits if kinds & self._offers[h.index]]
        if not fits:
            return None
        fused = self._score(topic)[0]
        fits.sort(key=lambda h: -fused[h.index])
        if len(fits) > 1 and fused[fits[0].index] - fused[fits[1].index] < TOPIC_MARGIN:
            return None
        return fits[0]

    def _number_missing(self, question: str, index: int) -> bool:
        """Whether `question` asks for a phone number that passage `index` does not state."""
        return bool(answer_types.NUMBER_ASKED.search(question)) and not _DIALLED.search(
            self.passages[index].text
        )

    def _by_topic(self, topic: str, hits: list[KnowledgeHit]) -> KnowledgeHit | None:
        """Of the two tied passages, the one the call's topic clearly favours (by
        TOPIC_MARGIN in the ranking score of the topic as a question), else None."""
        if not topic.strip() or not TOPIC_TIES:
            return None
        top = hits[0]
        group = self.passages[top.index].group
        other = next((h for h in hits[1:]
                      if group < 0 or self.passages[h.index].group != group), None)  # fmt: skip
        if other is None:
            return None
        fused = self._score(topic)[0]
        lead = float(fused[top.index] - fused[other.index])
        if abs(lead) < TOPIC_MARGIN:
            return None
        best = top if lead > 0 else other
        return best if best.confidence >= self.threshold else None

    def _undecided(self, question: str, hits: list[KnowledgeHit]) -> bool:
        """Whether the best passage leads the best passage on something else (not an
        item of its own list) by less than MARGIN in the ranking score. On the spent
        parts such near ties were mostly a wrong passage or an off-topic question that
        met two passages by its form ("多少", "how long"), rarely a right answer. A tie
        is settled when only the best passage states the kind of fact asked for."""
        top = hits[0]
        group = self.passages[top.index].group
        if group >= 0 and answer_types.superlative(question):
            return False  # "最便宜的那个": the list decides, by its figures
        kinds, offers = answer_types.wanted(question), self._offers_for(question)
        for other in hits[1:]:
            if group < 0 or self.passages[other.index].group != group:
                if kinds & offers[top.index] and not kinds & offers[other.index]:
                    return False
                return top.score - other.score < MARGIN
        return False

    def _kind_fact(self, question: str, hits: list[KnowledgeHit]) -> KnowledgeHit | None:
        """ "Where are you located?", "is there a number for claims", "你们客服电话多少":
        a question for a kind of fact (answer_types) about nothing but things a passage
        stating that kind names. The best-ranked such passage answers it, under the
        threshold too, and over a better-ranked passage that states no such fact (the
        claims procedure without the claims line's number). A question naming anything no
        such passage names is left to the usual confidence."""
        kinds = answer_types.wanted(question)
        if not kinds:
            return None
        about = asked_about(question)
        offers = self._offers_for(question)
        top = hits[0]
        if top.confidence >= self.threshold and (
            kinds & offers[top.index] or not answer_types.wanted(_PRICE_NOUNS.sub(" ", question))
        ):
            # the usual answer states such a fact ("送到几点": "派送时间…"), or the kind
            # is a price named as the question's topic, not a figure asked for: "can my
            # price go up" is not met by any price, as "is it cheaper" or "客服电话多少" is
            return None
        for hit in hits:
            passage = self.passages[hit.index].indexed
            if kinds & offers[hit.index] and names_all(about, passage):
                return hit
        return None

    def _superlative(self, question: str, items: list[int]) -> int | None:
        wanted = answer_types.superlative(question)
        if wanted is None:
            return None
        pattern, largest = wanted
        figures = [(answer_types.figure(pattern, self.passages[i].text), i) for i in items]
        known = [(f, i) for f, i in figures if f is not None]
        if len(known) < 2:
            return None
        return (max(known) if largest else min(known))[1]

    def _singles_out(self, question: str, index: int, items: list[int]) -> bool:
        """The question names something only this item of the list says."""
        asked = set(tokenize(question, bigrams=False))
        own = set(tokenize(self.passages[index].text, bigrams=False))
        others = set().union(
            *(tokenize(self.passages[i].text, bigrams=False) for i in items if i != index)
        )
        return bool(asked & (own - others))


def _says_all(words: list[str], passage: str) -> bool:
    """Whether `passage` uses every one of `words` itself (not a word of its group: a
    council office's address does not name "the tip" by saying "recycling")."""
    text = _normalise(passage)
    terms = set(tokenize(passage, bigrams=False))
    return all(w in terms or (not w.isascii() and w in text) for w in words)


_CACHE: OrderedDict[tuple[str, int], KnowledgeBase] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def cache_for(text: str, *, encoder: SentenceEncoder | None = None) -> KnowledgeBase:
    """The indexed knowledge base of `text`, built once per process (LRU of 32)."""
    encoder = encoder or get_encoder()
    key = (hashlib.sha256(text.encode()).hexdigest(), id(encoder))
    with _CACHE_LOCK:
        kb = _CACHE.get(key)
        if kb is not None:
            _CACHE.move_to_end(key)
            return kb
    kb = KnowledgeBase.from_text(text, encoder=encoder)
    with _CACHE_LOCK:
        kb = _CACHE.setdefault(key, kb)
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return kb


def warm(model_dir: str | None = None) -> None:
    """Load jieba's dictionary and the sentence encoder (a few seconds) ahead of calls."""
    _jieba()
    get_encoder(model_dir).warm()
