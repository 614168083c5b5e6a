"""Read a file into a table of raw values, deciding encoding, delimiter and sheets once per file.

Text files (CSV, TSV, TXT, optionally compressed) are read with every column as text, so that
ids keep their leading zeros and numbers and dates are decided per column afterwards
(:mod:`segkit.data.numeric`, :mod:`segkit.data.dates`). The encoding is decided from the bytes: a byte-order mark, else
UTF-8 if the whole sample is valid UTF-8, else the candidate among GB18030 (GBK), Big5,
cp1251 and cp1252 whose text looks like its script (:func:`detect_encoding`). The delimiter is
the one of ``,`` ``;`` tab ``|`` that splits the header and every sampled line into the same
number of fields. Excel workbooks: every sheet with the first sheet's header is read and
stacked, or the one ``sheet`` named. Every decision is returned as a :class:`Decision`.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import lzma
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from segkit.data.columns import COLUMN_ALIASES, normalise_name
from segkit.data.decisions import Decision
from segkit.errors import DataError

READERS: dict[str, str] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".tab": "csv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
}
COMPRESSION: dict[str, object] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".zip": None}
#: pandas' names of those compressions.
PANDAS_COMPRESSION: dict[str, str] = {".zip": "zip", ".gz": "gzip", ".bz2": "bz2", ".xz": "xz"}
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: Encodings tried, in this order, when a file is not UTF-8; GB18030 reads GBK and GB2312 files.
CANDIDATE_ENCODINGS: tuple[str, ...] = ("gb18030", "big5", "cp1251", "cp1252")
#: Bytes of a file looked at to decide its encoding and delimiter.
SAMPLE_BYTES: int = 8 << 20
#: Bytes of that sample whose characters are scored against each candidate's script.
SCORED_BYTES: int = 256 << 10
#: A score below this (0-1: how much of the non-ASCII text looks like its script) is "unsure".
MIN_ENCODING_SCORE: float = 0.6

_KNOWN_NAMES = {alias for aliases in COLUMN_ALIASES.values() for alias in aliases}


@dataclass(frozen=True)
class RawTable:
    """A file's values before any column is interpreted, and what was decided to read it."""

    frame: pd.DataFrame
    decisions: tuple[Decision, ...]


