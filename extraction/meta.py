"""The report's own facts: issuing agency, year reported on, publication date."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from .sections import is_boilerplate
from .tokens import Token

# (公开工作, in a title's large type, OCR may drop or misread: 政府信息公工作年度报告, 信息公升, 信息公T --作;
# and a character of its 年度报告: 年度投告)
_TITLE = re.compile(r"(?P<before>.*?)(?P<year>(?:19|20)\d{2}|二[〇○零O][〇○零O一二三四五六七八九]{2})年度?(?P<between>(?:(?!(?:19|20)\d{2}年).)*?)(?:政府)?信息公.{0,3}?(?:工作|作)?(?:情况)?的?(?:年度(?:报告|年报|.告|报.)|报告|年报)")
# ...or with the year after the title's words: 某某人民政府政府信息公开工作2020年度报告
_TITLE_YEAR_LAST = re.compile(r"(?P<before>.*?)(?:政府)?信息公.{0,3}?(?:工作|作)?(?P<between>)(?P<year>(?:19|20)\d{2})年度?(?:报告|年报)")
_FIELD_LABEL = re.compile(r"^(?:标题|题目|名称|文件名称|主题)[:：]")
# A web page's information block names the publishing body on a line of its own: 发布机构：某某局.
_INFO_LABEL = re.compile(r"^(?:发布机构|发文机关|发文单位|发布单位|公开主体|信息来源|来源)[:：]")
# The fields of a web page's information block over its report (索引号：…, 发布日期：…, 字号：大 中 小),
# a line each, or a label's cell and its value's.
_INFO_FIELDS = (r"(?:信息)?索引号|索取号|信息分类|主题分类|体裁分类|组配分类|服务对象分类|发布机构|发文机关|发文单位|"
                r"发布单位|公开主体|信息来源|来源|发布日期|发布时间|成文日期|生成日期|印发日期|发文日期|文号|发文字号|"
                r"标题|题目|名称|信息名称|主题词|关键词|公开方式|公开范围|公开时限|有效性|时效性|所属机构|字号|浏览次数")
_INFO_FIELD = re.compile(rf"^\s*(?:{_INFO_FIELDS})\s*[:：]")
_INFO_FIELD_ALONE = re.compile(rf"^\s*(?:{_INFO_FIELDS})\s*[:：]?\s*$")
_AGENCY_TAIL = re.compile(r"(局|委员会|委|办公室|办|院|政府|厅|部|署|所|处|站|队|馆|中心|室|社|行|司|会|街道办事处|街道|镇|乡|集团|公司|总局|管委会|管理委员会|大学|学校|中学|小学|幼儿园)"
                          # a body's second name in brackets after its first: 外事办公室（港澳事务办公室）
                          r"(?:[（(][^（）()]{2,30}[)）])?$")
_SECOND_NAME = re.compile(r"^[（(][^（）()]{2,30}(局|委员会|委|办公室|办|院|厅|部|署|所|处|站|队|馆|中心|室)[)）]$")
# What a date line may carry besides the date: its weekday.
_WEEKDAY = re.compile(r"[（(]?(?:星期|周|礼拜)[一二三四五六日天][)）]?")
# A browser's print of the page's address and page count, under the signature.
_PRINTED_URL = re.compile(r"^\s*(?:(?:https?://|www\.)\S+)?\s*(?:\d+\s*/\s*\d+)?\s*$")
_DATE_LABEL = re.compile(r"(?:发布日期|发布时间|成文日期|印发日期|发文日期|日期|(?<![统计期限更新修改])时间(?=\s*[:：]))[:：]?\s*")
# Chinese characters, the rarer ones of place names too (长沙县㮾梨街道: Extension A; B and later)
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_PATTERNS = (
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<y>[二〇○零O一三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>[一二三四五六七八九十]{1,4})\s*日"),
)


@dataclass
class MetaRead:
    value: object
    confidence: float
    raw: str | None = None
    page: int | None = None
    bbox: tuple | None = None
    status: str = "read"


def _cn_number(s: str) -> int:
    if all(ch in _CN_DIGITS for ch in s) and len(s) >= 2 and "十" not in s:
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    if "十" in s:
        left, _, right = s.partition("十")
        return (_CN_DIGITS.get(left, 1) if left else 1) * 10 + (_CN_DIGITS.get(right, 0) if right else 0)
    return _CN_DIGITS[s]


def parse_dates(text: str) -> list[tuple[dt.date, re.Match]]:
    out = []
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            try:
                if m.group("y").isdigit():
                    y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
                else:
                    y, mo, d = _cn_number(m.group("y")), _cn_number(m.group("m")), _cn_number(m.group("d"))
                out.append((dt.date(y, mo, d), m))
            except (ValueError, KeyError):
                continue
    return out


@dataclass
class Title:
    agency: str | None
    year: int
    token: Token


def _title_in(text: str) -> re.Match | None:
    return _TITLE.search(text) or _TITLE_YEAR_LAST.search(text)


# A volume's cover (某某县2023年度政府信息公开工作年度报告汇编) and its contents' entries (a title, leader
# dots, perhaps its page): no report's title.
_COLLECTION = re.compile(r"汇编|汇总|合集|选编|目录")
_CONTENTS_ENTRY = re.compile(r"[.…·．\-—_]{3,}\s*\d{0,4}\s*$")


# A browser's header over a printed page: the date and time it was printed, then the page's title
# (2024/3/18 09:42, 3/18/24, 9:42 AM), in small type that OCR reads worse than the title itself.
_PRINTED_AT = re.compile(r"^\s*\d{1,4}\s*/\s*\d{1,2}\s*/\s*\d{1,4}[\s,]+(?:上午|下午)?\s*\d{1,2}\s*:\s*\d{2}")


def find_title(tokens: list[Token], limit: int) -> Title | None:
    """The report's title: the first line that reads as one, but not a browser's header where a
    title of the page itself that names the agency follows it."""
    titles = _titles(tokens, limit)
    first = next(titles, None)
    if first is None or not _PRINTED_AT.match(first.token.text):
        return first
    return next((t for t in titles if t.agency and not _PRINTED_AT.match(t.token.text)), first)


def _titles(tokens: list[Token], limit: int) -> Iterator[Title]:
    labels = [t for t in tokens[:limit] if not t.is_value and t.text]
    for idx, tok in enumerate(labels):
        text = _FIELD_LABEL.sub("", re.sub(r"\s+", "", tok.text))
        m = _title_in(text)
        if (not m and idx + 1 < len(labels) and len(text) <= 40 and not parse_dates(text) and not _SENTENCE.search(text)
                and (re.search(r"(?:(?:19|20)\d{2}|二[〇○零O].{2})年", text) or _year_cut(text, labels[idx + 1].text))):
            # a title broken across lines: 某某局2022年 / 政府信息公开工作年度报告, or …政府信息 / 公开工作年度报告
            # (a date line of a web page's information block, 发布日期：2020年2月5日, is no part of it, nor
            # a sentence: in a volume, the last of the report before, 2024年我局未收取信息处理费。)
            text += re.sub(r"\s+", "", labels[idx + 1].text)
            m = _title_in(text)
        if not m or _COLLECTION.match(text, m.end()) or _CONTENTS_ENTRY.search(tok.text):
            continue
        agency = _clean_agency(m.group("before")) or _clean_agency(m.group("between"))
        if not agency and idx > 0:
            prev = _INFO_LABEL.sub("", re.sub(r"\s+", "", labels[idx - 1].text))
            # (a labelled line other than the information block's is a site's footer: 主办单位：某某办公室)
            if len(prev) <= 40 and _AGENCY_TAIL.search(prev) and not re.search(r"[\d:：]", prev):
                agency = prev
        year = m.group("year")
        yield Title(agency or None, int(year) if year.isdigit() else _cn_number(year), tok)


def _year_cut(text: str, following: str) -> bool:
    """Whether a line ends with the first digits of a year the next line's first digits end (a title
    set letter-spaced wraps anywhere: 长 沙 市 民 政 局 2 0 1 / 9 年 政 府 信 息 公 开 …)."""
    head = re.search(r"(?<!\d)\d{1,3}$", text)
    tail = re.match(r"\d{1,3}(?=年)", re.sub(r"\s+", "", following))
    return bool(head and tail) and re.fullmatch(r"(?:19|20)\d{2}", head.group(0) + tail.group(0)) is not None


def info_block_start(tokens: list[Token], at: int, reach: int = 16) -> int:
    """Where the web page's information block right before tokens[at] starts (`at` where none
    stands there): in a volume, the next report's block belongs to it, and its 发布日期 is that
    report's date, not the one before's."""
    i, lo = at, max(0, at - reach)
    while i > lo:
        if _INFO_FIELD.match(tokens[i - 1].text):
            i -= 1
        elif i - 2 >= lo and _INFO_FIELD_ALONE.match(tokens[i - 2].text):
            i -= 2
        else:
            break
    return i


def _clean_agency(s: str) -> str:
    # only the run of Chinese text right before the year: not a browser's date header before it
    run = re.search(rf"[{_HAN}（）()]+$", s.strip(" 《》“”\"'：:，,。"))
    s = run.group(0) if run else ""
    s = re.sub(r"(关于|的)$", "", s)
    # 某某人民政府政府信息公开工作2020年度报告: the year after the title's words
    s = re.sub(r"(?<=.)(?:政府)?信息公.{0,3}?(?:工作|作)?$", "", s)
    s = re.sub(r"^关于", "", s)
    return s if _AGENCY_TAIL.search(s) or bare_place(s) else ""


# A place's name alone: the title of a government's own report names it so (宿迁市2025年政府信息
# 公开工作年度报告), where its signature may name the government or its office.
_PLACE = re.compile(rf"^[{_HAN}]{{1,10}}?(?:省|市|县|区|旗|州|盟|自治区|自治州|自治县|新区)$")


def bare_place(name: str) -> bool:
    return bool(_PLACE.match(name)) and not _AGENCY_TAIL.search(name)


# Where a labelled date and the signature's disagree (a site's 发布日期 days after the date the agency
# put under its report), which one a reader wants is not the document's to say.
_DATES_DISAGREE = 0.75


def find_published_date(tokens: list[Token], body_end_start: int, year: int | None,
                        under_title: list[Token] | None = None) -> MetaRead | None:
    """A date the agency printed as the report's date: the date standing alone under the signature,
    or a labelled 发布日期, or one standing alone in brackets right under the title (a Word file's
    subtitle, （2023年2月16日）). Statistics periods (…1月1日至12月31日) and dates inside prose are not.
    Where the label and the signature give two dates, the signature's is returned, in review."""
    labelled = _labelled_date(tokens, year)
    signed = _date_alone(tokens[body_end_start:], year)
    if signed and labelled and signed.value != labelled.value:
        return replace(signed, confidence=_DATES_DISAGREE)
    return labelled or signed or _date_alone(under_title or [], year, bracketed=True)


