"""The text encoding of an uploaded CSV file: UTF-8 (with or without BOM), UTF-16 with
BOM, or GB18030 (a superset of GBK, what Chinese Excel writes), and never two at once.

A file that mixes encodings (a GBK row pasted into a UTF-8 file, or a UTF-8 row into a
GBK one) is refused naming the line at fault: read in either encoding, some of its rows
would be stored garbled.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO

from voxdial.errors import BadRequest


def sniff_encoding(fp: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK, what
    Chinese Excel writes). Decodes the whole file once, incrementally."""
    fp.seek(0)
    head = fp.read(4)
    fp.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        if enc == "gb18030":  # decodes almost any bytes: a UTF-8 file with a GBK row too
            _refuse_mixed_encodings(fp, utf8=False)
        if _decodes(fp, enc):
            return enc
        if enc == "utf-8-sig":
            _refuse_mixed_encodings(fp, utf8=True)
    raise BadRequest("the CSV file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV")


# UTF-8 for U+3000..U+9FFF (CJK punctuation, kana, ideographs): three bytes, E3..E9 first
_UTF8_CJK = re.compile(rb"[\xe3-\xe9][\x80-\xbf][\x80-\xbf]")


def _clearly_utf8(line: bytes) -> bool:
    """Whether a line is UTF-8 Chinese text, not GBK that happens to decode as UTF-8.

    It must decode, with at least two characters beyond ASCII, all of them Chinese (CJK
    ideographs and punctuation, full-width forms, general punctuation such as “”…); and
    the share of common characters among them must beat the line read as GBK by at
    least a half. GBK bytes read as UTF-8, like UTF-8 bytes read as GBK, come out as rare
    characters or other scripts; a genuine line reads as common ones."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if c >= "\x80"]
    if len(wide) < 2 or not all(_CHINESE.match(c) for c in wide):
        return False
    return _common_share(wide) >= _common_share(line.decode("gb18030", errors="replace")) + 0.5


_CHINESE = re.compile("[\u2000-\u206f\u3000-\u9fff\uff00-\uffef\ufeff]")


def _common_share(text: str | list[str]) -> float:
    """The share of a text's non-ASCII characters that are common Chinese characters:
    GB2312's first level (lead bytes B0..D7), the 3,755 most used."""
    wide = [c for c in text if c >= "\x80"]
    common = 0
    for c in wide:
        try:
            lead = c.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= lead <= 0xD7
    return common / len(wide) if wide else 0.0


def _refuse_mixed_encodings(fp: IO[bytes], *, utf8: bool) -> None:
    """Refuse a CSV file whose lines are in two encodings (a GBK row pasted into a UTF-8
    file, or the other way round), naming the first line unlike the rest. Called only
    for a file that is not UTF-8 throughout.

    The file is UTF-8 when it says so (a BOM, `utf8`) or when most of its first
    `_SAMPLE_LINES` non-ASCII lines decode as UTF-8; its first line that does not is
    then at fault. Otherwise it is GBK, and at fault is its first line that is clearly
    UTF-8 Chinese (`_clearly_utf8`): GBK bytes decode as UTF-8 now and then, but seldom
    as Chinese text. Both scans go block by block (blocks end at a line end), in C."""
    if not utf8:
        n_utf8 = n_bad = 0
        for line in _sample_lines(fp):
            if _decodes_utf8(line):
                n_utf8 += 1
            else:
                n_bad += 1
        utf8 = n_utf8 > n_bad
    line_no = 1
    for block in _blocks(fp):
        if utf8:
            try:
                block.decode("utf-8")
            except UnicodeDecodeError as e:
                line = line_no + block.count(b"\n", 0, e.start)
                raise BadRequest(
                    f"line {line} of the CSV file is not UTF-8 like the rest of the file "
                    "(GBK?): save the whole file in one encoding, preferably UTF-8",
                    details=[{"line": line, "encoding": "not utf-8"}],
                ) from None
        else:
            checked = -1
            for m in _UTF8_CJK.finditer(block):
                start = block.rfind(b"\n", 0, m.start()) + 1
                if start == checked:
                    continue
                checked = start
                end = block.find(b"\n", m.end())
                if _clearly_utf8(block[start : None if end < 0 else end]):
                    line = line_no + block.count(b"\n", 0, start)
                    raise BadRequest(
                        f"line {line} of the CSV file is UTF-8 while the rest of the file "
                        "is GBK: save the whole file in one encoding, preferably UTF-8",
                        details=[{"line": line, "encoding": "utf-8"}],
                    )
        line_no += block.count(b"\n")


_SAMPLE_LINES = 1000
_BLOCK = 1 << 20


def _sample_lines(fp: IO[bytes]) -> Iterator[bytes]:
    """The first `_SAMPLE_LINES` lines that are not plain ASCII."""
    fp.seek(0)
    try:
        seen = 0
        while seen < _SAMPLE_LINES and (line := fp.readline(_BLOCK)):
            if not line.isascii():
                seen += 1
                yield line
    finally:
        fp.seek(0)


def _blocks(fp: IO[bytes]) -> Iterator[bytes]:
    """The file in blocks of about `_BLOCK` bytes, each ending at a line end (or EOF),
    so that no character and no line is split between two blocks."""
    fp.seek(0)
    try:
        while block := fp.read(_BLOCK):
            if not block.endswith(b"\n"):
                block += fp.readline()
            yield block
    finally:
        fp.seek(0)


def _decodes_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decodes(fp: IO[bytes], encoding: str) -> bool:
    """Whether the whole file decodes; a NUL character in the text is refused outright
    (the csv module would keep it in a cell: a binary file, or a damaged one)."""
    fp.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := fp.read(1 << 20):
            if "\x00" in decoder.decode(chunk):
                raise BadRequest(
                    "the CSV file contains NUL bytes: it is binary or damaged, not CSV text"
                )
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        fp.seek(0)
    return True
