"""Tables 2 and 4 printed otherwise than the form: last year's figures set beside the report
year's, table 4 turned on its side, table 2 written out as sentences."""
from __future__ import annotations

from dataclasses import replace

import pytest

from extraction.model import Cell, Table
from extraction.pipeline import extract
from tests.synth import docx_report, html_report
from tests.synth.text_report import render_text
from tests.synth.form import (APPLICANT_COLS, T2_LAYOUT, T4_GROUPS, T4_PART_LABELS, T4_PARTS, build_report, format_value,
                              row_label, synth_answers, t3_result_rows, wrong_fields)

_T4_GROUP_LABELS = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]


def _last_year(value) -> str:
    """A figure for last year that differs from this year's, so that a column taken wrong shows."""
    if value is None:
        return "3"
    return format_value(round(value + 1.5, 2) if isinstance(value, float) else value + 4)


def _t2_beside_last_year(answer: dict, year: int) -> Table:
    """The 2021 form's table 2 with each column split under 上一年 | 本年 headed by the years."""
    cells: list[Cell] = []
    r = 0
    for group, header, rows in T2_LAYOUT["2021"]:
        cells.append(Cell(r, 0, group, colspan=7))
        cells.append(Cell(r + 1, 0, "信息内容", rowspan=2))
        c = 1
        for text, span in header[1:]:
            cells.append(Cell(r + 1, c, text, colspan=2 * span))
            for k in range(span):
                cells.append(Cell(r + 2, c + 2 * k, f"{year - 1}年"))
                cells.append(Cell(r + 2, c + 2 * k + 1, f"{year}年"))
            c += 2 * span
        r += 3
        for label, row_cells in rows:
            cells.append(Cell(r, 0, label))
            c = 1
            for key, span in row_cells:
                cells.append(Cell(r, c, _last_year(answer[key]), colspan=span))
                cells.append(Cell(r, c + span, format_value(answer[key]), colspan=span))
                c += 2 * span
            r += 1
    return Table(cells=cells, n_rows=r, n_cols=7, origin="synthetic")


def _t4_on_its_side(answer: dict, year: int, this_year_first: bool, change: bool = False) -> Table:
    """Table 4 with a row a figure, its columns last year's and this year's (and the change)."""
    years = [f"{year}年", f"{year - 1}年"] if this_year_first else [f"{year - 1}年", f"{year}年"]
    cells = [Cell(0, 0, "类别", colspan=2), Cell(0, 2, years[0]), Cell(0, 3, years[1])]
    if change:
        cells.append(Cell(0, 4, "同比增减"))
    r = 1
    for group, label in zip(T4_GROUPS, _T4_GROUP_LABELS):
        cells.append(Cell(r, 0, label, rowspan=5))
        for part, part_label in zip(T4_PARTS, T4_PART_LABELS):
            key = f"t4.{group}.{part}"
            figures = [format_value(answer[key]), _last_year(answer[key])]
            if not this_year_first:
                figures.reverse()
            cells += [Cell(r, 1, part_label), Cell(r, 2, figures[0]), Cell(r, 3, figures[1])]
            if change:
                cells.append(Cell(r, 4, "-4"))
            r += 1
    return Table(cells=cells, n_rows=r, n_cols=5 if change else 4, origin="synthetic")


@pytest.mark.parametrize("kind,seed,this_year_first,change", [("html", 3, False, False), ("docx", 5, True, False),
                                                             ("html", 8, True, True), ("txt", 9, False, True)])
def test_last_years_figures_beside_this_years_are_left_out(kind, seed, this_year_first, change):
    answer = synth_answers(seed, template="2021")
    report = build_report(answer, seed=seed)
    tables = dict(report.tables, t2=_t2_beside_last_year(report.answer, report.year),
                  t4=_t4_on_its_side(report.answer, report.year, this_year_first, change))
    report = replace(report, tables=tables)
    data = {"html": html_report.render, "docx": docx_report.render,
            "txt": lambda r: render_text(r, "tsv", seed=seed).text.encode()}[kind](report)
    output = extract(data, f"report.{kind}").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    for key in ("t2.normative_docs.in_force", "t2.fees.amount", "t4.review.total", "t4.litigation_direct.upheld"):
        assert output["fields"][key]["confidence"] >= 0.9, key


