"""Issue 3: approval-item lists (关停并转放) and power items with flowcharts and 廉政风险点.

Each validation rule gets one exact `path:line: 字段（key）: 说明` line; the built site is
parsed back: list, item and risk pages as HTML, every flowchart as XML.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from conftest import read_page, run_build
from disclosure.kinds.power import PowerMeta
from disclosure.kinds.power_flowchart import BOX_W, PAD, char_width, draw_flowchart

FIXTURE = Path(__file__).parent / "fixtures" / "lists"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</text><script>alert(1)</script>\"'&amp;]]><foreignObject>"


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A copy of the approvals/powers fixture site that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def problems(stderr: str, kind: str = "error") -> list[str]:
    lines = [line for line in stderr.splitlines() if line.count(":") >= 2 and "（" in line]
    if kind == "error":
        return [line for line in lines if ": 警告：" not in line]
    return [line for line in lines if ": 警告：" in line and ("approvals/" in line or "powers/" in line)]


def check(run, content: Path, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(content)
    return run("check", "--content", ".")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ACTIONS_TEXT = "取消、停止实施、并联审批、转变管理方式、下放、移交、部分取消、部分下放"

# ---- approval lists ----

CSV_CASES = {
    "bad-action": (
        ("2,娱乐场所经营许可,保定市文化广电和旅游局,《娱乐场所管理条例》第九条,下放,", "2,娱乐场所经营许可,保定市文化广电和旅游局,《娱乐场所管理条例》第九条,撤并,"),
        [f"approvals/2010/first-items.csv:3: 处理决定（items[1].action）: 应为以下之一：{ACTIONS_TEXT}（实为“撤并”）"],
    ),
    "number-gap": (
        ("\n4,户外广告", "\n5,户外广告"),
        ["approvals/2010/first-items.csv:5: 序号（items[3].number）: 序号不连续：应为 4（上一项为 3），实为 5"],
    ),
    "devolved-without-to": (
        ("下放,各县（市、区）文化主管部门,", "下放,,"),
        ["approvals/2010/first-items.csv:3: 承接单位（items[1].to）: 处理决定为“下放”时必须写承接单位（承接的下级机关）"],
    ),
    "missing-name": (
        ("1,商品展销会举办单位资格审查,", "1,,"),
        ["approvals/2010/first-items.csv:2: 项目名称（items[0].name）: 缺少必填字段"],
    ),
    "bad-header": (
        ("序号,项目名称,实施机关,设定依据,处理决定", "序号,事项名称,实施机关,设定依据,处理决定"),
        ["approvals/2010/first-items.csv:1: 事项表（CSV）（items_csv）: CSV 表头不对（缺少列：项目名称；不认识的列：“事项名称”）；第一行应为 序号,项目名称,实施机关,设定依据,处理决定,承接单位,备注"],
    ),
    "too-many-cells": (
        ("直接审批制,\n", "直接审批制,,多余\n"),
        ["approvals/2010/first-items.csv:5: 事项（items[3]）: 这一行有 8 格，多于表头的 7 列（单元格中的逗号要用英文双引号括起来）"],
    ),
}


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_csv_items_problems_name_the_csv_row(case: str, site_dir: Path, run, monkeypatch) -> None:
    (old, new), expected = CSV_CASES[case]
    edit(site_dir / "approvals/2010/first-items.csv", old, new)
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == expected
    assert "Traceback" not in err


INLINE_CASES = {
    "number-gap": (
        ("  - number: 2\n", "  - number: 3\n"),
        [
            "approvals/2014/second.md:14: 序号（items[1].number）: 序号不连续：应为 2（上一项为 1），实为 3",
            "approvals/2014/second.md:19: 序号（items[2].number）: 子项序号不连续：应为 3.1，实为 2.1",
        ],
    ),
    "sub-item-gap": (
        ("  - number: 2.1\n", "  - number: 2.2\n"),
        ["approvals/2014/second.md:19: 子项序号不连续：应为 2.1，实为 2.2".replace(": 子项", ": 序号（items[2].number）: 子项")],
    ),
    "handed-over-without-to": (
        ("    to: 保定市行政审批局\n", ""),
        ["approvals/2014/second.md:17: 承接单位（items[1].to）: 处理决定为“移交”时必须写承接单位（承接的社会组织、行业协会或中介机构）"],
    ),
    "bad-action": (
        ("    action: 取消\n", "    action: 关\n"),
        [f"approvals/2014/second.md:13: 处理决定（items[0].action）: 应为以下之一：{ACTIONS_TEXT}（实为“关”）"],
    ),
}


@pytest.mark.parametrize("case", list(INLINE_CASES))
def test_inline_items_problems_name_the_line(case: str, site_dir: Path, run, monkeypatch) -> None:
    (old, new), expected = INLINE_CASES[case]
    edit(site_dir / "approvals/2014/second.md", old, new)
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == expected


def test_a_list_needs_items_one_way_only(site_dir: Path, run, monkeypatch) -> None:
    path = site_dir / "approvals/2014/second.md"
    text = path.read_text(encoding="utf-8")
    head, _, _ = text.partition("items:\n")
    path.write_text(head + "---\n正文。\n", encoding="utf-8")
    edit(site_dir / "approvals/2010/first.md", "items_csv: first-items.csv\n", "items_csv: first-items.csv\nitems: [{number: 1, name: 甲, implementing_agency: 乙, action: 取消}]\n")
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == [
        "approvals/2010/first.md:10: 事项表（CSV）（items_csv）: items 与 items_csv 只能写一个：事项要么写在本文件中，要么写在 CSV 文件中",
        "approvals/2014/second.md:7: 事项（items）: 清单没有事项：请写 items（逐项列出）或 items_csv（同目录的 CSV 文件名）",
    ]


def test_missing_csv_and_path_in_csv_name(site_dir: Path, run, monkeypatch) -> None:
    (site_dir / "approvals/2010/first-items.csv").rename(site_dir / "approvals/2010/other.csv")
    edit(site_dir / "approvals/2010/first.md", "  - {file: first-items.csv, title: 事项目录（CSV）}\n", "")
    edit(site_dir / "approvals/2010/first.md", "attachments:\n", "")
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == [
        "approvals/2010/first.md:10: 事项表（CSV）（items_csv）: CSV 文件“first-items.csv”不存在（应放在 2010/ 目录下）"
    ]
    edit(site_dir / "approvals/2010/first.md", "items_csv: first-items.csv", "items_csv: ../2010/other.csv")
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == [
        "approvals/2010/first.md:10: 事项表（CSV）（items_csv）: “../2010/other.csv”应为与本文件同一目录下的 .csv 文件名，不能含路径"
    ]


def test_gbk_csv_is_read_correctly_with_a_warning(site_dir: Path, run, monkeypatch, tmp_path: Path) -> None:
    csv_path = site_dir / "approvals/2010/first-items.csv"
    csv_path.write_bytes(csv_path.read_bytes().decode("utf-8-sig").encode("gbk"))
    monkeypatch.chdir(site_dir)
    status, err = run("build", "--content", ".", "--output", tmp_path / "out")
    assert status == 0, err
    assert problems(err, "warning") == [
        "approvals/2010/first-items.csv:1: 文件编码（encoding）: 警告：CSV 文件是 GBK 编码（中文 Windows 版 Excel 的默认格式），已按 GBK 读取；建议另存为“CSV UTF-8（逗号分隔）”"
    ]
    page = lxml.html.parse(str(tmp_path / "out/records/130600001-2010-00003/index.html")).getroot()
    names = [td.text_content() for td in page.xpath("//table[contains(@class, 'items')]/tbody/tr/td[2]")]
    assert names == ["商品展销会举办单位资格审查", "娱乐场所经营许可", "临时占用城市道路审批", "户外广告设置审批"]


def test_undecodable_csv_is_reported_not_garbled(site_dir: Path, run, monkeypatch) -> None:
    csv_path = site_dir / "approvals/2010/first-items.csv"
    csv_path.write_bytes(csv_path.read_bytes() + b"5,\xff\xfe\xfd,x,,\xe5\x8f,,\r\n")
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == [
        "approvals/2010/first-items.csv:6: 文件编码（encoding）: CSV 文件既不是 UTF-8 也不是 GBK 编码，无法读取；请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”"
    ]


def test_csv_without_bom_and_with_quoted_commas(site_dir: Path, run, monkeypatch, tmp_path: Path) -> None:
    csv_path = site_dir / "approvals/2010/first-items.csv"
    csv_path.write_bytes(csv_path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    monkeypatch.chdir(site_dir)
    status, err = run("build", "--content", ".", "--output", tmp_path / "out")
    assert status == 0, err
    page = lxml.html.parse(str(tmp_path / "out/records/130600001-2010-00003/index.html")).getroot()
    notes = [td.text_content().strip() for td in page.xpath("//table[contains(@class, 'items')]/tbody/tr/td[7]")]
    assert notes[2] == '备注含逗号, 以及"引号"'


# ---- power items ----

POWER_CASES = {
    "unknown-step": (
        ("  - from: huishen\n    to: jueding\n", "  - from: huishen\n    to: jeuding\n"),
        ["powers/licence.md:67: 终点步骤（flow[3].to）: 流程中的步骤编号“jeuding”不存在；已有的步骤：shouli、shencha、huishen、jueding、songda"],
    ),
    "unreachable": (
        ("  - from: shencha\n    to: huishen\n    when: 重大项目\n", ""),
        ["powers/licence.md:39: 步骤编号（steps[2].id）: 步骤“集体会审”（huishen）从第一步“受理”出发无法到达；请在 flow 中补上指向它的连线"],
    ),
    "cycle": (
        ("  - from: huishen\n    to: jueding\n", "  - from: huishen\n    to: shencha\n"),
        ["powers/licence.md:66: 流程连线（flow[3]）: 流程出现循环：审查（shencha） → 集体会审（huishen） → 审查（shencha）；流程图应从第一步单向走到办结，退回补正等情形请写在步骤说明中"],
    ),
    "duplicate-step": (
        ("  - id: huishen\n", "  - id: shencha\n"),
        ["powers/licence.md:39: 步骤编号（steps[2].id）: 步骤编号“shencha”重复：第 26 行已有"],
    ),
    "chinese-step-id": (
        ("  - id: songda\n", "  - id: 送达\n"),
        [
            "powers/licence.md:52: 步骤编号（steps[4].id）: 步骤编号“送达”只能用英文字母、数字、- 和 _，如 shouli（网页锚点和流程连线用它）",
            "powers/licence.md:69: 终点步骤（flow[4].to）: 流程中的步骤编号“songda”不存在；已有的步骤：shouli、shencha、huishen、jueding、送达",
            "powers/licence.md:72: 终点步骤（flow[5].to）: 流程中的步骤编号“songda”不存在；已有的步骤：shouli、shencha、huishen、jueding、送达",
        ],
    ),
    "bad-level": (
        ("        level: 低\n", "        level: 极高\n"),
        ["powers/licence.md:49: 风险等级（steps[3].risks[0].level）: 应为以下之一：高、中、低（实为“极高”）"],
    ),
    "no-measures": (
        ("        measures: [审批结果公开]\n", ""),
        ["powers/licence.md:48: 防控措施（steps[3].risks[0].measures）: 缺少必填字段"],
    ),
    "no-owner": (
        ("        owner: 规划审批科科长\n", ""),
        ["powers/licence.md:31: 责任人（steps[1].risks[0].owner）: 缺少必填字段"],
    ),
    "empty-measures": (
        ("        measures: [审批结果公开]\n", "        measures: []\n"),
        ["powers/licence.md:50: 防控措施（steps[3].risks[0].measures）: 不能为空"],
    ),
    "bad-type": (
        ("power_type: 行政许可\n", "power_type: 行政审批\n"),
        ["powers/licence.md:9: 权力类型（power_type）: 应为以下之一：行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力（实为“行政审批”）"],
    ),
    "no-code": (
        ('code: "130600014-XK-001"\n', ""),
        ["powers/licence.md:2: 权力编码（code）: 缺少必填字段"],
    ),
    "bidi-override-in-label": (
        ("    name: 集体会审\n", '    name: "集体\\u202e会审"\n'),
        ["powers/licence.md:40: 环节名称（steps[2].name）: 含有不可见的控制字符 U+202E（RIGHT-TO-LEFT OVERRIDE），请删除（可能是从别处粘贴带入的）"],
    ),
}


@pytest.mark.parametrize("case", list(POWER_CASES))
def test_power_problems_get_the_exact_message(case: str, site_dir: Path, run, monkeypatch) -> None:
    (old, new), expected = POWER_CASES[case]
    edit(site_dir / "powers/licence.md", old, new)
    status, err = check(run, site_dir, monkeypatch)
    assert status == 1
    assert problems(err) == expected
    assert "Traceback" not in err


WARNING_CASES = {
    "sum-over-legal": (
        ("    limit_days: 7\n", "    limit_days: 17\n"),
        ["powers/licence.md:15: 法定时限（legal_limit_days）: 警告：各环节时限合计最长 24 个工作日（受理→审查→集体会审→决定→送达），超过法定时限 20 个工作日"],
    ),
    "licence-extended": (
        ("legal_limit_days: 20\n", "legal_limit_days: 30\n"),
        ["powers/licence.md:15: 法定时限（legal_limit_days）: 警告：30 个工作日超过行政许可法定的 20 个工作日；只有经本行政机关负责人批准才可延长 10 日，并应告知申请人理由（行政许可法第四十二条）"],
    ),
    "licence-over-thirty": (
        ("legal_limit_days: 20\npromised_limit_days: 12\n", "legal_limit_days: 45\npromised_limit_days: 12\n"),
        ["powers/licence.md:15: 法定时限（legal_limit_days）: 警告：45 个工作日超过行政许可法第四十二条的 20 个工作日加延长 10 日；除非法律、法规另有规定，请核对时限并在设定依据中写明该规定"],
    ),
    "promise-over-legal": (
        ("promised_limit_days: 12\n", "promised_limit_days: 25\n"),
        [
            "powers/licence.md:16: 承诺时限（promised_limit_days）: 警告：25 个工作日超过行政许可法定的 20 个工作日；只有经本行政机关负责人批准才可延长 10 日，并应告知申请人理由（行政许可法第四十二条）",
            "powers/licence.md:16: 承诺时限（promised_limit_days）: 警告：承诺时限 25 个工作日长于法定时限 20 个工作日",
        ],
    ),
}


@pytest.mark.parametrize("case", list(WARNING_CASES))
def test_time_limit_warnings(case: str, site_dir: Path, run, monkeypatch) -> None:
    (old, new), expected = WARNING_CASES[case]
    edit(site_dir / "powers/licence.md", old, new)
    status, err = check(run, site_dir, monkeypatch)
    assert status == 0, err
    assert problems(err, "warning") == expected


def test_the_fixture_has_no_warnings_of_its_own(site_dir: Path, run, monkeypatch) -> None:
    status, err = check(run, site_dir, monkeypatch)
    assert status == 0
    assert problems(err, "warning") == []


# ---- the built site ----


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fixture site with one hostile step label, built to files once for the module's readers:
    (the content folder, the site)."""
    content = tmp_path_factory.mktemp("lists") / "content"
    shutil.copytree(FIXTURE, content)
    edit(content / "powers/check.md", "    name: 结果处理\n", "    name: '" + HOSTILE.replace("'", "''") + "'\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(content)
        run_build(Path("."), content.parent / "out")
    return content, content.parent / "out"


@pytest.fixture
def built(built_once: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The built fixture site (read only), with the working folder its content folder as it was built."""
    content, out = built_once
    monkeypatch.chdir(content)
    return out


def html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(read_page(path))


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_approval_list_page(built: Path) -> None:
    page = html(built / "records/130600001-2010-00003/index.html")
    assert page.xpath("//table[contains(@class,'metadata')]//td[normalize-space()='130600001/2010-00003']")
    assert "第一批清理的正文。" in text(page.xpath("//section[@class='body']")[0])
    heads = [text(th) for th in page.xpath("//table[contains(@class, 'items')]/thead//th")]
    assert heads == ["序号", "项目名称", "实施机关", "设定依据", "处理决定", "承接单位", "备注"]
    rows = page.xpath("//table[contains(@class, 'items')]/tbody/tr")
    assert [r.get("id") for r in rows] == ["item-1", "item-2", "item-3", "item-4"]
    counts = [text(li) for li in page.xpath("//ul[contains(@class,'action-counts')]/li")]
    assert counts == ["取消 1 项", "并联审批 1 项", "转变管理方式 1 项", "下放 1 项"]
    # the item abolished in 2014 shows its history, linking the later list's row
    history = rows[3].xpath(".//p[@class='history']")[0]
    assert text(history) == "历次处理：2010年 转变管理方式（本清单） → 2014年 取消"
    assert history.xpath(".//a/@href") == ["/records/130600001-2014-00012/#item-1"]


def test_sub_items_have_their_own_anchor(built: Path) -> None:
    page = html(built / "records/130600001-2014-00012/index.html")
    assert page.xpath("//table[contains(@class, 'items')]/tbody/tr/@id") == ["item-1", "item-2", "item-2-1"]
    assert text(page.xpath("//p[@class='approval-summary']")[0]) == "生效日期：2014年7月1日。 共 3 项：取消 1 项、移交 1 项、部分下放 1 项。"


def test_approvals_browsable_by_action_agency_and_year(built: Path) -> None:
    index = html(built / "approvals/index.html")
    assert text(index.xpath("//p[@class='count']")[0]) == "共 7 项：取消 2 项、并联审批 1 项、转变管理方式 1 项、下放 1 项、移交 1 项、部分下放 1 项"
    links = index.xpath("//nav[@class='facets']//a/@href")
    for href in links:
        assert (built / href.strip("/") / "index.html").is_file() or (built / href.strip("/")).is_file(), href
    assert "/approvals/action/xiafang/" in links and "/approvals/year/2014/" in links
    devolved = html(built / "approvals/action/xiafang/index.html")
    rows = devolved.xpath("//table[contains(@class, 'items')]/tbody/tr")
    assert [text(r.xpath("td[1]/a")[0]) for r in rows] == ["娱乐场所经营许可"]
    assert rows[0].xpath("td[1]/a/@href") == ["/records/130600001-2010-00003/#item-2"]
    year = html(built / "approvals/year/2014/index.html")
    assert len(year.xpath("//table[contains(@class, 'items')]/tbody/tr")) == 3
    assert not index.xpath("//script")


def test_power_page_has_notice_fields_flowchart_and_text_flow(built: Path) -> None:
    page = html(built / "records/130600014-2020-00011/index.html")
    fields = {text(tr.xpath("th")[0]): text(tr.xpath("td")[0]) for tr in page.xpath("//table[contains(@class,'power-fields')]//tr")}
    assert fields == {
        "权力编码": "130600014-XK-001",
        "权力类型": "01 行政许可",
        "实施主体": "保定市自然资源和规划局",
        "设定依据": "《中华人民共和国城乡规划法》第四十条《中华人民共和国行政许可法》第四十二条",
        "法定时限": "20 个工作日",
        "承诺时限": "12 个工作日",
        "收费标准及依据": "不收费",
        "监督电话": "0312-0000014",
        "监督地址": "政务服务中心投诉窗口",
    }
    img = page.xpath("//figure[@class='flowchart']/img")[0]
    assert img.get("src") == "/records/130600014-2020-00011/flowchart.svg"
    assert "办理流程" in img.get("alt")
    steps = page.xpath("//ol[@class='steps']/li")
    assert [s.get("id") for s in steps] == ["step-shouli", "step-shencha", "step-huishen", "step-jueding", "step-songda"]
    assert text(steps[0].xpath("p[@class='next']")[0]) == "下一环节：审查（材料齐全）；送达（不予受理的，送达不予受理决定书）"
    risks = [[text(td) for td in tr.xpath("td")] for tr in steps[1].xpath(".//table[contains(@class, 'risks')]/tbody/tr")]
    assert risks == [
        ["擅自改变规划条件", "高风险", "审查标准公开集体审议", "规划审批科科长"],
        ["指定中介机构", "中风险", "公开承诺不指定中介", "分管副局长"],
    ]


def test_every_flowchart_is_clean_xml_with_every_label(built: Path) -> None:
    files = sorted(built.glob("records/*/flowchart.svg"))
    assert len(files) == 2
    for file in files:
        data = file.read_bytes()
        root = lxml.etree.fromstring(data)
        assert root.tag == f"{SVG}svg" and root.get("viewBox")
        for element in root.iter():
            assert not isinstance(element.tag, str) or element.tag.split("}")[-1] not in ("script", "foreignObject", "iframe")
            assert not any(name.lower().startswith("on") for name in element.attrib), element.attrib
            assert not any("javascript:" in value for value in element.attrib.values())
        lines = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        page = html(file.parent / "index.html")
        for name in page.xpath("//ol[@class='steps']/li/h3/text()"):
            assert any(name in line.split(". ", 1)[-1] for line in lines), name
    hostile = lxml.etree.fromstring((built / "records/130600013-2020-00022/flowchart.svg").read_bytes())
    names = ["".join(t.itertext()) for t in hostile.iter(f"{SVG}text") if t.get("font-weight") == "bold" and t.get("fill") != "#ffffff"]
    assert names[-1] == "3. " + HOSTILE
    assert b"<script" not in (built / "records/130600013-2020-00022/flowchart.svg").read_bytes()


def test_hostile_label_is_escaped_on_the_page(built: Path) -> None:
    raw = (built / "records/130600013-2020-00022/index.html").read_text(encoding="utf-8")
    page = lxml.html.fromstring(raw)
    assert not [s for s in page.xpath("//script") if "alert" in (s.text or "")]
    assert page.xpath("//ol[@class='steps']/li/h3/text()")[-1] == HOSTILE


def test_risk_catalogue_by_level_then_agency_links_to_steps(built: Path) -> None:
    page = html(built / "risks/index.html")
    sections = page.xpath("//main//section")
    assert [text(s.xpath("h2")[0]) for s in sections] == ["高风险（2 个）", "中风险（1 个）", "低风险（1 个）"]
    assert [text(h) for h in sections[0].xpath("h3")] == ["保定市自然资源和规划局", "保定市市场监督管理局"]
    for href in page.xpath("//main//table//td[3]/a/@href"):
        path, _, anchor = href.partition("#")
        target = html(built / path.strip("/") / "index.html")
        assert target.xpath(f"//*[@id='{anchor}']"), href


def test_power_list_grouped_by_type_then_agency(built: Path) -> None:
    page = html(built / "powers/index.html")
    assert [text(h) for h in page.xpath("//main//section/h2")] == ["01 行政许可", "06 行政检查"]
    row = page.xpath("//section[@id='type-01']//tbody/tr")[0]
    assert [text(td) for td in row.xpath("td")] == ["130600014-XK-001", "建设工程规划许可证核发", "20 个工作日", "12 个工作日", "高风险 1 个、中风险 1 个、低风险 1 个"]


def test_flowchart_is_served_as_svg(built: Path) -> None:
    from disclosure.pipeline import Settings, check_site

    site = check_site(Settings(content_dir=Path("."), progress=False, use_cache=False)).site
    from disclosure.web.app import create_app

    client = create_app(site).test_client()
    response = client.get("/records/130600014-2020-00011/flowchart.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert client.get("/records/130600001-2010-00003/flowchart.svg").status_code == 404


def test_drawing_strips_characters_xml_cannot_hold(site_dir: Path) -> None:
    """Defence in depth: even a label that skipped validation draws valid XML."""
    from disclosure.core import strict_yaml
    from disclosure.core.sources import read_source

    source, _ = read_source(site_dir / "powers/check.md")
    assert source is not None
    located, _ = strict_yaml.load(source.front_matter, "x")
    assert located is not None
    meta = PowerMeta.model_validate(located.value)
    step = meta.steps[2].model_copy(update={"name": "右\u202e左\x0b" + HOSTILE + "😀" * 3 + "长" * 200})
    bad = meta.model_copy(update={"steps": (*meta.steps[:2], step)})
    root = lxml.etree.fromstring(draw_flowchart(bad).encode())
    joined = "".join("".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold")
    assert "3. 右左" + HOSTILE + "😀" * 3 + "长" * 200 in joined
    for span in root.iter(f"{SVG}tspan"):  # long labels wrap inside their boxes
        size = float(span.getparent().get("font-size"))
        assert sum(char_width(c, size) for c in span.text or "") <= BOX_W - 2 * PAD
