"""Compare what two programs printed: the numbers, line by line, within tolerances.

Pure Python, no TensorFlow, cheap to import.

How standard output is read
---------------------------
1. Terminal control is applied the way a terminal shows it: ANSI colour codes are
   dropped, ``\\r`` and ``\\b`` move the cursor and later text overwrites.
2. A line that opens more ``[`` than it closes is joined with its indented
   continuation lines, so a NumPy array wrapped differently still reads as one record.
3. Keras display output is reduced to what it means, identically for Keras 2.3.1 and
   Keras 3 (whose progress bars, summaries and headers look different):

   * ``Epoch i/N`` (N > 1) followed by the epoch's final progress line becomes one
     record: the epoch and its metrics by name (``loss``, ``accuracy``, ``val_loss`` ...).
     Timings, ETAs, sample or step counters, intermediate progress lines, progress bars
     of ``evaluate``/``predict`` and single-epoch fits are display only and ignored
     (Keras 3 prints no ``Epoch 1/1`` header and shows ``evaluate`` metrics where
     Keras 2.3.1 shows none).
   * ``Train on N samples ...`` / ``Train for N steps ...`` banners are ignored.
   * A ``model.summary()`` table becomes one record with its trainable and
     non-trainable parameter counts (layer names and the table drawing differ between
     Keras versions; Keras 3's total also counts optimizer variables).

4. Blank lines and lines made only of rule characters (``____``, ``====``, box drawing)
   are ignored; whitespace inside a line does not matter; ``0x...`` addresses and
   wall-clock times (``2016-02-11T10:21:05.123456``, ``10:21:05``) are masked.
5. A symbolic tensor's description, ``Tensor("MatMul:0", shape=(?, 1), dtype=float32)``
   (what TF 1 printed for a graph tensor, and TF 2 for a traced function's output), is
   compared by its shape and dtype: the name is where the graph put the op (TF 2's trace
   names its outputs ``Identity``), and TF 1 wrote an unknown dimension ``?`` where TF 2
   writes ``None``.  A variable's, ``<tf.Variable 'W:0' shape=(1, 1) dtype=float32_ref>``
   in TF 1, is compared by its name, shape and dtype too: TF 2's eager variable adds its
   value (``, numpy=array(...)``), which TF 1's description did not have.
6. NumPy 2 prints scalars inside containers as ``np.float32(0.5)`` where NumPy 1
   printed ``0.5`` (NEP 51): that wrapper is removed, on both sides.  A ``tf.Tensor(...)``
   wrapper is **not** removed: printing a tensor where the original printed a number is
   a real difference in what the program shows, and it is reported.

Every remaining record has a *skeleton* (its text with each number replaced by ``#``)
and a list of numbers.  Two records agree when their skeletons are equal and their
numbers agree pairwise:

* integers (no ``.`` and no exponent on both sides) must differ by at most ``atol``
  (so, by default, be equal): they are steps, counts and labels;
* otherwise ``|a - b| <= atol + rtol * max(|a|, |b|)``;
* or, a rounding flip at the print boundary: both printed with the same resolution (for
  example ``%.4f``), at most one unit in the last digit apart, and that unit at most 1%
  of the value.  ``loss: 0.0734`` and ``loss: 0.0735`` can be the same true value
  rounded on either side; ``0.6`` and ``0.7`` are not accepted (a print that coarse
  proves nothing, and NumPy/``repr`` print short numbers without any rounding);
* ``nan`` agrees with ``nan``, ``inf`` with ``inf`` of the same sign.

Modes
-----
``steps`` (default): every record, in order.  ``final``: for each skeleton (and each
Keras metric name) only the last occurrence is compared, with the loose tolerances;
the number of occurrences must still match.  For programs whose randomness cannot be
aligned (random ops moved into a ``tf.function``, Keras layers whose random draws
verify does not align) or whose float noise grows (GANs, long runs).

Both ways are always computed: *strict* agreement (steps mode at the steps
tolerances) and *loose* agreement (final mode at the final tolerances).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict, dataclass, field

# Defaults, and why:
# * TF 1.15.5 vs TF 2.21 on the same float32 computation agree to ~1e-7 relative at
#   first; an Adam-trained MLP drifts to ~1e-5 relative after 200 steps (DESIGN.md
#   quotes up to 2e-4).  rtol=1e-3 passes that with 5x headroom.
# * A changed learning rate (even by 5%) moves Adam/SGD losses by more than 1e-3
#   relative within a few dozen steps, so it is still caught.
# * atol=1e-5 lets float32 noise around zero through (values printed near 0 have no
#   meaningful relative error) while keeping any visible change.
STEPS_RTOL, STEPS_ATOL = 1e-3, 1e-5
# Final mode compares only the last values of runs whose random draws or float noise
# differ: a few percent apart is normal, a changed learning rate is not.
FINAL_RTOL, FINAL_ATOL = 5e-2, 1e-3

MODES = ("steps", "final")

_NUMBER = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<num>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?![\w.])"
    r"|(?P<special>[-+]?(?:nan|inf(?:inity)?))(?![\w.])"
    r")",
    re.IGNORECASE,
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_NEP51 = re.compile(
    r"\bnp\.(?:float|int|uint|complex|longdouble|clongdouble|half|single|double)\d*\(([^()]*)\)"
)
_NEP51_BOOL = re.compile(r"\bnp\.(True|False)_")
_NEP51_STR = re.compile(r"\bnp\.(?:str_|bytes_)\(([^()]*)\)")
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
# The wall clock (`datetime.now().isoformat()`, `%Y-%m-%d %H:%M:%S`, `%H:%M:%S`): when a
# run printed, not what it computed.
_CLOCK = re.compile(
    r"(?<![\d.:-])(?:\d{4}-\d{2}-\d{2}[T ])?\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?(?!\d)"
)
_SYMBOLIC_TENSOR = re.compile(r'(?<![\w.])Tensor\("[^"]*",(?: shape=(\([^)]*\)|<unknown>),)? dtype=(\w+)\)')
_RULE_LINE = re.compile(r"^[\s_=\-─━┏┓┗┛┃│┡┩╇┳┻┼┴┬├┤└┘┌┐╭╮╯╰═║╔╗╚╝*~]*$")

_EPOCH = re.compile(r"^\s*Epoch (\d+)/(\d+)\s*$")
_BANNER = re.compile(r"^\s*Train (on \d+ samples|for \d+ steps)(, validate (on \d+ samples|for \d+ steps))?\s*$")
# Keras 2.3.1 / tf.keras 1.15 (`[====>...]`) and Keras 3 (`━━━`) bars, verbose=1.
_PROGRESS_BAR = re.compile(r"^\s*(\d+)/(\d+)\s*(?:\[[=>.]*\]|[━─]+)\s*(.*)$")
# verbose=2 epoch lines: Keras 2.3.1 ` - 0s - loss: ...`, Keras 3 `18/18 - 0s - 3ms/step - ...`.
_PROGRESS_V2 = re.compile(r"^\s*(?:(\d+)/(\d+)\s+)?-\s+\d+s\s+-\s*(.*)$")
_METRIC = re.compile(
    r"(?:^|\s-\s|^-\s)([A-Za-z_][\w.]*):\s+([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf|-inf)(?=\s|$)"
)
_SUMMARY_START = re.compile(r'^\s*Model: "[^"]*"\s*$')
_SUMMARY_COUNT = re.compile(r"^\s*(Total|Trainable|Non-trainable|Optimizer) params:\s*([\d,]+)")


@dataclass(frozen=True)
class Number:
    text: str
    value: float
    is_int: bool
    unit: float  # one unit in the last printed digit (0 for integers)

    @classmethod
    def parse(cls, text: str) -> Number:
        raw = text.lstrip("+")
        low = raw.lower()
        if "nan" in low or "inf" in low:
            return cls(text, float(low.replace("infinity", "inf")), False, 0.0)
        mantissa, _, exponent = low.partition("e")
        is_int = "." not in mantissa and not exponent
        if is_int:
            try:
                value = float(int(mantissa))
            except OverflowError:  # pragma: no cover - absurdly long integer
                value = math.copysign(math.inf, -1 if mantissa.startswith("-") else 1)
            return cls(text, value, True, 0.0)
        decimals = len(mantissa.partition(".")[2])
        # One unit in the last printed digit; float("1e...") cannot overflow (gives inf).
        unit = float("1e%d" % ((int(exponent) if exponent else 0) - decimals))
        return cls(text, float(low), False, unit)


@dataclass
class Record:
    """One logical line of output: a skeleton and its numbers (or Keras metrics)."""

    kind: str  # "line", "epoch", "summary"
    line: int  # 1-based line in the raw output where the record starts
    text: str  # what is shown to the user
    skeleton: str
    numbers: list[Number] = field(default_factory=list)
    metrics: dict[str, Number] = field(default_factory=dict)

    @property
    def key(self) -> str:
        if self.kind == "epoch":
            return self.skeleton + "{" + ",".join(sorted(self.metrics)) + "}"
        return self.skeleton


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def agree(self, a: Number, b: Number) -> bool:
        if math.isnan(a.value) or math.isnan(b.value):
            return math.isnan(a.value) and math.isnan(b.value)
        if math.isinf(a.value) or math.isinf(b.value):
            return a.value == b.value
        diff = abs(a.value - b.value)
        if a.is_int and b.is_int:
            return diff <= self.atol
        scale = max(abs(a.value), abs(b.value))
        if diff <= self.atol + self.rtol * scale:
            return True
        unit = a.unit
        return unit == b.unit and 0 < unit <= 0.01 * scale and diff <= unit * (1 + 1e-9)


def _errors(a: Number, b: Number) -> tuple[float, float]:
    if not (math.isfinite(a.value) and math.isfinite(b.value)):
        same = a.value == b.value or (math.isnan(a.value) and math.isnan(b.value))
        return (0.0, 0.0) if same else (math.inf, math.inf)
    diff = abs(a.value - b.value)
    scale = max(abs(a.value), abs(b.value))
    return diff, (diff / scale if scale else 0.0)


# ----------------------------------------------------------------------------------
# Reading output
# ----------------------------------------------------------------------------------


def _terminal_lines(text: str) -> list[str]:
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    lines = []
    for raw in text.split("\n"):
        if "\r" in raw or "\b" in raw:
            # As a terminal shows it: \r and \b move the cursor, later text overwrites.
            cells: list[str] = []
            pos = 0
            for ch in raw:
                if ch == "\r":
                    pos = 0
                elif ch == "\b":
                    pos = max(0, pos - 1)
                else:
                    if pos < len(cells):
                        cells[pos] = ch
                    else:
                        cells.append(ch)
                    pos += 1
            raw = "".join(cells)
        lines.append(raw)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_VARIABLE = re.compile(r"<tf\.Variable '([^']*)' shape=(\([^)]*\)|<unknown>) dtype=(\w+?)(?:_ref>|, numpy=.*?\)>|>)")


def _variable(match: re.Match) -> str:
    return f"<tf.Variable '{match.group(1)}' shape={match.group(2)} dtype={match.group(3)}>"


def _symbolic(match: re.Match) -> str:
    shape = (match.group(1) or "<unknown>").replace("?", "None")
    return f"Tensor(shape={shape}, dtype={match.group(2)})"


# A static shape TF 1 printed with `?` for an unknown dimension, TF 2 with None: (?, 784).
_UNKNOWN_DIMS = re.compile(r"\((?:\?|None|\d+)(?:, (?:\?|None|\d+))*,?\)")


def _normalize(text: str) -> str:
    text = _UNKNOWN_DIMS.sub(lambda m: m.group(0).replace("?", "None"), text)
    text = _SYMBOLIC_TENSOR.sub(_symbolic, text)
    text = _VARIABLE.sub(_variable, text)
    text = _NEP51.sub(r"\1", text)
    text = _NEP51_STR.sub(r"\1", text)
    text = _NEP51_BOOL.sub(r"\1", text)
    text = _CLOCK.sub("<clock>", text)
    return _ADDRESS.sub("0x?", text)


def _split_numbers(text: str) -> tuple[str, list[Number]]:
    numbers: list[Number] = []

    def repl(match: re.Match) -> str:
        numbers.append(Number.parse(match.group(0)))
        return "#"

    skeleton = _NUMBER.sub(repl, text)
    return "".join(skeleton.split()), numbers


def _metrics(tail: str) -> dict[str, Number]:
    found = {}
    for name, value in _METRIC.findall(" - " + tail):
        if name.upper() == "ETA":
            continue
        found[name] = Number.parse(value)
    return found


def _progress(line: str) -> tuple[bool, str] | None:
    """(is the bar's final state, text after the bar) for a Keras progress line."""
    match = _PROGRESS_BAR.match(line)
    if match:
        current, target, tail = match.groups()
        return current == target, tail
    match = _PROGRESS_V2.match(line)
    if match:
        current, target, tail = match.groups()
        return current is None or current == target, tail
    return None


def parse_output(text: str) -> list[Record]:
    """The records of one program's standard output (see the module docstring)."""
    lines = _terminal_lines(text)
    records: list[Record] = []
    epoch: Record | None = None  # an "Epoch i/N" waiting for its final progress line
    i = 0
    while i < len(lines):
        start = i
        line = lines[i]
        i += 1
        # Join a NumPy array wrapped over several lines.
        depth = line.count("[") - line.count("]")
        joined = [line]
        while depth > 0 and i < len(lines) and lines[i][:1] in (" ", "\t", "[") and len(joined) < 10000:
            joined.append(lines[i])
            depth += lines[i].count("[") - lines[i].count("]")
            i += 1
        # An eager variable's description whose value NumPy wrapped: `..., numpy=` then the
        # array's lines, up to the description's `)>` (several may follow on one line).
        while line.rstrip().endswith("numpy=") and i < len(lines) and len(joined) < 10000:
            depth = 0
            while i < len(lines) and len(joined) < 10000:
                joined.append(lines[i])
                depth += lines[i].count("[") - lines[i].count("]")
                i += 1
                if depth <= 0 and ")>" in joined[-1]:
                    break
            line = joined[-1]
        line = " ".join(part.strip() for part in joined) if len(joined) > 1 else line

        if not line.strip() or _RULE_LINE.match(line):
            continue
        if _BANNER.match(line):
            continue
        match = _EPOCH.match(line)
        if match:
            epoch = None
            if match.group(2) != "1":
                epoch = Record("epoch", start + 1, line.strip(), "Epoch#/#",
                               [Number.parse(match.group(1)), Number.parse(match.group(2))])
                records.append(epoch)
            continue
        progress = _progress(line)
        if progress is not None:
            final, tail = progress
            if final and epoch is not None:
                epoch.metrics = _metrics(tail)
                epoch.text = epoch.text + " | " + " - ".join(
                    "%s: %s" % (name, epoch.metrics[name].text) for name in sorted(epoch.metrics))
                epoch = None
            continue
        if _SUMMARY_START.match(line):
            counts, j = {}, i
            while j < len(lines) and j - i < 100000:
                count = _SUMMARY_COUNT.match(lines[j])
                if count:
                    counts[count.group(1)] = count.group(2).replace(",", "")
                elif counts and not _RULE_LINE.match(lines[j]):
                    break
                j += 1
            if "Trainable" in counts:
                i = j
                trainable, frozen = counts.get("Trainable", "0"), counts.get("Non-trainable", "0")
                records.append(Record(
                    "summary", start + 1,
                    "model summary: %s trainable, %s non-trainable params" % (trainable, frozen),
                    "modelsummary:#trainable,#non-trainable",
                    [Number.parse(trainable), Number.parse(frozen)],
                ))
                continue
        epoch = None
        shown = _normalize(line.rstrip())
        skeleton, numbers = _split_numbers(shown)
        records.append(Record("line", start + 1, shown.strip(), skeleton, numbers))
    return records


# ----------------------------------------------------------------------------------
# Comparing
# ----------------------------------------------------------------------------------


@dataclass
class Difference:
    reason: str
    before_line: int | None
    after_line: int | None
    before: str | None
    after: str | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Comparison:
    mode: str
    rtol: float
    atol: float
    equivalent: bool
    records_before: int
    records_after: int
    numbers_compared: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    differences: list[Difference] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("max_abs_error", "max_rel_error"):
            if not math.isfinite(data[key]):
                data[key] = str(data[key])
        return data


class _Collector:
    def __init__(self, tolerance: Tolerance, limit: int):
        self.tolerance = tolerance
        self.limit = limit
        self.differences: list[Difference] = []
        self.compared = 0
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.failed = False

    def add(self, diff: Difference) -> None:
        self.failed = True
        if len(self.differences) < self.limit:
            self.differences.append(diff)

    def numbers(self, a: Record, b: Record, pairs: list[tuple[str, Number, Number]]) -> None:
        bad = []
        for name, x, y in pairs:
            self.compared += 1
            abs_err, rel_err = _errors(x, y)
            self.max_abs = max(self.max_abs, abs_err)
            self.max_rel = max(self.max_rel, rel_err)
            if not self.tolerance.agree(x, y):
                bad.append("%s%s vs %s (abs %.3g, rel %.3g)" % (name, x.text, y.text, abs_err, rel_err))
        if bad:
            more = " and %d more" % (len(bad) - 3) if len(bad) > 3 else ""
            self.add(Difference("numbers differ: " + "; ".join(bad[:3]) + more, a.line, b.line, a.text, b.text))


def _pairs(a: Record, b: Record) -> list[tuple[str, Number, Number]] | None:
    """The numbers to compare, or None when the records do not have the same shape."""
    if a.key != b.key or len(a.numbers) != len(b.numbers):
        return None
    pairs = [("", x, y) for x, y in zip(a.numbers, b.numbers)]
    pairs += [(name + ": ", a.metrics[name], b.metrics[name]) for name in sorted(a.metrics)]
    return pairs


def _describe_shape(a: Record, b: Record) -> str:
    if a.kind == "epoch" and b.kind == "epoch" and a.skeleton == b.skeleton:
        return "Keras metrics differ: %s vs %s" % (sorted(a.metrics) or "none", sorted(b.metrics) or "none")
    if "tf.Tensor(" in b.text and "tf.Tensor(" not in a.text:
        return "text differs: AFTER prints a tf.Tensor where BEFORE printed a value"
    return "text differs"


def _align_key(record: Record) -> str:
    # Integers (steps, epochs, counts) must match exactly anyway: they also place lines.
    return record.key + "|" + ",".join(n.text for n in record.numbers if n.is_int)


def _compare_steps(before: list[Record], after: list[Record], col: _Collector) -> None:
    if [r.key for r in before] == [r.key for r in after]:
        for a, b in zip(before, after):
            col.numbers(a, b, _pairs(a, b) or [])
        return
    matcher = difflib.SequenceMatcher(
        None, [_align_key(r) for r in before], [_align_key(r) for r in after], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(before[i1:i2], after[j1:j2]))
        for a, b in pairs:
            numbers = _pairs(a, b)
            if numbers is None:
                col.add(Difference(_describe_shape(a, b), a.line, b.line, a.text, b.text))
            else:
                col.numbers(a, b, numbers)
        for a in before[i1 + len(pairs):i2]:
            col.add(Difference("only in BEFORE", a.line, None, a.text, None))
        for b in after[j1 + len(pairs):j2]:
            col.add(Difference("only in AFTER", None, b.line, None, b.text))


def _last_by_key(records: list[Record]) -> tuple[dict[str, Record], dict[str, int]]:
    last: dict[str, Record] = {}
    count: dict[str, int] = {}
    for record in records:
        if record.kind == "epoch":
            # Each metric on its own: the last value of every metric name.
            for name, value in record.metrics.items():
                key = "metric:" + name
                header = record.text.split(" | ")[0]
                last[key] = Record("metric", record.line, "%s | %s: %s" % (header, name, value.text), key, [value])
                count[key] = count.get(key, 0) + 1
            key = "epochs"
            last[key] = Record("epochs", record.line, record.text, "Epoch#/#", record.numbers)
            count[key] = count.get(key, 0) + 1
            continue
        last[record.key] = record
        count[record.key] = count.get(record.key, 0) + 1
    return last, count


def _compare_final(before: list[Record], after: list[Record], col: _Collector) -> None:
    last_a, count_a = _last_by_key(before)
    last_b, count_b = _last_by_key(after)
    order = list(last_a) + [k for k in last_b if k not in last_a]
    order.sort(key=lambda k: (last_a[k].line if k in last_a else 10**9, last_b[k].line if k in last_b else 10**9))
    for key in order:
        a, b = last_a.get(key), last_b.get(key)
        if a is None:
            col.add(Difference("only in AFTER", None, b.line, None, b.text))
        elif b is None:
            col.add(Difference("only in BEFORE", a.line, None, a.text, None))
        elif count_a[key] != count_b[key]:
            col.add(Difference(
                "printed %d times by BEFORE, %d times by AFTER" % (count_a[key], count_b[key]),
                a.line, b.line, a.text, b.text))
        else:
            pairs = _pairs(a, b)
            if pairs is None:
                col.add(Difference(_describe_shape(a, b), a.line, b.line, a.text, b.text))
            else:
                col.numbers(a, b, pairs)


def default_tolerance(mode: str) -> Tolerance:
    if mode == "final":
        return Tolerance(FINAL_RTOL, FINAL_ATOL)
    if mode == "steps":
        return Tolerance(STEPS_RTOL, STEPS_ATOL)
    raise ValueError("unknown comparison mode %r (expected one of %s)" % (mode, ", ".join(MODES)))


def compare_outputs(
    before: str,
    after: str,
    mode: str = "steps",
    rtol: float | None = None,
    atol: float | None = None,
    limit: int = 20,
) -> Comparison:
    """Compare two programs' standard output.  ``rtol``/``atol`` default per mode."""
    base = default_tolerance(mode)
    tolerance = Tolerance(base.rtol if rtol is None else rtol, base.atol if atol is None else atol)
    records_a, records_b = parse_output(before), parse_output(after)
    col = _Collector(tolerance, limit)
    if mode == "steps":
        _compare_steps(records_a, records_b, col)
    else:
        _compare_final(records_a, records_b, col)
    return Comparison(
        mode=mode,
        rtol=tolerance.rtol,
        atol=tolerance.atol,
        equivalent=not col.failed,
        records_before=len(records_a),
        records_after=len(records_b),
        numbers_compared=col.compared,
        max_abs_error=col.max_abs,
        max_rel_error=col.max_rel,
        differences=col.differences,
    )


def extract_numbers(text: str) -> list[float]:
    """Every number printed in ``text`` (after the normalizations above), in order."""
    values: list[float] = []
    for record in parse_output(text):
        values.extend(n.value for n in record.numbers)
        values.extend(record.metrics[name].value for name in sorted(record.metrics))
    return values