def _stated_table2(a: dict) -> list[str]:
    return [f"本年度制定规章{a['t2.rules.issued']}件，废止规章{a['t2.rules.repealed']}件，"
            f"现行有效规章{a['t2.rules.in_force']}件；制发行政规范性文件{a['t2.normative_docs.issued']}件，"
            f"废止行政规范性文件{a['t2.normative_docs.repealed']}件，现行有效行政",
            f"规范性文件{a['t2.normative_docs.in_force']}件。",
            f"行政许可本年处理决定数量{a['t2.licensing.decisions']}件；行政处罚本年处理决定数量"
            f"{a['t2.penalty.decisions']}件；行政强制本年处理决定数量{a['t2.coercion.decisions']}件；"
            f"行政事业性收费本年收费金额{format_value(a['t2.fees.amount'])}万元。"]


def test_table2_written_as_sentences():
    """A web page that says table 2 in sentences, one line broken where the page broke it."""
    answer = synth_answers(6, template="2021")
    report = build_report(answer, seed=6)
    sections = list(report.sections)
    heading, _ = sections[1]
    sections[1] = (heading, _stated_table2(report.answer))
    report = replace(report, sections=sections, tables=dict(report.tables, t2=Table(cells=[], n_rows=0, n_cols=0)))
    output = extract(html_report.render(report), "report.html").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    t2 = [k for k in report.answer if k.startswith("t2.")]
    assert len(t2) == 10 and all(output["fields"][k]["confidence"] >= 0.9 for k in t2)
    assert not any("table 2" in w for w in output["warnings"])


def test_a_figure_said_without_its_column_is_not_taken():
    """规章：2件 names no column; a figure said twice otherwise is neither."""
    answer = synth_answers(6, template="2021")
    report = build_report(answer, seed=6)
    a = report.answer
    sections = list(report.sections)
    sections[1] = (sections[1][0], [f"规章：{a['t2.rules.issued']}件。制发行政规范性文件{a['t2.normative_docs.issued']}件，"
                                    f"另制发行政规范性文件{a['t2.normative_docs.issued'] + 1}件。"])
    report = replace(report, sections=sections, tables=dict(report.tables, t2=Table(cells=[], n_rows=0, n_cols=0)))
    fields = extract(html_report.render(report), "report.html").model_dump(mode="json")["fields"]
    for key in ("t2.rules.issued", "t2.normative_docs.issued"):
        assert fields[key]["value"] is None and fields[key]["status"] == "missing", key


_APPLICANT_NAMES = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
_T4_TITLES = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]


def _t3_prefixes(template: str) -> list[tuple[str, str | None]]:
    return [("t3.received_new", None), ("t3.carried_over", None), *t3_result_rows(template, False),
            ("t3.carried_forward", None)]


def _written_out(report, *, lines: bool) -> str:
    """The report with tables 3 and 4 written out: each row as its name and its columns' names and
    figures in a sentence, or (lines) the row's name on a line of its own and a column a line
    below it; a row of zeros as its one 0件, and some rows naming only their figures not 0 (其余
    均为0件)."""
    a = report.answer
    out = [report.title, ""]
    for n, (heading, paragraphs) in enumerate(report.sections):
        out += [heading, *paragraphs]
        if n == 1:
            out += _stated_table2(a)
        if n == 2:
            group = None
            for i, (prefix, grp) in enumerate(_t3_prefixes(report.template)):
                if grp and grp != group:
                    out.append(grp)
                group = grp
                figures = [a[f"{prefix}.{c}"] for c in APPLICANT_COLS]
                name = row_label(prefix)
                if not any(figures):
                    out.append(f"{name}：0件")
                elif lines:
                    out += [f"🔹{name}", *(f"{col}：{v}件" for col, v in zip(_APPLICANT_NAMES, figures))]
                elif i % 3 == 0:
                    said = "，".join(f"{col}{v}件" for col, v in zip(_APPLICANT_NAMES[:-1], figures) if v)
                    out.append(f"{name}：{said}，其余类型申请人均为0件，总计{figures[-1]}件。")
                else:
                    out.append(f"{name}：" + "，".join(f"{col}{v}件" for col, v in zip(_APPLICANT_NAMES, figures)) + "。")
        if n == 3:
            for title, group in zip(_T4_TITLES, T4_GROUPS):
                figures = [a[f"t4.{group}.{p}"] for p in T4_PARTS]
                if lines:
                    out += [title, *(f"{part}：{v}件" for part, v in zip(T4_PART_LABELS, figures))]
                else:
                    out.append(f"{title}：" + "，".join(f"{part}{v}件" for part, v in zip(T4_PART_LABELS, figures)))
    return "\n".join([*out, "", *report.signature]) + "\n"