def file_kind(path: Path) -> tuple[str, str | None]:
    """The reader (``csv``, ``parquet``, ``excel``) and the compression suffix of ``path``."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = suffixes.pop() if suffixes and suffixes[-1] in COMPRESSION else None
    kind = READERS.get(suffixes[-1] if suffixes else "")
    if kind is None:
        known = ", ".join(sorted(READERS)) + " (text files optionally compressed: .gz, .bz2, .xz, .zip)"
        raise DataError(
            f"Unknown file type for '{path.name}': segkit reads {known}. "
            "Save the file in one of these formats, or load it yourself and pass the DataFrame."
        )
    return kind, compression


def _open_bytes(path: Path, compression: str | None):
    if compression is None:
        return open(path, "rb")
    if compression == ".zip":
        archive = zipfile.ZipFile(path)
        members = [n for n in archive.namelist() if not n.endswith("/")]
        if len(members) != 1:
            raise DataError(f"'{path.name}' holds {len(members)} files; segkit reads a zip with exactly one. "
                            "Unzip it and pass the transactions file.")
        return archive.open(members[0])
    return COMPRESSION[compression](path, "rb")


def read_sample(path: Path, compression: str | None, size: int | None = SAMPLE_BYTES) -> tuple[bytes, bool]:
    """The first ``size`` bytes of the (decompressed) file (all of it for ``None``) and whether that is all."""
    with _open_bytes(path, compression) as handle:
        if size is None:
            return handle.read(), True
        sample = handle.read(size + 1)
    return sample[:size], len(sample) <= size


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)


def _utf16_without_bom(sample: bytes) -> str | None:
    head = sample[:4096]
    if len(head) < 4:
        return None
    even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
    if odd_nuls > 0.3 * len(head) / 2 and even_nuls < odd_nuls / 10:
        return "utf-16-le"
    if even_nuls > 0.3 * len(head) / 2 and odd_nuls < even_nuls / 10:
        return "utf-16-be"
    return None


def _trim_partial_line(sample: bytes, whole: bool) -> bytes:
    """Cut a sample at its last line break, so a multi-byte character is never split."""
    if whole:
        return sample
    end = sample.rfind(b"\n")
    return sample[: end + 1] if end > 0 else sample


def _header_hits(text: str) -> int:
    header = text.split("\n", 1)[0]
    fields = re.split(r"[,;\t|]", header)
    return sum(normalise_name(f.strip().strip('"')) in _KNOWN_NAMES for f in fields)


def _script_score(text: str, encoding: str) -> float:
    """How much of the non-ASCII text of ``text`` looks like the script ``encoding`` is for (0-1)."""
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 1.0
    if encoding in ("gb18030", "big5"):
        return _cjk_score(wide, encoding)
    words = re.findall(r"[A-Za-z\u00c0-\u00ff\u0400-\u04ff]+", text)
    if encoding == "cp1251":
        # words as Russian writes them: capitalised or lower case, or capitals of two letters or more
        natural = sum(len(w) for w in words if re.fullmatch(r"[А-ЯЁ]?[а-яё]{2,}|[вксоуаия]|[А-ЯЁ]{2,}", w))
        symbols = sum(ch in "№«»–—\u00a0‘’“”…" for ch in wide)
        return (natural + symbols) / len(wide)
    # cp1252: accented letters sit inside words written mostly in ASCII letters
    accented = sum(sum(not ch.isascii() for ch in w) for w in words if sum(ch.isascii() for ch in w) >= len(w) / 2)
    symbols = sum(ch in "€£¥°±²³µ·¼½¾×÷\u00a0’‘“”–—…•™©®§" for ch in wide)
    return (accented + symbols) / len(wide)


def _cjk_score(wide: list[str], encoding: str) -> float:
    """Share of characters that are hanzi or CJK punctuation for this encoding, the frequent ones
    counting in full and the rare ones half.

    GB2312's first level (bytes B0-D7 A1-FE) holds the 3,755 most frequent simplified characters,
    Big5's first block (A440-C67E) the 5,401 most frequent traditional ones. Text in one of the two
    encodings read as the other lands largely outside that block, or on symbols and kana.
    """
    score = 0.0
    for ch in wide:
        raw = ch.encode(encoding, errors="ignore")
        if len(raw) != 2 or not ("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"):
            continue
        lead, trail = raw
        if encoding == "gb18030":
            frequent = (0xB0 <= lead <= 0xD7 and trail >= 0xA1) or lead in (0xA1, 0xA3)
        else:
            frequent = 0xA4 <= lead <= 0xC6 or lead in (0xA1, 0xA2)
        score += 1.0 if frequent else 0.5
    return score / len(wide)


def detect_encoding(sample: bytes, *, whole: bool = True, name: str = "the file") -> Decision:
    """Decide the encoding of a text file from a sample of its bytes.

    Raises
    ------
    DataError
        When no candidate reads the text convincingly; the message names the likeliest.

    Examples
    --------
    >>> detect_encoding("客户ID,日期\\n".encode("gbk")).value
    'gb18030'
    >>> detect_encoding("Клиент;Дата\\n".encode("cp1251")).value
    'cp1251'
    """
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return Decision("file", "encoding", encoding, f"byte-order mark {bom.hex(' ')}")
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return Decision("file", "encoding", utf16, "every other byte is zero (UTF-16 without a byte-order mark)")
    text_bytes = _trim_partial_line(sample, whole)
    try:
        text = text_bytes.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        plain = text.isascii()
        return Decision("file", "encoding", "utf-8",
                        "all bytes are ASCII" if plain else "the text is valid UTF-8")
    scored = []
    head = _trim_partial_line(text_bytes[:SCORED_BYTES], len(text_bytes) <= SCORED_BYTES)
    for encoding in CANDIDATE_ENCODINGS:
        try:
            text_bytes.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = head.decode(encoding)
        scored.append((_header_hits(text), _script_score(text, encoding), encoding))
    if not scored:
        return Decision("file", "encoding", "latin-1",
                        "not valid UTF-8, GB18030, Big5, cp1251 or cp1252; latin-1 reads any byte")
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    hits, score, best = scored[0]
    runner_up = scored[1] if len(scored) > 1 else None
    if hits and (runner_up is None or hits > runner_up[0]):
        return Decision("file", "encoding", best, f"not UTF-8; only as {best} does the header read as "
                        f"known column names ({hits} of them)")
    if score >= MIN_ENCODING_SCORE and (runner_up is None or score > runner_up[1] + 0.2):
        return Decision("file", "encoding", best, f"not UTF-8; as {best}, {score:.0%} of the non-ASCII text is "
                        "ordinary text of its script" + (f" (next best {runner_up[2]}: {runner_up[1]:.0%})"
                                                          if runner_up else ""))
    readings = ", ".join(f"{e} {s:.0%}" for _, s, e in scored)
    raise DataError(
        f"Cannot tell the encoding of {name}: it is not UTF-8, and the candidates read it about equally well "
        f"({readings}); the likeliest is {best}. Set it with the reading parameter, e.g. "
        f"reading: {{encoding: {best}}} (in Python: encoding='{best}'), or re-save the file as UTF-8."
    )


# --------------------------------------------------------------------------------------------
# Delimiter
# --------------------------------------------------------------------------------------------


def detect_delimiter(text: str, *, name: str = "the file", max_lines: int = 200) -> Decision:
    """The delimiter that splits the header and every sampled line into the same number (> 1) of fields.

    Examples
    --------
    >>> detect_delimiter('Kunde;Datum;Betrag\\n1;05.03.2024;"1,5"\\n').value
    "';'"
    """
    lines = text.splitlines()[:max_lines]
    if text and not text.endswith(("\n", "\r")) and len(lines) > 1:
        lines = lines[:-1]  # the sample may end in the middle of a line
    sample = "\n".join(lines)
    fits = []
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        if counts and counts[0] > 1 and all(c == counts[0] for c in counts):
            fits.append((counts[0], delimiter))
    if len(fits) == 1 or (fits and len(lines) >= 2):
        fields, delimiter = max(fits, key=lambda f: f[0]) if len(fits) > 1 else fits[0]
        evidence = f"splits the header and all {len(lines):,} sampled lines into {fields} fields"
        if len(fits) > 1:
            evidence += "; " + ", ".join(f"{DELIMITERS[d]} gives {n}" for n, d in fits if d != delimiter)
        return Decision("file", "delimiter", repr(delimiter), evidence)
    header = lines[0] if lines else ""
    counts = {DELIMITERS[d]: header.count(d) for d in DELIMITERS}
    raise DataError(
        f"Cannot tell the separator of {name}: none of comma, semicolon, tab or pipe splits the header and the "
        f"first {len(lines):,} lines into the same number of fields (in the header: "
        f"{', '.join(f'{k} {v}' for k, v in counts.items())}). Check the file's quoting, or set the separator with "
        "the reading parameter, e.g. reading: {delimiter: ';'} (in Python: delimiter=';')."
    )


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _read_text(path: Path, compression: str | None, *, encoding: str | None, delimiter: str | None,
               sample_bytes: int | None = SAMPLE_BYTES) -> RawTable:
    sample, whole = read_sample(path, compression, sample_bytes)
    if not sample.strip():
        raise DataError(f"The file '{path.name}' is empty. Export the transactions again.")
    decisions = []
    if encoding:
        decisions.append(Decision("file", "encoding", encoding, "given", given=True))
    else:
        decisions.append(detect_encoding(sample, whole=whole, name=f"'{path.name}'"))
    chosen = decisions[-1].value
    try:
        # an incremental decoder leaves a character cut at the sample's end undecoded, in any encoding
        text = codecs.getincrementaldecoder(chosen)().decode(sample, final=whole)
    except (UnicodeDecodeError, LookupError) as error:
        raise DataError(_encoding_message(path, chosen, error)) from None
    if delimiter:
        decisions.append(Decision("file", "delimiter", repr(delimiter), "given", given=True))
    else:
        decisions.append(detect_delimiter(text.lstrip("\ufeff"), name=f"'{path.name}'"))
    sep = delimiter or {repr(d): d for d in DELIMITERS}[decisions[-1].value]
    try:
        frame = _split_fields(path, compression, sep=sep, encoding=chosen)
    except UnicodeDecodeError as error:
        if encoding or whole:
            raise DataError(_encoding_message(path, chosen, error)) from None
        # the sample was plain but the rest is not: decide again from the whole file
        return _read_text(path, compression, encoding=None, delimiter=delimiter, sample_bytes=None)
    except pd.errors.EmptyDataError:
        raise DataError(f"The file '{path.name}' has no header and no rows. Export the transactions again.") from None
    except pd.errors.ParserError as error:
        raise DataError(
            f"Could not split '{path.name}' with the separator {sep!r}: {str(error).splitlines()[0]}. "
            "A line has more fields than the header: check the separator (reading: {delimiter: ...}) "
            "and the quoting of text fields that contain it."
        ) from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return RawTable(frame, tuple(decisions))


def _split_fields(path: Path, compression: str | None, *, sep: str, encoding: str) -> pd.DataFrame:
    """Every field of the file as text (missing when empty), as pandas' C parser splits them.

    pyarrow's reader splits on all cores and keeps the text in Arrow buffers, where pandas' C parser
    makes a Python string per field and converts them back (12.4 s against 3.3 s for 4.9M lines). It
    reads the file when it splits it as pandas would; a file it would split otherwise (rows with fewer
    fields than the header, headers pandas renames: empty or repeated names) or cannot read goes to
    pandas, which also gives the errors their messages.
    """
    frame = _split_with_arrow(path, compression, sep=sep, encoding=encoding)
    if frame is not None:
        return frame
    return pd.read_csv(
        path, sep=sep, dtype=str, encoding=encoding, keep_default_na=False, na_values=[""],
        compression=PANDAS_COMPRESSION.get(compression or ""),
        skipinitialspace=False,
    )


def _split_with_arrow(path: Path, compression: str | None, *, sep: str, encoding: str) -> pd.DataFrame | None:
    """:func:`_split_fields` by pyarrow, or None when pyarrow would split the file differently from pandas."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text = pd.Series([], dtype=str).dtype  # what pandas gives for dtype=str: Arrow-backed text from pandas 3 on
    if not (isinstance(text, pd.StringDtype) and text.storage == "pyarrow"):
        return None
    try:
        names = list(pd.read_csv(path, sep=sep, encoding=encoding, nrows=0, dtype=str,
                                 compression=PANDAS_COMPRESSION.get(compression or "")).columns)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):  # no header, bad bytes: pandas says why
        return None
    if len(set(names)) < len(names) or any(str(n).startswith("Unnamed: ") for n in names):
        return None  # pandas renames empty and repeated names ("Unnamed: 2", "id.1"); pyarrow keeps them
    native = {None: None, ".gz": "gzip", ".bz2": "bz2"}
    source = (pa.input_stream(str(path), compression=native[compression]) if compression in native
              else _open_bytes(path, compression))
    try:
        with source:
            table = pcsv.read_csv(
                source, read_options=pcsv.ReadOptions(encoding=encoding),
                parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
                convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                                    strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowException, UnicodeDecodeError, LookupError):  # e.g. a row with fewer fields than the header
        return None
    if table.column_names != names or any(t != pa.string() for t in table.schema.types):
        return None
    return table.to_pandas(types_mapper={pa.string(): text}.get)


