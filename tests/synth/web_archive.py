"""A report's web page saved as one file, as browsers and Word write it: a MIME message of the
page and the pictures it shows (`html_report.render`'s data: URI pictures become parts the page
names by address).

Styles: "chrome" (.mhtml: Blink's headers, the page quoted-printable with no charset in its part
header, parts named by absolute address), "ie" (.mht: Internet Explorer's, the part header
declaring GB2312 for a GBK page that does not declare it itself), "word" (Word's "single file web
page": parts under file:/// addresses, the page naming them relatively).
"""
from __future__ import annotations

import base64
import quopri
import re

_PICTURE = re.compile(rb'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_BASES = {"chrome": "https://www.example.gov.cn/art/2024/3/1/art_2931_1.html",
          "ie": "http://www.example.gov.cn/zwgk/ndbg/202403/t20240301_1.html",
          "word": "file:///C:/Users/admin/Desktop/report.htm"}


def archive(page: bytes, style: str = "chrome", encoding: str = "utf-8") -> bytes:
    """`page`: the web page's bytes in `encoding`; its data: URI pictures become parts."""
    base = _BASES[style]
    folder = "report.files/" if style == "word" else "../../../../images/2024/"
    pictures: list[tuple[str, bytes]] = []

    def named(m: re.Match) -> bytes:
        name = f"{folder}image{len(pictures) + 1:03d}.png"
        pictures.append((name, base64.b64decode(m.group(1))))
        return f'src="{name}"'.encode()

    page = _PICTURE.sub(named, page)
    boundary = {"chrome": "----MultipartBoundary--Xy7TQ2n0Kc----", "ie": "----=_NextPart_000_0000_01DA6B.6E8F2A10",
                "word": "----=_NextPart_01DA6B6E.8F2A1050"}[style]
    charset = {"chrome": "", "ie": '; charset="gb2312"', "word": f'; charset="{encoding}"'}[style]
    head = {"chrome": "From: <Saved by Blink>\r\nSnapshot-Content-Location: " + base + "\r\n"
                      "Subject: =?utf-8?Q?report?=\r\nDate: Fri, 1 Mar 2024 09:30:00 +0800\r\n",
            "ie": "From: <Saved by Windows Internet Explorer 8>\r\nSubject: report\r\n"
                  "Date: Fri, 1 Mar 2024 09:30:00 +0800\r\n",
            "word": ""}[style]
    out = [head + "MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n"
           f"\tboundary=\"{boundary}\"\r\n\r\n"
           + ("This is a multi-part message in MIME format.\r\n\r\n" if style != "chrome" else "")]
    body = quopri.encodestring(page).decode("ascii").replace("\r\n", "\n").replace("\n", "\r\n")
    out.append(f"--{boundary}\r\nContent-Type: text/html{charset}\r\nContent-Transfer-Encoding: quoted-printable\r\n"
               f"Content-Location: {base}\r\n\r\n{body}\r\n")
    for name, png in pictures:
        location = _join(base, name)
        b64 = base64.encodebytes(png).decode("ascii").replace("\n", "\r\n")
        out.append(f"--{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                   f"Content-Location: {location}\r\n\r\n{b64}\r\n")
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode("ascii")


def _join(base: str, name: str) -> str:
    folder = base.rsplit("/", 1)[0]
    while name.startswith("../"):
        folder, name = folder.rsplit("/", 1)[0], name[3:]
    return f"{folder}/{name}"
