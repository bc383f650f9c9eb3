"""Per-field confidence: how the value was read, how well its label matched, and what the rules
say about it. The promise (SPEC.md): fields at ≥ 0.9 are right at least 999 times in 1,000."""
from __future__ import annotations

from .contract import Check
from .readings import Reading


def apply_rules(readings: dict[str, Reading], checks: list[Check], agreed: dict[str, bool],
                blank_zeros: frozenset[str] = frozenset(), totals: dict[str, list[tuple[str, ...]]] | None = None,
                given_by: dict[str, str] | None = None) -> None:
    """`blank_zeros`: the tables ("t3") that print their zeros blank, as their rows with values show;
    `totals`: the cells of rules read all blank, with the other sides (consistency.blank_totals);
    `given_by`: the cells the rules inferred, with the rule that gave each (consistency.infer_missing)."""
    given_by = given_by or {}
    satisfied: dict[str, int] = {}
    violated: dict[str, int] = {}
    # Rules holding over a value the document prints: a rule over cells the rules filled in alone
    # (a row not found, inferred 0 by its columns' sums, and its total with it) checks nothing.
    vouching: dict[str, int] = {}
    for check in checks:
        if check.ok is None:
            continue
        counters = [satisfied if check.ok else violated]
        if check.ok and any(readings[k].status not in ("inferred", "missing") for k in check.fields):
            counters.append(vouching)
        # a rule that gave one of its cells holds by that: it confirms the others no more than a rule
        # with that cell unread would (a row's 总计 read 0 where 2 was printed, its lost 自然人 cell
        # inferred as 0 from it); to the cell it gave, it is the one rule behind it
        gave = {k for k in check.fields if given_by.get(k) == check.rule}
        for counter in counters:
            for k in check.fields:
                if counter is satisfied and gave and k not in gave:
                    continue
                counter[k] = counter.get(k, 0) + 1
    totals = totals or {}
    # A broken rule speaks against all its cells. Where some of them stand in no rule that holds,
    # they are what broke it; a cell of it that a rule holding confirms is not held to it (a report
    # that leaves its 总计 column blank for the result rows breaks every row's rule, and the row's
    # numbers, each confirmed by its column's sum, are right as printed).
    # (A printed blank in a rule read all blank, the other side's blanks printed too, counts as
    # confirmed: that side sums to 0.)
    def confirmed(key: str) -> bool:
        r = readings[key]
        return bool(satisfied.get(key)) or r.clean_blank and any(
            all(readings[k].clean_blank for k in other) for other in totals.get(key, ()))

    explained: dict[str, int] = {}
    for check in checks:
        if check.ok is False and not all(map(confirmed, check.fields)):
            for k in check.fields:
                if confirmed(k):
                    explained[k] = explained.get(k, 0) + 1

    def sure_blank(key: str) -> bool:
        r = readings[key]
        return r.clean_blank and satisfied.get(key, 0) > 0 and not violated.get(key, 0)

    read_as = {k: r.confidence for k, r in readings.items()}
    for key, r in readings.items():
        sat, viol = satisfied.get(key, 0), violated.get(key, 0)
        if not r.placed and (r.status in ("read", "corrected") or r.clean_blank):
            viol -= explained.get(key, 0)
        if r.quiet_row and not sat and any(all(map(sure_blank, other)) for other in totals.get(key, ())):
            sat = 1  # a rule it is in makes it 0
        c = r.confidence
        if r.clean_blank and not sat and not viol:
            # a rule's other side printed blank, each sure: the counts on this side sum to 0, so this
            # cell is blank whichever row it is (its row's label misread: 2.重复申调); as sure as they
            c = max(c, max((min(read_as[k] for k in other) for other in totals.get(key, ())
                            if all(readings[k].clean_blank for k in other)), default=c))
        if r.status == "missing":
            c = 0.0
        elif r.status == "inferred":
            # one rule gives the value; another independent rule holding with it cross-checks it
            # (in a short row, only where every placement the rules allow gives the same value)
            # (a cell a joint placement left empty: every rule checked, those over blanks included)
            c = 0.93 if (vouching.get(key, 0) >= 2 or r.joint) and viol == 0 and agreed.get(key, True) else 0.75
        elif r.placed:
            # a joint placement has checked it against every rule, those over blanks only included
            checked = sat >= 1 or r.joint
            c = max(c, 0.92) if agreed.get(key) and checked and viol == 0 else min(c, 0.7)
        if viol:
            c = min(c, 0.5 if viol >= 2 or sat == 0 else 0.7)
        elif sat and (r.status in ("read", "corrected") or r.clean_blank
                      or r.quiet_row and key.split(".")[0] in blank_zeros) and not (r.placed and not agreed.get(key)):
            # rules that hold confirm a read value, but not the column a doubtful placement gave it;
            # nor a blank with ink in its cell, where a lost 0 would hold them as well; a row OCR read
            # nothing in may have lost 0s as well, unless its table prints no 0
            c = 1.0 - (1.0 - c) * 0.3
        r.confidence = round(min(max(c, 0.0), 1.0), 4)
