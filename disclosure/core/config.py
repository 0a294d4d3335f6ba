"""Site-wide configuration files: site.yaml, agencies.yaml, categories.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, HttpUrl, field_validator

from disclosure.core.fields import IsoDate, Text, one_or_many
from disclosure.core.labels import LABELS
from disclosure.core.records import NonEmpty, Strict

Level = Literal["国务院部门", "省级", "设区的市", "县级", "乡镇"]
DEFAULT_INDEX_PATTERN = r"^(?:[0-9A-Z]{9}|[0-9A-Z]{18})/\d{4}-\d{5}$"


class Contact(Strict):
    phone: NonEmpty | None = Field(default=None, title=LABELS["contact.phone"])
    address: NonEmpty | None = Field(default=None, title=LABELS["contact.address"])
    postcode: NonEmpty | None = Field(default=None, title=LABELS["contact.postcode"])
    email: NonEmpty | None = Field(default=None, title=LABELS["contact.email"])


class GuideOffice(Strict):
    """The 政府信息公开工作机构 of the 指南 (条例第十二条)."""

    name: NonEmpty | None = Field(default=None, title=LABELS["guide.office.name"])
    address: NonEmpty | None = Field(default=None, title=LABELS["guide.office.address"])
    hours: NonEmpty | None = Field(default=None, title=LABELS["guide.office.hours"])
    phone: NonEmpty | None = Field(default=None, title=LABELS["guide.office.phone"])
    fax: NonEmpty | None = Field(default=None, title=LABELS["guide.office.fax"])
    internet: NonEmpty | None = Field(default=None, title=LABELS["guide.office.internet"])


class Guide(Strict):
    """The `guide` section of site.yaml: the items 条例第十二条 requires of the 指南.

    Every item is optional here so that a missing one is reported by
    `disclosure.rules.guide.check_guide` with the article it comes from, not as a bare 缺少必填字段.
    """

    updated: IsoDate | None = Field(default=None, title=LABELS["guide.updated"])
    classification: NonEmpty | None = Field(default=None, title=LABELS["guide.classification"])
    arrangement: NonEmpty | None = Field(default=None, title=LABELS["guide.arrangement"])
    obtain: NonEmpty | None = Field(default=None, title=LABELS["guide.obtain"])
    apply: NonEmpty | None = Field(default=None, title=LABELS["guide.apply"])
    office: GuideOffice = Field(default_factory=GuideOffice, title=LABELS["guide.office"])


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"应为电子邮箱地址，如 gkb@example.gov.cn（实为“{value}”）")
    return value


def _postcode(value: str) -> str:
    if not re.fullmatch(r"\d{6}", value):
        raise ValueError(f"邮政编码应为 6 位数字（实为“{value}”）")
    return value


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
Email = Annotated[NonEmpty, AfterValidator(_email)]
Postcode = Annotated[NonEmpty, AfterValidator(_postcode)]


class ApplyChannels(Strict):
    """The `apply` section of site.yaml: where a 政府信息公开申请 is sent (条例第二十八条、第二十九条).

    Every channel is optional; one left out is taken from `guide.office` where it has one
    (`SiteConfig.channels`).
    """

    recipient: NonEmpty | None = Field(default=None, title=LABELS["apply.recipient"])
    address: NonEmpty | None = Field(default=None, title=LABELS["apply.address"])
    postcode: Postcode | None = Field(default=None, title=LABELS["apply.postcode"])
    hours: NonEmpty | None = Field(default=None, title=LABELS["apply.hours"])
    fax: NonEmpty | None = Field(default=None, title=LABELS["apply.fax"])
    email: Email | None = Field(default=None, title=LABELS["apply.email"])
    online: HttpUrl | None = Field(
        default=None, title=LABELS["apply.online"], description="在线申请系统的网址（http 或 https）；没有就不写"
    )


@dataclass(frozen=True, slots=True)
class Channels:
    """The application channels the /apply/ page and the 申请表 show, fallbacks applied."""

    recipient: str | None
    address: str | None
    postcode: str | None
    hours: str | None
    phone: str | None  # for questions only: an application is in writing (条例第二十九条)
    fax: str | None
    email: str | None
    online: str | None

    @property
    def any(self) -> bool:
        """Return whether there is at least one way to hand in an application."""
        return any((self.address, self.fax, self.email, self.online))


class SiteConfig(Strict):
    """`content/site.yaml`."""

    name: NonEmpty = Field(title=LABELS["name"])
    base_url: HttpUrl = Field(title=LABELS["base_url"], description="网站的正式地址，订阅与站点地图用它生成绝对链接")
    sample: bool = Field(default=False, title=LABELS["sample"], description="示例站：每页显示“非官方发布”横幅")
    level: Level = Field(default="设区的市", title=LABELS["level"])
    organiser: NonEmpty | None = Field(default=None, title=LABELS["organiser"])
    contact: Contact = Field(default_factory=Contact, title=LABELS["contact"])
    site_code: NonEmpty | None = Field(default=None, title=LABELS["site_code"])
    icp: NonEmpty | None = Field(default=None, title=LABELS["icp"])
    police_record: NonEmpty | None = Field(default=None, title=LABELS["police_record"])
    gov_mark: HttpUrl | None = Field(
        default=None, title=LABELS["gov_mark"], description="党政机关网站标识的核验链接（开办单位在中央编办领取）"
    )
    guide: Guide | None = Field(default=None, title=LABELS["guide"])
    apply: ApplyChannels = Field(default_factory=ApplyChannels, title=LABELS["apply"])
    feed_limit: int = Field(default=50, ge=1, le=1000, title=LABELS["feed_limit"])
    index_number_pattern: NonEmpty = Field(
        default=DEFAULT_INDEX_PATTERN, title=LABELS["index_number_pattern"]
    )

    @field_validator("base_url")
    @classmethod
    def _an_address_pages_can_live_under(cls, value: HttpUrl) -> HttpUrl:
        """Refuse a query or fragment: the path of base_url is put in front of every link (site_links)."""
        if value.query or value.fragment:
            raise ValueError("网站地址只能写到路径（如 https://www.example.gov.cn/gkml/），不能带 ? 或 # 之后的部分")
        return value

    @field_validator("index_number_pattern")
    @classmethod
    def _a_pattern_that_compiles_and_runs_fast(cls, value: str) -> str:
        """Refuse a pattern that does not compile, or whose nested repetition could stall every check."""
        if len(value) > 200:
            raise ValueError("索引号格式过长（最多 200 个字符）")
        try:
            re.compile(value)
        except re.error as bad:
            raise ValueError(f"不是有效的正则表达式：{bad}（第 {(bad.pos or 0) + 1} 个字符）") from None
        if _NESTED_REPEAT.search(value):
            raise ValueError("正则表达式含嵌套的重复（如 (a+)+），校验索引号时可能极慢；请改写")
        return value

    @property
    def channels(self) -> Channels:
        """Return the application channels: `apply`, else the 指南's 工作机构 (`guide.office`).

        A postcode or an online system is never guessed: the office's may not be the
        address's, and a link must be one staff wrote. The e-mail address falls back to the
        first one written in `guide.office.internet`.
        """
        office = self.guide.office if self.guide else GuideOffice()
        own = self.apply
        found = _EMAIL.search(office.internet or "")
        return Channels(
            recipient=own.recipient or office.name,
            address=own.address or office.address,
            postcode=own.postcode,
            hours=own.hours or office.hours,
            phone=office.phone,
            fax=own.fax or office.fax,
            email=own.email or (found.group() if found else None),
            online=str(own.online) if own.online else None,
        )

    @property
    def root_url(self) -> str:
        """Return base_url without its trailing slash."""
        return str(self.base_url).rstrip("/")


# a group holding a repetition, itself repeated: (a+)+, (\d*)*, (a|aa){2,}, the classic ReDoS shapes
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")


class Agency(Strict):
    """One entry of `content/agencies.yaml`."""

    name: NonEmpty = Field(title="机构全称")
    short_name: NonEmpty | None = Field(default=None, title=LABELS["short_name"])
    doc_prefix: Annotated[tuple[NonEmpty, ...], BeforeValidator(one_or_many)] = Field(
        default=(), title=LABELS["doc_prefix"]
    )
    code: NonEmpty = Field(title=LABELS["code"], description="9 位组织机构代码或 18 位统一社会信用代码，作索引号前段")
    phone: Text | None = Field(default=None, title=LABELS["phone"])
    sample: bool = Field(default=False, title=LABELS["sample"])


class CategoryNode(Strict):
    """One node of `content/categories.yaml`; children are names or further nodes."""

    name: NonEmpty = Field(title="分类名称")
    children: tuple[CategoryNode | NonEmpty, ...] = Field(default=(), title=LABELS["children"])


@dataclass(frozen=True, slots=True)
class Category:
    """A category path flattened out of the tree, e.g. 综合政务/政务公开."""

    path: str
    name: str
    depth: int

    @property
    def top(self) -> str:
        return self.path.split("/")[0]


def flatten_categories(nodes: tuple[CategoryNode | str, ...], prefix: str = "") -> list[Category]:
    """Return every category path of the tree in document order."""
    out: list[Category] = []
    for node in nodes:
        name = node if isinstance(node, str) else node.name
        path = f"{prefix}/{name}" if prefix else name
        out.append(Category(path, name, path.count("/")))
        if not isinstance(node, str):
            out.extend(flatten_categories(node.children, path))
    return out