def _plausible(d: dt.date, year: int | None) -> bool:
    return year is None or year <= d.year <= year + 2


def _labelled_date(tokens: list[Token], year: int | None) -> MetaRead | None:
    for i, tok in enumerate(tokens):
        if tok.is_value:
            continue
        lab = _DATE_LABEL.search(tok.text)
        # (a site's info line under the title may say only 时间：2022-03-24 14:24, beside 来源：)
        if lab and (re.match(r"(?:发布|成文|印发|发文)", tok.text[lab.start():]) or tok.text.strip().startswith("日期")
                    or tok.text[lab.start():].startswith("时间") and not tok.text[:lab.start()].strip()):
            dated = tok
            if not tok.text[lab.end():].strip():
                # a web page's information table: the label in one cell, the date in the next (or on
                # the next line, where a one-row table is read as layout or a converter wrote one cell
                # per line)
                dated = next((t for t in tokens[i + 1:i + 3] if t.text.strip()), None)
                if dated is None or dated.is_value:
                    continue
                lab = re.match(r"\s*", dated.text)
            dates = parse_dates(dated.text[lab.end():lab.end() + 20])
            if dates and _plausible(dates[0][0], year) and dates[0][1].start() <= 2:
                return MetaRead(dates[0][0].isoformat(), 0.95, dated.text.strip(), dated.page, dated.bbox)
    return None


