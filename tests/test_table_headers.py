"""headers= from a table's layout (disclosure/web/table_headers.py), on the shape of the annual report's table 三."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from disclosure.web.table_headers import cell_headers

TABLE = """<table><caption>申请</caption>
<thead>
  <tr><th colspan="2" rowspan="2">说明</th><th colspan="3">申请人情况</th></tr>
  <tr><th>自然人</th><th>企业</th><th id="total">总计</th></tr>
</thead>
<tbody>
  <tr><th colspan="2">一、本年新收申请数量</th><td>1</td><td>2</td><td>3</td></tr>
  <tr><th rowspan="2">三、办理结果</th><th>（一）予以公开</th><td>4</td><td>5</td><td>6</td></tr>
  <tr><th>（二）部分公开</th><td>7</td><td>8</td><td>9</td></tr>
</tbody></table>"""


def headers_of(html: str) -> dict[str, list[str]]:
    root = lxml_html.fragment_fromstring(html)
    names = {th.get("id"): th.text_content() for th in root.iter("th")}
    return {td.text_content(): [names[i] for i in td.get("headers").split()] for td in root.iter("td")}


def test_every_data_cell_names_the_headers_of_its_rows_and_columns() -> None:
    found = headers_of(cell_headers(TABLE, "t"))
    assert sorted(found["1"]) == sorted(["申请人情况", "自然人", "一、本年新收申请数量"])
    assert sorted(found["9"]) == sorted(["申请人情况", "总计", "三、办理结果", "（二）部分公开"])
    assert sorted(found["5"]) == sorted(["申请人情况", "企业", "三、办理结果", "（一）予以公开"])


def test_ids_the_template_gave_are_kept_and_the_others_are_unique() -> None:
    root = lxml_html.fragment_fromstring(str(cell_headers(TABLE, "t")))
    ids = [th.get("id") for th in root.iter("th")]
    assert "total" in ids and len(ids) == len(set(ids)) == 9
    assert all(i == "total" or i.startswith("t-") for i in ids)


def test_it_takes_one_table_only() -> None:
    with pytest.raises(ValueError, match="one <table>"):
        cell_headers("<p>不是表格</p>", "t")
