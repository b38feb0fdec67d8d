"""The text of a streaming model reply's `"say"` string, cut into clauses as it arrives.

The `openai` engine asks for one JSON object per turn with `say` as its first property;
`SayExtractor` reads that string's characters out of the raw, still incomplete JSON
(escapes split across chunks included) and hands back each clause as soon as it ends,
so speech can start before the reply is complete.
"""

from __future__ import annotations

import re


class SayExtractor:
    """Pulls the text of the `"say"` string out of a JSON reply while it streams, and cuts
    it into clauses so speech can start before the reply is complete."""

    _KEY = re.compile(r'"say"\s*:\s*"')
    _ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "", "f": "", "n": " ", "r": " ", "t": " "}
    # Clause ends: full stops always; commas and colons once the clause has some length.
    # ASCII marks count only before a space ("3.5", "10:30" stay whole).
    _HARD = set("。！？；\n.!?;")
    _SOFT = set("，、：,:")
    _ASCII = set(".!?;,:")

    def __init__(self, *, soft_after: int = 12) -> None:
        self.raw = ""
        self.start: int | None = None
        self.pos = 0
        self.done = False
        self.pending = ""
        self.soft_after = soft_after

    def feed(self, text: str) -> list[str]:
        """Take more reply text; return the clauses completed by it."""
        self.raw += text
        if self.done:
            return []
        if self.start is None:
            m = self._KEY.search(self.raw)
            if m is None:
                return []
            self.start = self.pos = m.end()
        self.pending += self._decode()
        return self._clauses()

    def flush(self) -> list[str]:
        rest, self.pending = self.pending.strip(), ""
        return [rest] if rest else []

    def _decode(self) -> str:
        out = []
        raw, i = self.raw, self.pos
        while i < len(raw):
            ch = raw[i]
            if ch == '"':
                self.done = True
                i += 1
                break
            if ch == "\\":
                if i + 1 >= len(raw):
                    break
                esc = raw[i + 1]
                if esc == "u":
                    if i + 6 > len(raw):
                        break
                    try:
                        out.append(chr(int(raw[i + 2 : i + 6], 16)))
                    except ValueError:
                        pass
                    i += 6
                    continue
                out.append(self._ESCAPES.get(esc, esc))
                i += 2
                continue
            out.append(ch)
            i += 1
        self.pos = i
        return "".join(out)

    def _clauses(self) -> list[str]:
        clauses = []
        start = 0
        text = self.pending
        for i, ch in enumerate(text):
            if ch not in self._HARD and ch not in self._SOFT:
                continue
            if ch in self._SOFT and i - start < self.soft_after:
                continue
            if ch in self._ASCII and not (i + 1 < len(text) and text[i + 1] == " "):
                continue
            clause = text[start : i + 1].strip()
            if clause:
                clauses.append(clause)
            start = i + 1
        self.pending = text[start:]
        if self.done:
            clauses += self.flush()
        return clauses