@pytest.mark.parametrize("seed,lines", [(5, False), (7, True), (12, False)])
def test_tables_written_out_row_by_row(seed, lines):
    """A WeChat article or a report in sentences: every field read, accepted where the rules hold."""
    answer = synth_answers(seed, template="2021")
    report = build_report(answer, seed=seed)
    output = extract(_written_out(report, lines=lines).encode(), "report.txt").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    accepted = [k for k in report.answer if k.startswith(("t3.", "t4.")) and output["fields"][k]["confidence"] >= 0.9]
    assert len(accepted) >= 0.95 * sum(k.startswith(("t3.", "t4.")) for k in report.answer)


def test_a_sentence_of_the_overview_naming_a_few_applicants_stays_prose():
    from extraction.labelled_figures import rows_of_labelled_figures
    from extraction.tokens import Token

    text = "全年共收到政府信息公开申请46件，其中自然人38件、商业企业5件、科研机构1件、法律服务机构2件。"
    assert [t.text for t in rows_of_labelled_figures([Token(text, 1, None)])] == [text]
    row = "（一）予以公开：自然人1件，商业企业0件，科研机构0件，社会公益组织0件，法律服务机构0件，其他0件，总计1件。"
    got = rows_of_labelled_figures([Token(row, 1, None)])
    assert got[0].text == "（一）予以公开" and [t.value.number for t in got[1:]] == [1, 0, 0, 0, 0, 0, 1]


def _turned(table: Table) -> Table:
    """The table on its side, as a landscape page or a web reproduction prints table 3."""
    cells = [Cell(c.col, c.row, c.text, rowspan=c.colspan, colspan=c.rowspan) for c in table.cells]
    return Table(cells=cells, n_rows=table.n_cols, n_cols=table.n_rows, origin="synthetic")


@pytest.mark.parametrize("kind", ["html", "docx"])
def test_table3_on_its_side_is_read_turned_back(kind):
    answer = synth_answers(11, template="2021")
    report = build_report(answer, seed=11)
    report = replace(report, tables=dict(report.tables, t3=_turned(report.tables["t3"])))
    data = html_report.render(report) if kind == "html" else docx_report.render(report)
    output = extract(data, f"report.{kind}").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    assert all(output["fields"][k]["confidence"] >= 0.9 for k in report.answer if k.startswith("t3."))


# table 3's row groups, as blocks of rows, printed in an order of their own: (一) (四) (五) (六) (二) (三) (七)
_GROUP_ORDER = [0, 3, 4, 5, 1, 2, 6]


def _groups_reordered(report) -> Table:
    t3 = report.tables["t3"]
    rows = [report.cell_of[f"{p}.natural_person"][1] for p, _ in t3_result_rows(report.template, "t3.other_handling.natural_person" in report.answer)]
    first = rows[0]
    blocks, grp = [], None
    for (prefix, g), r in zip(t3_result_rows(report.template, "t3.other_handling.natural_person" in report.answer), rows):
        if g is not None and g == grp:
            blocks[-1].append(r)
        else:
            blocks.append([r])
        grp = g
    new_row, at = {}, first
    for b in _GROUP_ORDER:
        for r in blocks[b]:
            new_row[r] = at
            at += 1
    cells = [c if c.row not in new_row or c.rowspan == len(rows) else replace(c, row=new_row[c.row]) for c in t3.cells]
    return Table(cells=cells, n_rows=t3.n_rows, n_cols=t3.n_cols, origin="synthetic")


@pytest.mark.parametrize("single", [False, True])
def test_table3_groups_in_an_order_of_their_own(single):
    """Each row found by its own name, and （六） read in the layout printed (one row or three)."""
    answer = synth_answers(13, template="2021")
    report = build_report(answer, seed=13, other_handling_single_row=single)
    report = replace(report, tables=dict(report.tables, t3=_groups_reordered(report)))
    output = extract(html_report.render(report), "report.html").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    assert set(k for k in output["fields"] if k.startswith("t3.")) == set(k for k in report.answer if k.startswith("t3."))
    t3 = [k for k in report.answer if k.startswith("t3.")]
    assert sum(output["fields"][k]["confidence"] >= 0.9 for k in t3) >= 0.95 * len(t3)