def _date_alone(tokens: list[Token], year: int | None, *, bracketed: bool = False) -> MetaRead | None:
    """The first date on a line of its own among `tokens` (beside the agency's name, or a weekday),
    not a period (…至…). `bracketed`: only a date in brackets, the line nothing else."""
    clock = False
    for tok in tokens:
        if tok.is_value:
            continue
        # (a date under a time is a clock's, a screenshot's taskbar: 14:32 / 2025/11/22, the time
        # after the tray's icons and input method, ^ 中 14:32)
        line = tok.text.strip()
        after_clock, clock = clock, len(line) <= _CLOCK_LINE and _CLOCK.search(line) is not None
        if after_clock:
            continue
        text, _ = _before_appendix(tok.text)
        for d, m in parse_dates(text):
            rest = _WEEKDAY.sub("", text[:m.start()] + text[m.end():]).strip()
            if bracketed:
                alone = re.fullmatch(r"[（(]\s*[)）]", rest) is not None
            else:
                alone = len(rest) <= 2 or _AGENCY_TAIL.search(rest.replace(" ", "")) is not None
            if _plausible(d, year) and alone and "至" not in tok.text:
                return MetaRead(d.isoformat(), 0.92, tok.text.strip(), tok.page, tok.bbox)
    return None


_CLOCK = re.compile(r"(?<!\d)\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?$")
_CLOCK_LINE = 16
# a year with a month after it, in any of the ways a date is printed: what could be a date the
# agency printed, read whole or not (2024年3月, 2024.03, 二〇二四年三月)
_YEAR_MONTH = re.compile(r"(?:19|20)\d{2}\s*(?:年|[-/.])\s*\d{1,2}|[二〇○零O一三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]")
_YEAR = re.compile(r"(?:19|20)\d{2}|[二〇○零O][一二三四五六七八九〇○零0-9]{3}")
# a year named as one (2021年, 二〇二一年)
YEAR_WORD = re.compile(rf"(?:{_YEAR.pattern})\s*年")
_SHORT_LINE = 24  # characters: a date set on a line of its own, with a word or two beside it
_TAIL_REACH = 3  # lines under a signature looked through for the web page's own
_SENTENCE = re.compile(r"[。，；,;！？]")
_MONTH_OR_DAY = re.compile(r"[月日]")
# a page number on a line of its own (第3页共3页, - 3 -), its digits perhaps misread (第了页共3页):
# a page's footer, which no date is
_PAGE_NUMBER = re.compile(r"^(?:第.{1,3}页[,，/]?共.{1,3}页|共.{1,3}页第.{1,3}页|[-–—－].{1,3}[-–—－])$")


