"""The form's consistency rules (勾稽关系): evaluated on what was read, used to choose between
candidate placements of a short row and to infer cells that were not printed or not readable.
A rule never overrides a clearly printed value: a broken rule is reported and lowers confidence."""
from __future__ import annotations

from dataclasses import dataclass

from .contract import Check
from .readings import Reading, ShortRow, apply_candidate, is_blank_window
from .schema import Schema


@dataclass(frozen=True)
class BoundRule:
    id: str
    says: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.lhs + self.rhs


def bind_rules(schema: Schema, present: set[str]) -> list[BoundRule]:
    """The rules whose fields this document has; `t3.other_handling*.<col>` stands for the single
    （六） row or its three sub-rows, whichever the document prints."""
    out = []
    for rule in schema.rules:
        sides = []
        for side in (rule.lhs, rule.rhs):
            keys: list[str] = []
            for k in side:
                if "*" in k:
                    prefix, col = k.split("*")
                    col = col.lstrip(".")
                    keys += [p for p in sorted(present) if p.startswith(prefix) and p.endswith("." + col)
                             and p.count(".") in (2, 3)]
                elif k in present:
                    keys.append(k)
                else:
                    keys = None
                    break
            if keys is None:
                break
            sides.append(tuple(keys))
        if len(sides) == 2 and sides[0] and sides[1]:
            out.append(BoundRule(rule.id, rule.says, sides[0], sides[1]))
    return out


def rule_value(r: Reading | None):
    """A reading's value in a rule: printed blanks count as 0; missing is unknown (None)."""
    if r is None or r.status == "missing":
        return None
    if r.value is None:
        return 0
    return r.value if isinstance(r.value, (int, float)) else None


def infer_missing(readings: dict[str, Reading], rules: list[BoundRule]) -> dict[str, tuple[float, str]]:
    """Values the rules determine for missing cells: a rule with one unknown gives it; unknowns
    that must sum to 0 are all 0 (counts are never negative). Returns key → (value, rule id)."""
    known = {k: rule_value(r) for k, r in readings.items()}
    inferred: dict[str, tuple[float, str]] = {}
    changed = True
    while changed:
        changed = False
        for rule in rules:
            unknown = [k for k in rule.keys if known.get(k) is None]
            if not unknown:
                continue
            lhs = sum(known[k] for k in rule.lhs if known.get(k) is not None)
            rhs = sum(known[k] for k in rule.rhs if known.get(k) is not None)
            if len(unknown) == 1:
                k = unknown[0]
                value = (rhs - lhs) if k in rule.lhs else (lhs - rhs)
                if value < 0:
                    continue
                known[k] = value
                inferred[k] = (value, rule.id)
                changed = True
            elif all(k in rule.rhs for k in unknown) and lhs - rhs == 0 or all(k in rule.lhs for k in unknown) and rhs - lhs == 0:
                for k in unknown:
                    known[k] = 0
                    inferred[k] = (0, rule.id)
                changed = True
    return inferred


_DASHED = 3  # dashes enough to say a table prints its zeros so


def zero_style(readings: dict[str, Reading], table: str) -> str:
    """How `table` ("t3") prints a zero: "blank" (cells left empty, as web pages often do, and no
    printed 0), "zero" (printed 0s and no empty cell), "mixed", or "unknown" (neither seen). An
    inferred zero is returned as the document would have printed it: a cell of a table that
    prints zeros blank was, most likely, printed blank, and SPEC.md returns that as null."""
    mine = [r for k, r in readings.items() if k.startswith(table + ".")]
    # (a dash is no blank: a zero by one convention, a blank by the other)
    blanks = any(r.status == "blank" and not r.stray_mark and not r.dash for r in mine)
    zeros = any(r.status in ("read", "corrected") and r.value == 0 for r in mine)
    # zeros printed as dashes: typed 0 by one convention, blank by another, so either way in doubt
    # (one or two dashes among blanks may be OCR's reading of a stroke: 一)
    blanks, zeros = (True, True) if sum(r.dash for r in mine) >= _DASHED else (blanks, zeros)
    # the cells a joint placement of short rows left empty: blank cells the text dropped, where
    # no 0 is printed anywhere in the table (where one is, they may be zeros OCR lost; where a dash
    # is, and nothing else says how the table prints its zeros, they may be its dashes lost)
    blanks = blanks or (not zeros and any(r.status == "inferred" and r.joint for r in mine)
                        and not any(r.dash for r in mine))
    return {(True, False): "blank", (False, True): "zero", (True, True): "mixed"}.get((blanks, zeros), "unknown")