def test_a_subtotal_column_merged_down_the_header_is_left_out_where_it_stands():
    """法人或其他组织小计 after 其他, its header cell merged down two rows, so that it comes before 商业企业
    in the header's reading order."""
    answer = synth_answers(16, template="2021")
    report = build_report(answer, seed=16)
    cells = []
    for c in report.tables["t3"].cells:
        if c.row == 0 and c.col == 3:
            c = replace(c, colspan=8)
        elif c.col == 9:
            c = replace(c, col=10)
        cells.append(c)
    cells.append(Cell(1, 9, "小计", rowspan=2))
    for prefix in {k.rsplit(".", 1)[0] for k in report.answer if k.startswith("t3.")}:
        _, r, _ = report.cell_of[f"{prefix}.natural_person"]
        cells.append(Cell(r, 9, str(sum(report.answer[f"{prefix}.{c}"] or 0 for c in APPLICANT_COLS[1:6]))))
    t3 = Table(cells=cells, n_rows=report.tables["t3"].n_rows, n_cols=11, origin="synthetic")
    report = replace(report, tables=dict(report.tables, t3=t3))
    output = extract(html_report.render(report), "report.html").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []


def test_table4_as_three_small_tables_with_last_years_row():
    answer = synth_answers(17, template="2021")
    report = build_report(answer, seed=17)
    cells, r = [], 0
    for title, group in zip(_T4_TITLES, T4_GROUPS):
        cells.append(Cell(r, 0, title, colspan=6))
        cells += [Cell(r + 1, 0, "项目"), *(Cell(r + 1, 1 + i, p) for i, p in enumerate(T4_PART_LABELS))]
        figures = [report.answer[f"t4.{group}.{p}"] for p in T4_PARTS]
        cells += [Cell(r + 2, 0, "本年"), *(Cell(r + 2, 1 + i, format_value(v)) for i, v in enumerate(figures))]
        cells += [Cell(r + 3, 0, "上年"), *(Cell(r + 3, 1 + i, _last_year(v)) for i, v in enumerate(figures))]
        r += 4
    report = replace(report, tables=dict(report.tables, t4=Table(cells=cells, n_rows=r, n_cols=6, origin="synthetic")))
    output = extract(docx_report.render(report), "report.docx").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    assert all(output["fields"][k]["confidence"] >= 0.9 for k in report.answer if k.startswith("t4."))


def test_a_remark_column_of_table2_is_left_out():
    answer = synth_answers(18, template="2021")
    report = build_report(answer, seed=18)
    cells = []
    for c in report.tables["t2"].cells:
        cells.append(replace(c, colspan=min(c.colspan, 4 - c.col)))
        if c.colspan == 4:  # a group's caption: the remark column's header beside it
            cells.append(Cell(c.row, 4, "备注", rowspan=2))
        elif c.col == 0 and c.text != "信息内容":
            cells.append(Cell(c.row, 4, "无"))
    t2 = Table(cells=cells, n_rows=report.tables["t2"].n_rows, n_cols=5, origin="synthetic")
    report = replace(report, tables=dict(report.tables, t2=t2))
    output = extract(html_report.render(report), "report.html").model_dump(mode="json")
    assert wrong_fields(report.answer, output) == []
    assert all(output["fields"][k]["confidence"] >= 0.9 for k in report.answer if k.startswith("t2."))


def test_a_label_run_into_other_rows_figures_is_not_taken_by_its_name():
    """Out of the form's order and printing more figures than the row has cells (OCR of overlapping
    captures ran a label into the figures of rows around it): no row's by its name alone."""
    from tests.synth.text_report import render_text as text_of

    answer = synth_answers(19, template="2021")
    report = build_report(answer, seed=19)
    lines = text_of(report, "tsv", seed=2).text.splitlines()
    at = next(n for n, ln in enumerate(lines) if "（一）予以公开" in ln)
    garbled = lines.pop(at) + "\t8\t98"
    end = next(n for n, ln in enumerate(lines) if ln.startswith("四、结转下年度继续办理"))
    lines.insert(end + 1, garbled.replace("三、本年度办理结果\t", ""))
    output = extract("\n".join(lines).encode(), "report.txt").model_dump(mode="json")
    assert any("rows not found" in w and "granted" in w for w in output["warnings"])
    wrong = [k for k, _, _ in wrong_fields(report.answer, output) if output["fields"][k]["confidence"] >= 0.9]
    assert wrong == []