def prints_no_date(tokens: list[Token], head_end: int, tail_start: int, *, by_ocr: bool = False) -> bool:
    """Whether the document prints nothing the agency could have dated the report with: no date
    label anywhere, and nothing like a date under its title (tokens[:head_end], on a line of its
    own: the statistics period in the paragraph before 一、 is no report's date) or after its last
    sections (tokens[tail_start:]; there a year with a month in a sentence too, or a short line
    with a year). `by_ocr`: the words are OCR's, which may misread a date past knowing it
    (2O23年1月5日): there a short line with a month or a day in it is taken for one too, and after
    the last sections a short line with any digit. Finding none says none is printed only where
    every word printed was read (the caller's to know)."""
    for i, tok in enumerate(tokens):
        if not tok.is_value and _DATE_LABEL.search(tok.text):
            return False
        # (a value too: 2024.01 alone on a line reads as a number)
        text = re.sub(r"\s+", "", tok.text)
        if _PAGE_NUMBER.match(text):
            continue
        dated = bool(parse_dates(text) or _YEAR_MONTH.search(text))
        # a line of its own, not a sentence (2021年我局未收取信息处理费。)
        alone = len(text) <= _SHORT_LINE and not _SENTENCE.search(text)
        if by_ocr and alone and (_MONTH_OR_DAY.search(text) or i >= tail_start and re.search(r"\d", text)):
            return False
        if i < head_end and dated and alone or i >= tail_start and (dated or alone and _YEAR.search(text)):
            return False
    return True


