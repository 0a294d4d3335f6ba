"""Chinese labels for every key staff can write: the tables for messages, schema and pages.

`LABELS` holds the keys every record and every configuration file shares. The keys only
one kind of record has are labelled in that kind's module (`disclosure/kinds/`), which
registers its table here (`kind_labels`), so that one key can mean two things (a
decision's `basis` is its 决策依据, a power item's its 设定依据). A problem in a record is
labelled from its kind's table first (`label_for(key, kind)`), and the models' field
titles, hence the JSON Schema, come from the same tables (`records.titled`).

Nested keys use dots (`attachments.file`); list indices are dropped before lookup, so
`attachments[0].file` is labelled by `attachments.file`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

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
    "genre": "体裁分类",
    "disclosure": "公开方式",
    "attachments": "附件",
    "attachments.file": "附件文件",
    "attachments.title": "附件名称",
    "changes": "更新记录",
    "changes.date": "更新日期",
    "changes.note": "更新说明",
    "draft": "草稿",
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
    "gov_mark": "党政机关网站标识",
    "guide": "政府信息公开指南",
    "guide.updated": "指南更新日期",
    "guide.classification": "信息分类",
    "guide.arrangement": "编排体系",
    "guide.obtain": "获取方式",
    "guide.apply": "依申请公开办理方式",
    "guide.office": "政府信息公开工作机构",
    "guide.office.name": "机构名称",
    "guide.office.address": "办公地址",
    "guide.office.hours": "办公时间",
    "guide.office.phone": "联系电话",
    "guide.office.fax": "传真号码",
    "guide.office.internet": "互联网联系方式",
    "apply": "依申请公开渠道",
    "apply.recipient": "收件单位",
    "apply.address": "申请地址（当面或邮寄）",
    "apply.postcode": "邮政编码",
    "apply.hours": "受理时间",
    "apply.fax": "传真号码",
    "apply.email": "电子邮箱",
    "apply.online": "在线申请网址",
    # agencies.yaml
    "short_name": "简称",
    "doc_prefix": "发文机关代字",
    "code": "机构代码",
    "phone": "电话",
    # holidays.yaml
    "year": "年份",
    "holidays": "法定节假日",
    "workdays": "调休上班日",
    # categories.yaml
    "children": "下级分类",
    # personal_data_allow.yaml (政府信息公开条例 Art. 15)
    "sha256": "号码摘要",
    "reason": "公开理由",
    "reviewer": "审核人",
}

# reports/<year>.yaml: the 2021 national format of the annual report (国办公开办函〔2021〕30号)
LABELS.update({
    "organ": "报告机关",
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "proactive.regulations": "规章",
    "proactive.regulations.issued": "规章本年制发件数",
    "proactive.regulations.repealed": "规章本年废止件数",
    "proactive.regulations.current": "规章现行有效件数",
    "proactive.normative_documents": "行政规范性文件",
    "proactive.normative_documents.issued": "行政规范性文件本年制发件数",
    "proactive.normative_documents.repealed": "行政规范性文件本年废止件数",
    "proactive.normative_documents.current": "行政规范性文件现行有效件数",
    "proactive.licensing": "行政许可",
    "proactive.penalties": "行政处罚",
    "proactive.coercion": "行政强制",
    "proactive.fees": "行政事业性收费",
    "applications": "三、收到和处理政府信息公开申请情况",
    "applications.new": "一、本年新收政府信息公开申请数量",
    "applications.carried_over": "二、上年结转政府信息公开申请数量",
    "applications.granted": "（一）予以公开",
    "applications.partly_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "applications.refused": "（三）不予公开",
    "applications.refused.state_secret": "1.属于国家秘密",
    "applications.refused.prohibited": "2.其他法律行政法规禁止公开",
    "applications.refused.security": "3.危及“三安全一稳定”",
    "applications.refused.third_party": "4.保护第三方合法权益",
    "applications.refused.internal": "5.属于三类内部事务信息",
    "applications.refused.process": "6.属于四类过程性信息",
    "applications.refused.enforcement": "7.属于行政执法案卷",
    "applications.refused.inquiry": "8.属于行政查询事项",
    "applications.unavailable": "（四）无法提供",
    "applications.unavailable.not_held": "1.本机关不掌握相关政府信息",
    "applications.unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "applications.unavailable.unclear": "3.补正后申请内容仍不明确",
    "applications.not_processed": "（五）不予处理",
    "applications.not_processed.petition": "1.信访举报投诉类申请",
    "applications.not_processed.repeated": "2.重复申请",
    "applications.not_processed.publication": "3.要求提供公开出版物",
    "applications.not_processed.excessive": "4.无正当理由大量反复申请",
    "applications.not_processed.confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "applications.other_handling": "（六）其他处理",
    "applications.other_handling.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "applications.other_handling.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "applications.other_handling.other": "3.其他",
    "applications.total": "（七）总计",
    "applications.carried_forward": "四、结转下年度继续办理",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况",
    "reviews.reconsideration": "行政复议",
    "reviews.litigation_direct": "行政诉讼（未经复议直接起诉）",
    "reviews.litigation_after": "行政诉讼（复议后起诉）",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
    "corrections": "更正说明",
    "corrections.date": "更正日期",
    "corrections.note": "更正内容",
})

# statutory.yaml: the items of 条例第二十条 and the kinds of 第二十一条 (disclosure/rules/statutory.py)
_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五")
LABELS.update({f"20-{n}": f"第二十条第（{cn}）项" for n, cn in enumerate(_NUMERALS, start=1)})
LABELS.update({f"21-{n}": "第二十一条" for n in range(1, 9)})
LABELS["statutory"] = "法定主动公开内容"

# the keys of one kind only (DESIGN §3), registered by the kind's module in
# disclosure/kinds/ (`kind_labels`), in the order the modules are imported
_KIND_LABELS: dict[str, dict[str, str]] = {}


def kind_labels(kind: str, labels: Mapping[str, str]) -> Mapping[str, str]:
    """Register the labels of the keys only `kind` has, labelled before LABELS; return them.

    A kind's module calls this before its models are titled (`records.titled(kind)`), so
    that one key can mean two things: a decision's `basis` is its 决策依据, a power item's
    its 设定依据.
    """
    _KIND_LABELS[kind] = dict(labels)
    labels_of.cache_clear()
    return labels


_INDEX = re.compile(r"\[\d+\]")


@cache
def labels_of(kind: str | None) -> dict[str, str]:
    """Return the table a key of `kind` is labelled from: the kind's own keys, then the shared ones.

    Without a kind (a problem outside any record), every registered kind's keys are tried
    after the shared ones, in the order they were registered.
    """
    if kind is not None:
        return {**LABELS, **_KIND_LABELS.get(kind, {})}
    merged: dict[str, str] = {}
    for table in reversed(_KIND_LABELS.values()):
        merged.update(table)
    return {**merged, **LABELS}


def label_for(key: str, kind: str | None = None) -> str:
    """Return the Chinese label of a key path such as `attachments[0].file` in a record of `kind`."""
    table = labels_of(kind)
    bare = _INDEX.sub("", key)
    while bare:
        if bare in table:
            return table[bare]
        # agencies[3].name → name; an unknown nested key → its parent's label
        _, _, tail = bare.partition(".")
        if tail and tail in table:
            return table[tail]
        bare = bare.rpartition(".")[0]
    return "字段"


def keys_by_label() -> dict[str, str]:
    """Return label → key over every table, so a Chinese key written by mistake gets a hint."""
    return {label: key for key, label in labels_of(None).items() if "." not in key}