def blank_totals(readings: dict[str, Reading], rules: list[BoundRule]) -> dict[str, list[tuple[str, ...]]]:
    """Each cell of a rule whose every cell reads blank, with the other side of the rule. Such a
    rule goes unchecked (0 = 0 says nothing), but where every cell of one side is a sure blank,
    the other side's counts, none of them negative, sum to 0, and so each of them is 0 (the total
    of a column blank throughout; 一 + 二 blank, so (七) and 四 are too)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for rule in rules:
        cells = [readings.get(k) for k in rule.keys]
        # (a cell the rules inferred blank, its row's label not found, is 0 by this very sum)
        if all(r is not None and r.value is None and r.status in ("blank", "inferred") for r in cells):
            for side, other in ((rule.lhs, rule.rhs), (rule.rhs, rule.lhs)):
                for k in side:
                    out.setdefault(k, []).append(other)
    return out


def evaluate(readings: dict[str, Reading], rules: list[BoundRule]) -> list[Check]:
    checks = []
    for rule in rules:
        vals = [rule_value(readings.get(k)) for k in rule.keys]
        if any(v is None for v in vals) or all(readings[k].value is None for k in rule.keys):
            checks.append(Check(rule=rule.id, ok=None, fields=list(rule.keys), says=rule.says))
            continue
        lhs = sum(rule_value(readings[k]) for k in rule.lhs)
        rhs = sum(rule_value(readings[k]) for k in rule.rhs)
        checks.append(Check(rule=rule.id, ok=abs(lhs - rhs) < 1e-6, lhs=lhs, rhs=rhs, fields=list(rule.keys), says=rule.says))
    return checks


# A reading this sure of itself is not overruled by the rules it breaks (a cell of theirs may be wrong)
_OVERRULED_BELOW = 0.9


def one_misread(readings: dict[str, Reading], rules: list[BoundRule], checks: list[Check]) -> tuple[str, int] | None:
    """The cell the broken rules single out, with the value they give it, or None. Where two rules
    or more are broken (a column's sum and a row's), one cell OCR was unsure of stands in every one
    of them and in no rule that holds, and one value of it mends them all, that one misreading
    explains them (seen: a photo's 1 read as 一, a dash, so table 3's column and row both came out
    one short); any other account needs two misreadings or more that err by the same amount."""
    broken = [rule for rule, check in zip(rules, checks) if check.ok is False]
    if len(broken) < 2:
        return None
    held = {k for rule, check in zip(rules, checks) if check.ok for k in rule.keys}
    found = []
    for key in set(broken[0].keys).intersection(*(rule.keys for rule in broken[1:])) - held:
        r = readings.get(key)
        if r is None or r.status in ("missing", "inferred") or r.confidence >= _OVERRULED_BELOW:
            continue
        now = rule_value(r) or 0
        wanted = set()
        for rule in broken:
            lhs = sum(rule_value(readings[k]) for k in rule.lhs)
            rhs = sum(rule_value(readings[k]) for k in rule.rhs)
            wanted.add(round(now + (rhs - lhs if key in rule.lhs else lhs - rhs), 6))
        if len(wanted) == 1 and (value := wanted.pop()) >= 0 and float(value).is_integer():
            found.append((key, int(value)))
    return found[0] if len(found) == 1 else None


def _consistency_score(readings: dict[str, Reading], rules: list[BoundRule]) -> tuple[int, dict[str, float]]:
    trial = dict(readings)
    inferred = infer_missing(trial, rules)
    for k, (v, _) in inferred.items():
        trial[k] = Reading(k, v, "inferred", 0.0)
    score = 0
    for rule in rules:
        # a rule over cells all printed blank holds (0 = 0): a placement reading blanks as blanks
        # must score as well as one that fills the same cells with inferred zeros
        lhs = [rule_value(trial.get(k)) for k in rule.lhs]
        rhs = [rule_value(trial.get(k)) for k in rule.rhs]
        if any(v is None for v in lhs + rhs):
            continue
        score += 1 if abs(sum(lhs) - sum(rhs)) < 1e-6 else -3
    values = {k: r.value for k, r in trial.items()}
    return score, values


def value_key(value) -> str:
    """A value as compared between placements: 28 and 28.0 (a sum) are the same number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)