# An appendix's heading after the report (附件：相关统计表, 附表1, 附：): its line may run into the
# signature's or the date's where no space stands between them
_APPENDIX = re.compile(r"(?:附件|附表|附录|附[:：]).*$")


def _before_appendix(text: str) -> tuple[str, re.Match | None]:
    """The line without an appendix's heading run into its end, and the heading found (at its
    start too, where nothing is cut)."""
    found = _APPENDIX.search(text)
    return (text[:found.start()] if found and found.start() > 0 else text), found


def find_signature_agency(tokens: list[Token], tail_start: int) -> Token | None:
    """The agency named under the report: a short line ending like an agency's name, just above
    the date (or among the last lines)."""
    labels = [t for t in tokens[tail_start:] if not t.is_value and t.text.strip()]
    for i, tok in enumerate(labels):
        text, appendix = _before_appendix(re.sub(r"\s+", "", tok.text))
        if appendix and appendix.start() > 0:
            tok = replace(tok, text=text)  # the report ends with the name
        if 4 <= len(text) <= 30 and _AGENCY_TAIL.search(text) and not re.search(r"\d|[，。；：,;:]", text):
            following = labels[i + 1].text if i + 1 < len(labels) else ""
            if _SECOND_NAME.match(following.strip()):
                # the body's second name on a line of its own under the first: 外事局 / （港澳事务局）
                tok = replace(tok, text=text + following.strip())
                i += 1
                following = labels[i + 1].text if i + 1 < len(labels) else ""
            # under it: the date, the end of the text, an appendix (附件：相关统计表), or a web
            # page's own lines after the report
            if (parse_dates(following) or i + 1 == len(labels) or appendix or _APPENDIX.match(following.strip())
                    or _page_tail(labels[i + 1:i + 1 + _TAIL_REACH])):
                return tok
    return None


def _page_tail(lines: list[Token]) -> bool:
    """Whether these lines are a web page's after the report: its boilerplate or printed address
    among short lines that are no sentence (an advert first: 精品推荐：限时特惠，点击领取)."""
    for tok in lines:
        text = tok.text.strip()
        if is_boilerplate(text) or _PRINTED_URL.match(text):
            return True
        if len(text) > _SHORT_LINE or re.search(r"[。；;]$", text):
            return False
    return False


def misread_of(a: str, b: str) -> bool:
    """Whether two names of the agency are one name with a character or two misread in one of them
    (生悬环境局 in the title, 生态环境局 under the report): then neither can be taken on its own."""
    return a != b and Levenshtein.distance(a, b) <= 2 <= min(len(a), len(b)) - 2


def plausible_agency(name: str) -> bool:
    return 4 <= len(name) <= 25 and not re.search(r"\d|年度|报告|关于|政府信息公开", name)
