"""`build.py allow-number`: read one number without echoing it and print its allow-list entry.

The number itself never reaches the allow list, a log or the terminal: only its
SHA-256 and its masked form are printed (`disclosure/rules/personal_allow_list.py`).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from disclosure.rules.personal_allow_list import ALLOW_FILE
from disclosure.rules.personal_numbers import KIND_NAMES, scan_text


def allow_number_command(stream: Any = None) -> int:
    """Read a number from stdin (not echoed on a terminal) and print an allow-list entry for it."""
    stream = stream or sys.stdin
    raw = getpass.getpass("请输入要登记的号码（输入不回显）：") if stream.isatty() else stream.read()
    found = [f for f in scan_text(raw.strip()) if f.kind in KIND_NAMES or f.kind == "card_luhn"]
    if len(found) != 1:
        print("未能识别为一个身份证号、手机号码或银行卡号；请只输入一个号码。", file=sys.stderr)
        return 1
    f = found[0]
    name = KIND_NAMES.get(f.kind, "银行卡号")
    print(f"已识别为{name} {f.masked}。把下面几行加到 content/{ALLOW_FILE}，并填写理由和审核人：", file=sys.stderr)
    print(f"- sha256: {f.sha256}\n  reason: 请填写公开理由（如：值班手机，按规定公开）\n  reviewer: 请填写审核人")
    return 0