def slot_value(tok):
    return None if tok is None or tok.value.number is None else tok.value.number


def choose_placements(readings: dict[str, Reading], short_rows: list[ShortRow], rules: list[BoundRule]) -> dict[str, bool]:
    """For each short row, a placement the rules allow: the rows that share rules are placed
    together where some combination of their placements satisfies every rule (joint_placement.py),
    else one row at a time. Returns, per key of a short row (and of a cell the rules infer from a
    joint placement), whether its value is settled: every placement the rules allow gives it."""
    from .joint_placement import components, place_jointly  # it reads values as the rules here do

    agreed: dict[str, bool] = {}
    apart: list[ShortRow] = []
    for rows in components(short_rows, rules):
        settled = place_jointly(readings, rows, rules)
        if settled is None:
            apart += rows
        else:
            agreed.update(settled)
    agreed.update(_one_row_at_a_time(readings, apart, rules))
    return agreed


def _one_row_at_a_time(readings: dict[str, Reading], short_rows: list[ShortRow], rules: list[BoundRule]) -> dict[str, bool]:
    """For each short row, the placement that breaks fewest rules (ties: the likelier placement).
    Returns, per key of a short row, whether every best placement agrees on its value."""
    agreed: dict[str, bool] = {}
    # Rows are chosen one at a time: where several short rows share the column rules, a joint shift
    # of two rows can satisfy every rule as well as the truth does. There a value is settled only
    # if every placement its own row's rules allow gives it.
    shared = {row.keys[0].split(".")[0] for row in short_rows}
    shared = {t for t in shared if sum(r.keys[0].startswith(t + ".") for r in short_rows) > 1}
    local_values: dict[int, dict[str, set[str]]] = {}
    for n, row in enumerate(short_rows):
        if row.keys[0].split(".")[0] not in shared:
            continue
        local = [r for r in rules if set(r.keys) <= set(row.keys)]
        scored = []
        for cand in row.candidates:
            apply_candidate(readings, row, cand)
            scored.append(_consistency_score(readings, local))
        top = max(sc for sc, _ in scored)
        local_values[n] = {k: {value_key(v.get(k)) for sc, v in scored if sc == top} for k in row.keys}
        apply_candidate(readings, row, row.candidates[0])
    for _ in range(2):  # a second pass lets each row see the others' choices
        for n, row in enumerate(short_rows):
            results = []
            for cand in row.candidates:
                apply_candidate(readings, row, cand)
                score, values = _consistency_score(readings, rules)
                results.append((score, cand, values))
            best = max(r[0] for r in results)
            winners = [r for r in results if r[0] == best]
            apply_candidate(readings, row, winners[0][1])
            # The rules weigh one row at a time, so a joint shift of several rows can beat the row's
            # empty fields read as printed blanks: a value the blank reading of the row contradicts
            # is not settled, whatever the rules say.
            windows = [c for c in row.candidates if is_blank_window(c)]
            for i, key in enumerate(row.keys):
                chosen = winners[0][2].get(key)
                # the row's own rules must settle the same value the joint choice gives (seen: the
                # row's own rule put 28 in 总计, a joint shift with another short row inferred 64)
                local = local_values.get(n, {}).get(key)
                agreed[key] = (row.complete and len({value_key(w[2].get(key)) for w in winners}) == 1
                               and all(slot_value(w[i]) == chosen for w in windows)
                               and (local is None or local == {value_key(chosen)}))
    return agreed
