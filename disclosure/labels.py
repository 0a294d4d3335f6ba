"""Chinese labels for every key staff can write: one table for messages, schema and pages.

Nested keys use dots (`attachments.file`); list indices are dropped before lookup, so
`attachments[0].file` is labelled by `attachments.file`.
"""

from __future__ import annotations

import re

LABELS: dict[str, str] = {
    # not fields, but places a problem can sit
    "file": "文件",
    "encoding": "文件编码",
    "front_matter": "前置元数据",
    "yaml": "YAML 格式",
    "body": "正文",
    "url": "网址",
    # every record (DESIGN §3.1)
    "title": "标题",
    "index_number": "索引号",
    "agency": "发布机构",
    "doc_number": "发文字号",
    "written": "成文日期",
    "published": "发布日期",
    "category": "主题分类",
    "keywords": "主题词",
    "summary": "内容概述",
    "validity": "有效性",
    "validity_date": "失效日期",
    "repealed_by": "废止依据",
    "disclosure": "公开方式",
    "attachments": "附件",
    "attachments.file": "附件文件",
    "attachments.title": "附件名称",
    "changes": "更新记录",
    "changes.date": "更新日期",
    "changes.note": "更新说明",
    # decisions (DESIGN §3.2)
    "matter": "决策事项",
    "basis": "决策依据",
    "basis.title": "依据名称",
    "basis.doc_number": "依据文号",
    "basis.ref": "依据链接",
    "stages": "决策阶段",
    "stages.stage": "阶段",
    "stages.date": "阶段日期",
    "stages.end": "截止日期",
    "stages.summary": "阶段说明",
    "outcome": "决策结果",
    # site.yaml
    "name": "网站名称",
    "base_url": "网站地址",
    "sample": "示例标记",
    "level": "行政层级",
    "organiser": "主办单位",
    "contact": "联系方式",
    "contact.phone": "联系电话",
    "contact.address": "联系地址",
    "contact.postcode": "邮政编码",
    "contact.email": "电子邮箱",
    "site_code": "网站标识码",
    "icp": "ICP备案号",
    "police_record": "公安机关备案号",
    "feed_limit": "订阅条目上限",
    "index_number_pattern": "索引号格式",
    # agencies.yaml
    "short_name": "简称",
    "doc_prefix": "发文机关代字",
    "code": "机构代码",
    "phone": "电话",
    # categories.yaml
    "children": "下级分类",
}

# approval-item lists (DESIGN §3.3) and power items (§3.4): disclosure/approvals.py, powers.py
LABELS.update({
    "effective": "生效日期",
    "items": "事项",
    "items.number": "序号",
    "items.name": "项目名称",
    "items.implementing_agency": "实施机关",
    "items.basis": "设定依据",
    "items.action": "处理决定",
    "items.to": "承接单位",
    "items.note": "备注",
    "items_csv": "事项表（CSV）",
    # a power item's `code` is its 权力编码; agencies.yaml's `code` (keys `[3].code`) stays 机构代码
    "code": "权力编码",
    ".code": "机构代码",
    "power_type": "权力类型",
    "basis.law": "法律法规名称",
    "basis.article": "条款",
    "legal_limit_days": "法定时限",
    "promised_limit_days": "承诺时限",
    "fee": "收费标准及依据",
    "supervision": "监督方式",
    "supervision.phone": "监督电话",
    "supervision.address": "监督地址",
    "steps": "办理环节",
    "steps.id": "步骤编号",
    "steps.name": "环节名称",
    "steps.post": "承办岗位",
    "steps.limit_days": "办理时限",
    "steps.description": "环节说明",
    "steps.risks": "廉政风险点",
    "steps.risks.point": "风险点",
    "steps.risks.level": "风险等级",
    "steps.risks.measures": "防控措施",
    "steps.risks.owner": "责任人",
    "flow": "流程连线",
    "flow.from": "起点步骤",
    "flow.to": "终点步骤",
    "flow.when": "流转条件",
})

_INDEX = re.compile(r"\[\d+\]")


def label_for(key: str) -> str:
    """Return the Chinese label of a key path such as `attachments[0].file`."""
    bare = _INDEX.sub("", key)
    while bare:
        if bare in LABELS:
            return LABELS[bare]
        # agencies[3].name → name; an unknown nested key → its parent's label
        _, _, tail = bare.partition(".")
        if tail and tail in LABELS:
            return LABELS[tail]
        bare = bare.rpartition(".")[0]
    return "字段"


def keys_by_label() -> dict[str, str]:
    """Return label → key, so a Chinese key written by mistake gets a hint."""
    return {label: key for key, label in LABELS.items() if "." not in key}
