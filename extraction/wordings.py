"""How agencies word the form's row labels when they do not print the form's own words.

Reports copy the form by hand: a row keeps its meaning and its place, but its label may be the
other form's (规范性文件 for 行政规范性文件), an older wording (危及国家安全、公共安全、经济安全和社会稳定
for 危及"三安全一稳定"), a shortening (需要另行制作, 逾期未缴纳信息处理费), or a common synonym
(全部公开 for 予以公开, 合计 or 办理结果总计 for 总计). Each wording here names its row and no
other row of the form, so a label printed in it finds its row as surely as the form's own words.
Typing slips seen in printed labels (部份, 其它, 提拱) are mended in `labels.label_key`.
"""
from __future__ import annotations

# by row id (schema.Row.id)
ROW_WORDINGS: dict[str, tuple[str, ...]] = {
    # table 2
    "normative_docs": ("规范性文件", "行政规范性文件"),
    # table 3
    "granted": ("全部公开",),
    "denied.safety_stability": ("危及国家安全、公共安全、经济安全和社会稳定", "危及三安全一稳定"),
    "unavailable.needs_creation": ("需要另行制作", "没有现成信息需另行制作"),
    "other_handling.overdue_correction": ("申请人逾期不补正",),
    "other_handling.overdue_fee": ("申请人逾期未按收费通知要求缴纳费用", "逾期未缴纳信息处理费", "申请人逾期未缴纳费用"),
    "total_handled": ("合计", "办理结果总计", "办理结果合计"),
}


def row_names(row_id: str, label: str) -> tuple[str, ...]:
    """The form's label of a row, then the other wordings it is printed in."""
    return (label, *(w for w in ROW_WORDINGS.get(row_id, ()) if w != label))
