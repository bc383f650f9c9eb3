"""Short rows placed together: the combinations of their candidate placements that the form's
rules allow, found by a search that drops a partial combination as soon as a rule cannot hold.

Text that drops blank cells (one cell to a line, some converters, OCR) leaves rows with fewer
values than columns. Weighed one row at a time (consistency.choose_placements), a row's own rule
(总计 = the six columns) rarely tells which columns its values stand in; the column rules (一 + 二 =
三(七) + 四, (七) = (一)…(六)) tie the rows together, and only all the rows at once pin the columns
down, where anything does. A row's value is settled only where every combination the rules allow
gives it. Here a column a row does not print is a blank cell (0 in the rules), and so is every cell
of a row found with no value at all: where that does not hold (a value lost, not a blank), no
combination satisfies the rules, and the placement is left to the one-row-at-a-time choice. A cell
not read at all (its row's label not found) is never settled by a joint placement: the rules may
give it a value, but only a sample of the allowed combinations is listed (below)."""
from __future__ import annotations

from dataclasses import replace

from .consistency import BoundRule, infer_missing, rule_value, slot_value, value_key
from .readings import Reading, ShortRow, apply_candidate

# The search gives up (and the rows are chosen one at a time) past this many placements tried.
MAX_STEPS = 60_000
_EPS = 1e-6


class _OutOfBudget(Exception):
    pass


