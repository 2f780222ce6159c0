"""Additive counts: what scoring keeps per document, so that documents and shards merge exactly.

Every count class is a frozen dataclass that supports ``+`` (merge two documents, or two shards of
a corpus) and round-trips through plain dicts (``to_dict`` / ``from_dict``), so counts can be
stored as JSON and merged later. Scores (precision, recall, F1) are computed from counts only at
the very end, never averaged over documents: partial credit and per-type counts survive
aggregation unchanged.

Every score is computed by :mod:`toolkit.metrics.formulas` (one place for each formula): a
precision or recall whose denominator is 0 is ``None`` (JSON ``null``, shown as ``-``), an F1 is
``None`` only when nothing was to be found and nothing was found; never an epsilon.

- :class:`Counts`: ``tp``, ``fp``, ``fn`` of a set-matching task (event triggers and arguments,
  stance triples). P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn).
- :class:`SchemeCounts`: the five SemEval-2013 Task 9.1 outcomes of one entity scheme (correct,
  incorrect, partial, missed, spurious); see :mod:`toolkit.metrics.scoring` for the schemes.
- :class:`RatioCounts`: numerators and denominators of recall and precision (coreference).
- :class:`EntityCounts`, :class:`EventCounts`, :class:`StanceCounts`: the counts of one task,
  overall and broken down by label. Entity types are scored each on its own (as nervaluate 1.x,
  conlleval and seqeval), so per-type entity counts do not add up to the overall ones; event and
  stance labels partition their items, so theirs do.
- :class:`EvalCounts`: the counts of every task of one document (or of a whole corpus).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable, Iterable, Mapping, TypeVar

from toolkit.metrics import formulas
from toolkit.metrics.coreference import COUNT_KEYS, PRCounts

T = TypeVar("T")


def ratio(num: float, den: float) -> float | None:
    """``num / den``, or None when ``den`` is 0 (:func:`toolkit.metrics.formulas.ratio`)."""
    return formulas.value(formulas.ratio(num, den))


def dice(credit: float, predicted: float, gold: float) -> float | None:
    """F1 = 2·credit / (predicted + gold), None when both sides are empty (:func:`toolkit.metrics.formulas.dice`)."""
    return formulas.value(formulas.dice(credit, predicted, gold))


def _merge_maps(a: Mapping[str, T], b: Mapping[str, T], add: Callable[[T, T], T]) -> dict[str, T]:
    out = dict(a)
    for key, value in b.items():
        out[key] = add(out[key], value) if key in out else value
    return dict(sorted(out.items()))


def _plus(x, y):
    return x + y


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives; ``+`` merges."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return dice(self.tp, self.tp + self.fp, self.tp + self.fn)

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn}

    @classmethod
    def from_dict(cls, data: Mapping) -> "Counts":
        return cls(int(data["tp"]), int(data["fp"]), int(data["fn"]))

    def scores(self) -> dict:
        """Counts plus precision, recall and F1 (the JSON shape of one tp/fp/fn metric)."""
        return {**self.to_dict(), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class SchemeCounts:
    """The SemEval-2013 outcomes of one entity scheme; ``+`` merges.

    possible = correct + incorrect + partial + missed (the gold mentions);
    actual = correct + incorrect + partial + spurious (the predicted mentions);
    P = (correct + 0.5·partial) / actual, R = (correct + 0.5·partial) / possible,
    F1 = 2PR/(P+R) = 2(correct + 0.5·partial) / (actual + possible).
    ``partial`` is non-zero only in the partial scheme, so in the other schemes the same formula
    is P = correct/actual and R = correct/possible.
    """

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    def __add__(self, other: "SchemeCounts") -> "SchemeCounts":
        return SchemeCounts(self.correct + other.correct, self.incorrect + other.incorrect, self.partial + other.partial,
                            self.missed + other.missed, self.spurious + other.spurious)

    @property
    def possible(self) -> int:
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def actual(self) -> int:
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def credit(self) -> float:
        return self.correct + 0.5 * self.partial

    @property
    def precision(self) -> float | None:
        return ratio(self.credit, self.actual)

    @property
    def recall(self) -> float | None:
        return ratio(self.credit, self.possible)

    @property
    def f1(self) -> float | None:
        return dice(self.credit, self.actual, self.possible)

    def to_dict(self) -> dict:
        return {"correct": self.correct, "incorrect": self.incorrect, "partial": self.partial, "missed": self.missed,
                "spurious": self.spurious}

    @classmethod
    def from_dict(cls, data: Mapping) -> "SchemeCounts":
        return cls(*(int(data[f.name]) for f in fields(cls)))

    def scores(self) -> dict:
        return {**self.to_dict(), "possible": self.possible, "actual": self.actual,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


# Coreference counts are the numerators and denominators of toolkit.metrics.coreference (one class for both).
RatioCounts = PRCounts


SCHEMES = ("strict", "exact", "partial", "type")


def _scheme_map(data: Mapping) -> dict[str, SchemeCounts]:
    return {s: SchemeCounts.from_dict(data[s]) if s in data else SchemeCounts() for s in SCHEMES}


@dataclass(frozen=True)
class EntityCounts:
    """Entity-mention counts: ``micro`` scheme -> :class:`SchemeCounts`, and ``per_type`` scheme ->
    entity type -> :class:`SchemeCounts`.

    The micro (overall) counts come from matching all gold with all predicted mentions; each type's counts
    from matching the gold and predicted mentions of that type alone (nervaluate 1.x, conlleval,
    seqeval): a type confusion is a miss of the gold type and a spurious mention of the predicted
    type, so per-type counts do not add up to the overall ones.
    """

    micro: Mapping[str, SchemeCounts] = field(default_factory=lambda: {s: SchemeCounts() for s in SCHEMES})
    per_type: Mapping[str, Mapping[str, SchemeCounts]] = field(default_factory=lambda: {s: {} for s in SCHEMES})

    def __add__(self, other: "EntityCounts") -> "EntityCounts":
        return EntityCounts({s: self.micro.get(s, SchemeCounts()) + other.micro.get(s, SchemeCounts()) for s in SCHEMES},
                            {s: _merge_maps(self.per_type.get(s, {}), other.per_type.get(s, {}), _plus) for s in SCHEMES})

    def types(self) -> list[str]:
        return sorted({t for per in self.per_type.values() for t in per})

    def to_dict(self) -> dict:
        return {"micro": {s: self.micro.get(s, SchemeCounts()).to_dict() for s in SCHEMES},
                "per_type": {s: {t: c.to_dict() for t, c in sorted(self.per_type.get(s, {}).items())} for s in SCHEMES}}

    @classmethod
    def from_dict(cls, data: Mapping) -> "EntityCounts":
        per = data.get("per_type", {})
        return cls(_scheme_map(data.get("micro", {})),
                   {s: {t: SchemeCounts.from_dict(c) for t, c in per.get(s, {}).items()} for s in SCHEMES})


EVENT_METRICS = (
    "trigger_identification",
    "trigger_classification",
    "argument_identification",
    "argument_classification",
    "argument_identification_attached",
    "argument_classification_attached",
)


def _merge_nested(a: Mapping[str, Mapping[str, Counts]], b: Mapping[str, Mapping[str, Counts]]) -> dict:
    return _merge_maps(a, b, lambda x, y: _merge_maps(x, y, _plus))


@dataclass(frozen=True)
class EventCounts:
    """Event counts in two variants, each for the six :data:`EVENT_METRICS`:

    - ``textee``: metric -> :class:`Counts` of unique tuples, exactly as TextEE's
      ``compute_E2E_scores`` (a trigger is (start, end) or (start, end, type); an argument is
      (event type, start, end[, role]), attached ones also carry the trigger's span): two events of
      one type sharing an argument count it once.
    - ``per_item`` (``by_type``): event type -> metric -> :class:`Counts` with every trigger and
      every argument of every event an item, matched one-to-one (each gold item credited at most
      once). A true positive and a false negative are counted under the gold event type, a false
      positive under the predicted one (for trigger identification, a trigger found with the wrong
      type is a true positive of its gold type), so the per-type counts add up to the overall ones.
    """

    by_type: Mapping[str, Mapping[str, Counts]] = field(default_factory=dict)
    textee: Mapping[str, Counts] = field(default_factory=dict)

    def __add__(self, other: "EventCounts") -> "EventCounts":
        return EventCounts(_merge_nested(self.by_type, other.by_type), _merge_maps(self.textee, other.textee, _plus))

    def overall(self, metric: str) -> Counts:
        """The per-item counts of ``metric`` summed over event types."""
        return sum((per.get(metric, Counts()) for per in self.by_type.values()), Counts())

    def to_dict(self) -> dict:
        return {"textee": {m: self.textee.get(m, Counts()).to_dict() for m in EVENT_METRICS},
                "per_item": {t: {m: c.to_dict() for m, c in sorted(per.items())} for t, per in sorted(self.by_type.items())}}

    @classmethod
    def from_dict(cls, data: Mapping) -> "EventCounts":
        return cls({t: {m: Counts.from_dict(c) for m, c in per.items()} for t, per in data.get("per_item", {}).items()},
                   {m: Counts.from_dict(c) for m, c in data.get("textee", {}).items()})


STANCE_LABELS = ("favour", "against", "neutral")


@dataclass(frozen=True)
class StanceCounts:
    """Stance counts per target key (a topic id, or ``(event)`` / ``(entity)`` for other targets).

    ``by_target``: target -> ``triples`` (holder, target, label) and ``pairs`` (holder, target)
    -> :class:`Counts`; ``confusion``: target -> gold label -> predicted label -> number of aligned
    (holder, target) pairs. True positives and false negatives count under the gold stance's
    target, false positives under the predicted one's.
    """

    by_target: Mapping[str, Mapping[str, Counts]] = field(default_factory=dict)
    confusion: Mapping[str, Mapping[str, Mapping[str, int]]] = field(default_factory=dict)

    def __add__(self, other: "StanceCounts") -> "StanceCounts":
        return StanceCounts(
            _merge_nested(self.by_target, other.by_target),
            _merge_maps(self.confusion, other.confusion, lambda x, y: _merge_maps(x, y, lambda u, v: _merge_maps(u, v, _plus))),
        )

    def overall(self, metric: str) -> Counts:
        return sum((per.get(metric, Counts()) for per in self.by_target.values()), Counts())

    def label_pairs(self, target: str | None = None) -> list[tuple[str, str]]:
        """(gold label, predicted label) of every aligned pair, of one target or of all, in a fixed order."""
        tables = [self.confusion.get(target, {})] if target is not None else list(self.confusion.values())
        out: list[tuple[str, str]] = []
        for table in tables:
            for g, row in table.items():
                for p, n in row.items():
                    out.extend([(g, p)] * n)
        return sorted(out)

    def to_dict(self) -> dict:
        return {
            "by_target": {t: {m: c.to_dict() for m, c in sorted(per.items())} for t, per in sorted(self.by_target.items())},
            "confusion": {t: {g: dict(sorted(row.items())) for g, row in sorted(table.items())}
                          for t, table in sorted(self.confusion.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "StanceCounts":
        return cls(
            {t: {m: Counts.from_dict(c) for m, c in per.items()} for t, per in data.get("by_target", {}).items()},
            {t: {g: {p: int(n) for p, n in row.items()} for g, row in table.items()}
             for t, table in data.get("confusion", {}).items()},
        )


COREF_METRICS = ("muc", "b3", "ceafe", "ceafm", "lea")
"""The coreference metrics scored from one :class:`RatioCounts` each (BLANC needs two)."""


@dataclass(frozen=True)
class CorefCounts:
    """Coreference counts: name (:data:`toolkit.metrics.coreference.COUNT_KEYS`) -> :class:`RatioCounts`."""

    metrics: Mapping[str, RatioCounts] = field(default_factory=dict)

    def __add__(self, other: "CorefCounts") -> "CorefCounts":
        return CorefCounts(_merge_maps(self.metrics, other.metrics, _plus))

    def get(self, name: str) -> RatioCounts:
        return self.metrics.get(name, RatioCounts())

    def blanc(self) -> dict:
        """BLANC precision, recall and F1 (:func:`toolkit.metrics.formulas.blanc`)."""
        c, n = self.get("blanc_coref"), self.get("blanc_noncoref")
        r, p, f = formulas.blanc(c.r_num, c.r_den, c.p_num, c.p_den, n.r_num, n.r_den, n.p_num, n.p_den)
        return {"precision": formulas.value(p), "recall": formulas.value(r), "f1": formulas.value(f)}

    @property
    def conll_f1(self) -> float | None:
        """Mean of the MUC, B-cubed and CEAF-e F1 (None if any is undefined)."""
        f1s = [self.get(m).f1 for m in ("muc", "b3", "ceafe")]
        return None if any(f is None for f in f1s) else sum(f1s) / len(f1s)

    def to_dict(self) -> dict:
        return {m: self.get(m).to_dict() for m in COUNT_KEYS}

    @classmethod
    def from_dict(cls, data: Mapping) -> "CorefCounts":
        return cls({m: RatioCounts.from_dict(c) for m, c in data.items()})


_TASK_TYPES = {"entities": EntityCounts, "coreference": CorefCounts, "events": EventCounts, "stances": StanceCounts}


def _add_optional(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


@dataclass(frozen=True)
class EvalCounts:
    """The counts of every scored task of one document or corpus (None: task not scored)."""

    entities: EntityCounts | None = None
    coreference: CorefCounts | None = None
    events: EventCounts | None = None
    stances: StanceCounts | None = None

    def __add__(self, other: "EvalCounts") -> "EvalCounts":
        return EvalCounts(*(_add_optional(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)))

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name).to_dict() for f in fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, data: Mapping) -> "EvalCounts":
        return cls(**{name: kind.from_dict(data[name]) for name, kind in _TASK_TYPES.items() if name in data})


def total(counts: Iterable[EvalCounts]) -> EvalCounts:
    """The sum of many counts (an empty sum is ``EvalCounts()``).

    Equal to ``sum(counts, EvalCounts())`` in every value and every dict order (tests/test_counts_total.py),
    without building the nested dicts of every partial sum: each value is the same additions in
    the same order (the document order), done once per key.
    """
    columns: list[list] = [[], [], [], []]
    for c in counts:
        for column, value in zip(columns, (c.entities, c.coreference, c.events, c.stances)):
            if value is not None:
                column.append(value)
    entities, coreference, events, stances = (col[0] if len(col) == 1 else None for col in columns)
    if len(columns[0]) > 1:
        entities = EntityCounts({s: _sum_schemes([c.micro.get(s, SchemeCounts()) for c in columns[0]]) for s in SCHEMES},
                                {s: _merge_all([c.per_type.get(s, {}) for c in columns[0]], 1, _sum_schemes) for s in SCHEMES})
    if len(columns[1]) > 1:
        coreference = CorefCounts(_merge_all([c.metrics for c in columns[1]], 1, _sum_plus))
    if len(columns[2]) > 1:
        events = EventCounts(_merge_all([c.by_type for c in columns[2]], 2, _sum_counts),
                             _merge_all([c.textee for c in columns[2]], 1, _sum_counts))
    if len(columns[3]) > 1:
        stances = StanceCounts(_merge_all([c.by_target for c in columns[3]], 2, _sum_counts),
                               _merge_all([c.confusion for c in columns[3]], 3, _sum_plus))
    return EvalCounts(entities, coreference, events, stances)


def _merge_all(maps: list[Mapping], depth: int, add_all: Callable[[list], object]) -> dict:
    """``_merge_maps`` folded over ``maps`` (two or more), nested ``depth`` levels deep.

    As the fold does: a key found in one map keeps that map's value (the same object), a key
    found in several gets the sum of its values in map order, and every merged dict is sorted.
    """
    groups: dict = {}
    for m in maps:
        for key, value in m.items():
            found = groups.get(key)
            if found is None:
                groups[key] = [value]
            else:
                found.append(value)
    return {key: values[0] if len(values) == 1 else
            _merge_all(values, depth - 1, add_all) if depth > 1 else add_all(values)
            for key, values in sorted(groups.items(), key=_first)}


def _first(item: tuple) -> object:
    return item[0]


def _sum_plus(values: list) -> object:
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def _sum_schemes(values: list[SchemeCounts]) -> SchemeCounts:
    first = values[0]
    c, i, p, m, s = first.correct, first.incorrect, first.partial, first.missed, first.spurious
    for v in values[1:]:
        c += v.correct
        i += v.incorrect
        p += v.partial
        m += v.missed
        s += v.spurious
    return SchemeCounts(c, i, p, m, s)


def _sum_counts(values: list[Counts]) -> Counts:
    first = values[0]
    tp, fp, fn = first.tp, first.fp, first.fn
    for v in values[1:]:
        tp += v.tp
        fp += v.fp
        fn += v.fn
    return Counts(tp, fp, fn)