def _encoding_message(path: Path, encoding: str, error: Exception) -> str:
    detail = f"byte {error.start} cannot be decoded" if isinstance(error, UnicodeDecodeError) else str(error)
    try:
        likely = detect_encoding(read_sample(path, file_kind(path)[1])[0]).value
    except DataError:
        likely = "cp1252"
    return (
        f"'{path.name}' is not valid {encoding} text ({detail}). The file reads best as {likely}: set it with the "
        f"reading parameter, reading: {{encoding: {likely}}} (in Python: encoding='{likely}'), or re-save the "
        "file as UTF-8."
    )


def _read_excel(path: Path, *, sheet: str | int | None) -> RawTable:
    try:
        sheets = pd.read_excel(path, sheet_name=None if sheet is None else sheet, dtype=object)
    except ValueError as error:
        if sheet is not None and "not found" in str(error).lower():
            names = pd.ExcelFile(path).sheet_names
            raise DataError(f"'{path.name}' has no sheet {sheet!r}; its sheets are {names}. "
                            "Set reading: {sheet: <name>} to one of them.") from None
        raise
    if sheet is not None:
        frame = sheets
        return RawTable(frame, (Decision("file", "sheets", repr(sheet), f"given; {len(frame):,} rows", given=True),))
    sheets = {name: frame for name, frame in sheets.items() if frame.shape[1] > 0}
    if not sheets:
        raise DataError(f"Every sheet of '{path.name}' is empty. Export the transactions again.")
    first_name, first = next(iter(sheets.items()))
    header = [normalise_name(c) for c in first.columns]
    same = {n: f for n, f in sheets.items() if [normalise_name(c) for c in f.columns] == header}
    other = [n for n in sheets if n not in same]
    for frame in same.values():
        frame.columns = first.columns
    stacked = pd.concat(list(same.values()), ignore_index=True) if len(same) > 1 else first
    evidence = "; ".join(f"{n!r}: {len(f):,} rows" for n, f in same.items())
    if len(same) > 1:
        evidence = "stacked, same header: " + evidence
    if other:
        evidence += f"; skipped (another header): {', '.join(repr(n) for n in other)}, set reading: {{sheet: ...}} to read one"
    return RawTable(stacked, (Decision("file", "sheets", ", ".join(repr(n) for n in same), evidence),))


def read_raw(
    path: str | Path, *, encoding: str | None = None, delimiter: str | None = None, sheet: str | int | None = None
) -> RawTable:
    """Read ``path`` into a table of raw values and the decisions made to read it.

    Raises
    ------
    DataError
        Missing, empty, unknown or unreadable file; undecidable encoding or delimiter.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"File not found: '{path}'. Check the path (relative paths are read from the project root).")
    if path.stat().st_size == 0:
        raise DataError(f"The file '{path.name}' is empty (0 bytes). Export the transactions again.")
    kind, compression = file_kind(path)
    if kind == "csv":
        return _read_text(path, compression, encoding=encoding, delimiter=delimiter)
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
            return RawTable(frame, (Decision("file", "format", "Parquet", "typed columns, read as stored"),))
        return _read_excel(path, sheet=sheet)
    except DataError:  # already names the problem and the fix (DataError is a ValueError)
        raise
    except (ValueError, OSError, ImportError, KeyError) as error:
        raise DataError(
            f"Could not read '{path.name}' as {kind}: {str(error).splitlines()[0] if str(error) else type(error).__name__}. "
            "Check that the file is not truncated and that its extension matches its content."
        ) from None