def components(short_rows: list[ShortRow], rules: list[BoundRule]) -> list[list[ShortRow]]:
    """The short rows in groups that share no rule with each other."""
    owner = {key: n for n, row in enumerate(short_rows) for key in row.keys}
    parent = list(range(len(short_rows)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for rule in rules:
        rows = {owner[k] for k in rule.keys if k in owner}
        first = min(rows, default=None)
        for n in rows:
            parent[root(n)] = root(first)
    groups: dict[int, list[ShortRow]] = {}
    for n, row in enumerate(short_rows):
        groups.setdefault(root(n), []).append(row)
    return list(groups.values())


def _number(reading: Reading | None) -> float | None:
    """A fixed cell's value in the search: as in the rules, and 0 for a row printed with no value."""
    if reading is not None and reading.status == "missing" and reading.unprinted:
        return 0.0
    value = rule_value(reading)
    return None if value is None else float(value)


def _slot(tok) -> float:
    """A placed cell's value in the search: a column the row does not print is a blank."""
    return float(slot_value(tok) or 0)


def place_jointly(readings: dict[str, Reading], rows: list[ShortRow], rules: list[BoundRule]) -> dict[str, bool] | None:
    """A combination of the rows' placements that the rules allow, applied to `readings`; returns
    per key of the rows (and of the cells the rules then infer) whether its value is settled. None
    where no combination is allowed, or the search runs out of steps. The rules often allow many
    combinations (two organisation columns with the same figures trade places), so they are not
    all listed: a row's placement is supported once some allowed combination uses it, and a value
    is settled where every supported placement of its row gives it."""
    keys = {k for row in rows for k in row.keys}
    mine = [r for r in rules if keys & set(r.keys)]
    if not mine or not all(row.complete for row in rows):
        return None  # a row with too many placements to try them all may have its truth untried
    fixed = {k: _number(readings.get(k)) for r in mine for k in r.keys if k not in keys}
    search = _Search(rows, mine, fixed)
    try:
        found = search.supporting()
    except _OutOfBudget:
        return None
    if not found:
        return None
    settled, best = _inferred(readings, rows, found, rules, set(fixed))
    for n, row in enumerate(rows):
        for i, key in enumerate(row.keys):
            settled[key] = len({search.values[n][c][i] for c in search.supported[n]}) == 1
    for key, value in fixed.items():
        if value is None:
            settled[key] = False  # not read: what the rules infer for it varies beyond the sample
    _apply(readings, rows, found[best], set(fixed))
    for key in fixed:
        if readings[key].joint:
            settled[key] = True  # blank in every combination: its row printed nothing
    return settled


class _Search:
    """Backtracking over the rows' placements. A rule is checked on intervals: a placed row's cells
    are exact, a row not yet placed spans what its remaining placements give, a cell not read
    spans 0 and up; the two sides' intervals must meet. Cells are numbered, and each cell's
    interval kept in two lists, for speed: a search checks rules some 10⁵ times."""

    def __init__(self, rows: list[ShortRow], rules: list[BoundRule], fixed: dict[str, float | None]):
        self.rows, self.fixed = rows, fixed
        self.values = [[[_slot(t) for t in cand] for cand in row.candidates] for row in rows]
        self.allowed = [list(range(len(row.candidates))) for row in rows]
        self.supported: list[set[int]] = [set() for _ in rows]
        cells = sorted({k for r in rules for k in r.keys})
        number = {k: i for i, k in enumerate(cells)}
        self.ids = [[number[k] for k in row.keys] for row in rows]
        self.sides = [([number[k] for k in r.lhs], [number[k] for k in r.rhs]) for r in rules]
        self.rules_of = [[i for i, r in enumerate(rules) if set(row.keys) & set(r.keys)] for row in rows]
        self.order_sides = [frozenset(side) for r in rules for side in (r.lhs, r.rhs)]
        self.lo = [0.0] * len(cells)
        self.hi = [0.0] * len(cells)
        for k, i in number.items():
            if k in fixed:
                v = fixed[k]
                self.lo[i], self.hi[i] = (0.0, float("inf")) if v is None else (v, v)  # not read: any count
        self.steps = 0
        for n in range(len(rows)):
            self._bound(n)

    def _bound(self, n: int) -> None:
        """Row n's cells span what its remaining placements give."""
        for i, cell in enumerate(self.ids[n]):
            column = [self.values[n][c][i] for c in self.allowed[n]]
            self.lo[cell], self.hi[cell] = (min(column), max(column)) if column else (0.0, -1.0)

    def _set(self, n: int, c: int) -> None:
        for cell, v in zip(self.ids[n], self.values[n][c]):
            self.lo[cell] = self.hi[cell] = v

    def _holds(self, n: int) -> bool:
        lo, hi = self.lo, self.hi
        for r in self.rules_of[n]:
            lhs, rhs = self.sides[r]
            if sum([lo[i] for i in lhs]) > sum([hi[i] for i in rhs]) + _EPS:
                return False
            if sum([lo[i] for i in rhs]) > sum([hi[i] for i in lhs]) + _EPS:
                return False
        return True

    def _fits(self, n: int, c: int) -> bool:
        saved = [(self.lo[i], self.hi[i]) for i in self.ids[n]]
        self._set(n, c)
        ok = self._holds(n)
        for i, (a, b) in zip(self.ids[n], saved):
            self.lo[i], self.hi[i] = a, b
        return ok

    def _count(self, steps: int) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise _OutOfBudget

    def narrow(self) -> bool:
        """Drops each row's placements that no rule allows with the others' intervals, until none
        is dropped; False where a row has none left."""
        changed = True
        while changed:
            changed = False
            for n in range(len(self.rows)):
                self._count(len(self.allowed[n]))
                ok = [c for c in self.allowed[n] if self._fits(n, c)]
                if not ok:
                    return False
                if len(ok) < len(self.allowed[n]):
                    self.allowed[n] = ok
                    self._bound(n)
                    changed = True
        return True

    def first(self) -> list[int] | None:
        """One combination the rules allow, from the placements left."""
        order = _search_order(self.rows, self.allowed, self.order_sides, self.fixed)
        choice = [0] * len(self.rows)

        def search(depth: int) -> bool:
            if depth == len(order):
                return True
            n = order[depth]
            for c in self.allowed[n]:
                self._count(1)
                self._set(n, c)
                choice[n] = c
                if self._holds(n) and search(depth + 1):
                    return True
            self._bound(n)
            return False

        lo, hi = list(self.lo), list(self.hi)
        ok = search(0)
        self.lo, self.hi = lo, hi
        return choice if ok else None

    def supporting(self) -> list[list[int]]:
        """Combinations the rules allow, enough that each placement some allowed combination uses
        is used by one of them (see `supported`); none where none is allowed."""
        if not self.narrow():
            return []
        found: list[list[int]] = []
        for n in range(len(self.rows)):
            for c in list(self.allowed[n]):
                if c in self.supported[n]:
                    continue
                allowed, lo, hi = [list(a) for a in self.allowed], list(self.lo), list(self.hi)
                self.allowed[n] = [c]
                self._bound(n)
                combination = self.first() if self.narrow() else None
                self.allowed, self.lo, self.hi = allowed, lo, hi
                if combination is not None:
                    found.append(combination)
                    for m, cm in enumerate(combination):
                        self.supported[m].add(cm)
        return found


def _apply(readings: dict[str, Reading], rows: list[ShortRow], combination: list[int], fixed: set[str]) -> None:
    """The combination's placements, the cells they leave empty blank, and the rows printed with no
    value blank throughout."""
    for row, c in zip(rows, combination):
        apply_candidate(readings, row, row.candidates[c])
        for key, tok in zip(row.keys, row.candidates[c]):
            readings[key] = _empty(key, readings[key]) if tok is None else replace(readings[key], joint=True)
    for key in fixed:
        reading = readings.get(key)
        if reading is not None and reading.status == "missing" and reading.unprinted:
            readings[key] = _empty(key, reading)


def _empty(key: str, reading: Reading) -> Reading:
    """A cell the combination leaves empty (one its row does not print): 0 in the rules, printed as
    its table prints zeros (the pipeline decides, as for the zeros the rules infer)."""
    return Reading(key, 0, "inferred", 0.0, reading.raw, reading.page, reading.bbox, placed=True, joint=True)


def _search_order(rows: list[ShortRow], allowed: list[list[int]], sides: list[frozenset[str]],
                  fixed: dict[str, float | None]) -> list[int]:
    """The rows in the order to try them: at each step the row that gives the most rules a side
    wholly known (a rule with one side known bounds the other, counts being never negative; with
    both, it holds or not), fewest placements first among equals. Totals come before the rows they
    sum, so each row tried is checked against them at once."""
    known = {k for k, v in fixed.items() if v is not None}
    order: list[int] = []
    left = set(range(len(rows)))
    while left:
        def gain(n: int) -> tuple[int, int]:
            now = known | set(rows[n].keys)
            return -sum(side <= now for side in sides), len(allowed[n])
        best = min(sorted(left), key=gain)
        order.append(best)
        left.remove(best)
        known |= set(rows[best].keys)
    return order


def _inferred(readings: dict[str, Reading], rows: list[ShortRow], found: list[list[int]], rules: list[BoundRule],
              fixed: set[str]) -> tuple[dict[str, bool], int]:
    """Per cell the rules infer after a combination: whether every combination found gives it the
    same value. And the combination to apply: the one that agrees with the others found on most
    values, the rows' included (where the rules leave a value open, the value most of them give)."""

    outcomes: list[dict[str, str]] = []
    for combination in found:
        trial = dict(readings)
        _apply(trial, rows, combination, fixed)
        values = {k: trial[k].value for row in rows for k in row.keys}
        values.update({k: v for k, (v, _) in infer_missing(trial, rules).items()})
        outcomes.append({k: value_key(0 if v is None else v) for k, v in values.items()})  # a blank is a 0 here
    counts: dict[tuple[str, str], int] = {}
    for outcome in outcomes:
        for item in outcome.items():
            counts[item] = counts.get(item, 0) + 1
    best = max(range(len(found)), key=lambda n: (sum(counts[item] for item in outcomes[n].items()), -n))
    own = {k for row in rows for k in row.keys}
    keys = {k for outcome in outcomes for k in outcome} - own
    return {k: all(o.get(k) == outcomes[0].get(k) for o in outcomes) for k in keys}, best
