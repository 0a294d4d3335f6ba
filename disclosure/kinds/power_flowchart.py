"""权力运行流程图: a power item's steps drawn as an SVG at build time.

A small layered layout (no Graphviz on a static host's build machine): each step goes
on the layer of its longest route from the first step; adjacent layers are joined by
elbow arrows, longer edges run down a lane on the right. Boxes show the step, its post
and time limit, and a badge per risk level — colour *and* the words 高风险/中风险/低风险.

Every piece of text is set through xml.etree's element API, never by string formatting,
so any label stays valid, escaped XML; the drawing has no script, no foreignObject and
no event attributes. It carries a viewBox so it scales to the width of a phone; long
labels wrap inside their boxes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model's module imports this one to draw at validation time
    from disclosure.kinds.power import PowerMeta

SVG_NS = "http://www.w3.org/2000/svg"
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
BOX_W = 280
MARGIN = 16
PAD = 10
GAP_X = 24
NAME_SIZE, NAME_LINE = 16, 22
SMALL_SIZE, SMALL_LINE = 13, 19
LABEL_SIZE, LABEL_LINE = 12, 17
BADGE_H = 22
LANE_STEP = 14
INK, MUTED, LINE = "#1f1f1f", "#444444", "#555555"
LEVEL_COLOURS = {"高": "#b3261e", "中": "#a14f00", "低": "#2e6b30"}  # white text ≥ 4.5:1 on each
LEVEL_WORDS = {"高": "高风险", "中": "中风险", "低": "低风险"}
# Characters XML 1.0 cannot carry, and bidi controls that could disguise a label.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]")

ET.register_namespace("", SVG_NS)


def edges_of(meta: PowerMeta) -> list[tuple[str, str, str | None]]:
    """Return the flow as (from, to, when); without `flow` the steps run in order."""
    if meta.flow:
        return [(e.from_, e.to, e.when) for e in meta.flow]
    ids = [s.id for s in meta.steps]
    return [(a, b, None) for a, b in pairwise(ids)]


def clean(text: str) -> str:
    """Return `text` without characters XML cannot hold or that reorder text; newlines → spaces."""
    return _UNSAFE.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " "))


def char_width(char: str, size: float) -> float:
    """Return the approximate advance of `char`: full width for CJK and full-width forms."""
    code = ord(char)
    if code >= 0x2E80 or 0x1100 <= code <= 0x11FF:
        return size
    return size * 0.6


def wrap(text: str, width: float, size: float) -> list[str]:
    """Return `text` broken into lines no wider than `width` (characters are not split)."""
    lines: list[str] = []
    current, used = "", 0.0
    for char in clean(text):
        advance = char_width(char, size)
        if current and used + advance > width:
            lines.append(current)
            current, used = "", 0.0
            if char == " ":
                continue
        current += char
        used += advance
    if current or not lines:
        lines.append(current)
    return lines


@dataclass
class Box:
    id: str
    index: int
    name: list[str]
    details: list[str]
    levels: list[str]
    x: float = 0.0
    y: float = 0.0
    layer: int = 0

    @property
    def height(self) -> float:
        badges = BADGE_H + 8 if self.levels else 0
        return PAD * 2 + len(self.name) * NAME_LINE + len(self.details) * SMALL_LINE + badges

    @property
    def centre(self) -> float:
        return self.x + BOX_W / 2


def _boxes(meta: PowerMeta) -> dict[str, Box]:
    inner = BOX_W - 2 * PAD
    boxes: dict[str, Box] = {}
    for n, step in enumerate(meta.steps):
        details = wrap(f"承办岗位：{step.post}", inner, SMALL_SIZE)
        if step.limit_days is not None:
            limit = "即时办理" if step.limit_days == 0 else f"{step.limit_days} 个工作日"
            details += wrap(f"办理时限：{limit}", inner, SMALL_SIZE)
        levels = [level for level in LEVEL_COLOURS if any(r.level == level for r in step.risks)]
        boxes[step.id] = Box(step.id, n, wrap(f"{n + 1}. {step.name}", inner, NAME_SIZE), details, levels)
    return boxes


def layout(meta: PowerMeta) -> tuple[dict[str, Box], list[list[Box]], list[tuple[str, str, list[str]]]]:
    """Return boxes placed on layers, the layers, and the edges with wrapped condition labels."""
    boxes = _boxes(meta)
    edges = [(a, b, wrap(when, 9 * LABEL_SIZE, LABEL_SIZE) if when else []) for a, b, when in edges_of(meta)]
    preds: dict[str, list[str]] = defaultdict(list)
    for a, b, _ in edges:
        preds[b].append(a)
    order = [s.id for s in meta.steps]
    # longest-path layering in topological order (the rules guarantee a DAG reachable from step 1)
    indegree = {i: len(preds[i]) for i in order}
    ready = [i for i in order if indegree[i] == 0]
    while ready:
        node = ready.pop(0)
        for a, b, _ in edges:
            if a == node:
                boxes[b].layer = max(boxes[b].layer, boxes[a].layer + 1)
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    count = max(b.layer for b in boxes.values()) + 1
    layers: list[list[Box]] = [[] for _ in range(count)]
    for step_id in order:
        layers[boxes[step_id].layer].append(boxes[step_id])
    width = max(len(layer) for layer in layers) * (BOX_W + GAP_X) - GAP_X
    # one barycentre pass: order each layer by where its predecessors sit
    y = float(MARGIN)
    for n, layer in enumerate(layers):
        if n:
            layer.sort(key=lambda b: (sum(boxes[p].centre for p in preds[b.id]) / max(1, len(preds[b.id])), b.index))
        row = len(layer) * (BOX_W + GAP_X) - GAP_X
        for k, box in enumerate(layer):
            box.x = MARGIN + (width - row) / 2 + k * (BOX_W + GAP_X)
        if n:
            labels = [len(lbl) for a, b, lbl in edges if boxes[b].layer == n and boxes[a].layer == n - 1]
            y += 16 + max([0, *labels]) * LABEL_LINE + 20
        for box in layer:
            box.y = y
        y += max(b.height for b in layer)
    return boxes, layers, edges


def draw_flowchart(meta: PowerMeta) -> str:
    """Return the flowchart of `meta` as a standalone SVG document (text)."""
    boxes, layers, edges = layout(meta)
    content_w = max(len(layer) for layer in layers) * (BOX_W + GAP_X) - GAP_X
    bottom = max(b.y + b.height for b in boxes.values())
    long_edges = [(a, b, lbl) for a, b, lbl in edges if boxes[b].layer - boxes[a].layer > 1]
    lane0 = MARGIN + content_w + 16
    label_room = max([0.0, *(max(sum(char_width(c, LABEL_SIZE) for c in line) for line in lbl) + 16 for _, _, lbl in long_edges if lbl)])
    width = (lane0 + len(long_edges) * LANE_STEP + label_room + MARGIN) if long_edges else (content_w + 2 * MARGIN)
    legend_y = bottom + 24
    height = legend_y + 44

    svg = ET.Element(f"{{{SVG_NS}}}svg", {
        "viewBox": f"0 0 {width:g} {height:g}",
        "width": f"{width:g}",
        "height": f"{height:g}",
        "role": "img",
        "aria-labelledby": "flow-title flow-desc",
        "font-family": FONT,
    })
    title = ET.SubElement(svg, f"{{{SVG_NS}}}title", {"id": "flow-title"})
    title.text = clean(f"{meta.title} 权力运行流程图")
    desc = ET.SubElement(svg, f"{{{SVG_NS}}}desc", {"id": "flow-desc"})
    desc.text = clean(f"共 {len(meta.steps)} 个环节：" + "→".join(s.name for s in meta.steps) + "。各环节的文字说明见页面中的流程列表。")
    defs = ET.SubElement(svg, f"{{{SVG_NS}}}defs")
    marker = ET.SubElement(defs, f"{{{SVG_NS}}}marker", {
        "id": "arrow", "viewBox": "0 0 10 10", "refX": "9", "refY": "5",
        "markerWidth": "8", "markerHeight": "8", "orient": "auto-start-reverse",
    })
    ET.SubElement(marker, f"{{{SVG_NS}}}path", {"d": "M0,0 L10,5 L0,10 z", "fill": LINE})
    ET.SubElement(svg, f"{{{SVG_NS}}}rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})

    edge_group = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "edges", "fill": "none", "stroke": LINE, "stroke-width": "1.5"})
    label_group = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "conditions"})
    lane = 0
    for a, b, label in edges:
        src, dst = boxes[a], boxes[b]
        src_bottom = src.y + src.height
        if dst.layer - src.layer == 1:
            top_of_layer = max(x.y + x.height for x in layers[src.layer])
            mid = top_of_layer + 12
            points = [(src.centre, src_bottom), (src.centre, mid), (dst.centre, mid), (dst.centre, dst.y)]
            label_at = (dst.centre, mid + 8)
        else:
            x = lane0 + lane * LANE_STEP
            lane += 1
            below = max(b2.y + b2.height for b2 in layers[src.layer]) + 6
            above = dst.y - 8
            points = [(src.centre, src_bottom), (src.centre, below), (x, below), (x, above), (dst.centre, above), (dst.centre, dst.y)]
            wide = max([0.0, *(sum(char_width(c, LABEL_SIZE) for c in line) for line in label)])
            label_at = (x + wide / 2 + 8, (below + above) / 2 - len(label) * LABEL_LINE / 2)
        ET.SubElement(edge_group, f"{{{SVG_NS}}}polyline", {
            "points": " ".join(f"{px:g},{py:g}" for px, py in points),
            "marker-end": "url(#arrow)",
        })
        if label:
            _condition(label_group, label, *label_at)

    for box in boxes.values():
        _box(svg, box, meta)
    _legend(svg, legend_y)
    # no ET.indent: whitespace between <tspan>s inside <text> would render as spaces
    return ET.tostring(svg, encoding="unicode", xml_declaration=False) + "\n"


def _condition(parent: ET.Element, lines: list[str], cx: float, top: float) -> None:
    wide = max(sum(char_width(c, LABEL_SIZE) for c in line) for line in lines)
    group = ET.SubElement(parent, f"{{{SVG_NS}}}g", {"class": "condition"})
    ET.SubElement(group, f"{{{SVG_NS}}}rect", {
        "x": f"{cx - wide / 2 - 4:g}", "y": f"{top:g}", "width": f"{wide + 8:g}",
        "height": f"{len(lines) * LABEL_LINE + 4:g}", "fill": "#ffffff", "stroke": "#bbbbbb", "rx": "3",
    })
    _lines(group, lines, cx, top + 2 + LABEL_SIZE, LABEL_SIZE, LABEL_LINE, MUTED, anchor="middle")


def _box(svg: ET.Element, box: Box, meta: PowerMeta) -> None:
    step = meta.steps[box.index]
    top = box.levels[0] if box.levels else None
    group = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "step", "id": step.anchor})
    ET.SubElement(group, f"{{{SVG_NS}}}rect", {
        "x": f"{box.x:g}", "y": f"{box.y:g}", "width": f"{BOX_W:g}", "height": f"{box.height:g}", "rx": "6",
        "fill": "#ffffff", "stroke": LEVEL_COLOURS[top] if top else LINE, "stroke-width": "3" if top else "1.5",
    })
    y = box.y + PAD + NAME_SIZE
    _lines(group, box.name, box.x + PAD, y, NAME_SIZE, NAME_LINE, INK, bold=True)
    y += len(box.name) * NAME_LINE
    _lines(group, box.details, box.x + PAD, y, SMALL_SIZE, SMALL_LINE, MUTED)
    y += len(box.details) * SMALL_LINE - SMALL_SIZE + 6
    x = box.x + PAD
    for level in box.levels:
        word = LEVEL_WORDS[level]
        count = sum(r.level == level for r in step.risks)
        text = word if count == 1 else f"{word} ×{count}"
        wide = sum(char_width(c, SMALL_SIZE) for c in text) + 12
        badge = ET.SubElement(group, f"{{{SVG_NS}}}g", {"class": f"risk risk-{level}"})
        ET.SubElement(badge, f"{{{SVG_NS}}}rect", {
            "x": f"{x:g}", "y": f"{y:g}", "width": f"{wide:g}", "height": f"{BADGE_H:g}", "rx": "3",
            "fill": LEVEL_COLOURS[level],
        })
        label = ET.SubElement(badge, f"{{{SVG_NS}}}text", {
            "x": f"{x + 6:g}", "y": f"{y + 16:g}", "font-size": f"{SMALL_SIZE}", "fill": "#ffffff", "font-weight": "bold",
        })
        label.text = text
        x += wide + 6


def _lines(parent: ET.Element, lines: list[str], x: float, y: float, size: int, step: int, fill: str,
           bold: bool = False, anchor: str = "start") -> None:
    attrs = {"x": f"{x:g}", "y": f"{y:g}", "font-size": str(size), "fill": fill, "text-anchor": anchor}
    if bold:
        attrs["font-weight"] = "bold"
    text = ET.SubElement(parent, f"{{{SVG_NS}}}text", attrs)
    for n, line in enumerate(lines):
        span = ET.SubElement(text, f"{{{SVG_NS}}}tspan", {"x": f"{x:g}", "dy": "0" if n == 0 else str(step)})
        span.text = line


def _legend(svg: ET.Element, y: float) -> None:
    group = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"class": "legend"})
    caption = ET.SubElement(group, f"{{{SVG_NS}}}text", {"x": str(MARGIN), "y": f"{y:g}", "font-size": str(SMALL_SIZE), "fill": INK})
    caption.text = "廉政风险等级："
    x = MARGIN
    for level, colour in LEVEL_COLOURS.items():
        ET.SubElement(group, f"{{{SVG_NS}}}rect", {
            "x": f"{x:g}", "y": f"{y + 8:g}", "width": "14", "height": "14", "fill": colour, "rx": "2",
        })
        word = ET.SubElement(group, f"{{{SVG_NS}}}text", {"x": f"{x + 20:g}", "y": f"{y + 20:g}", "font-size": str(SMALL_SIZE), "fill": INK})
        word.text = LEVEL_WORDS[level]
        x += 84
