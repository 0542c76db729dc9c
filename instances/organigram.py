"""The Collectif's organigram (I1, T1, T7) laid out server-side as SVG boxes and edges: no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

WIDTH = 960
BOX_H = 58
GROUP_W, GROUP_H, GROUP_GAP, GROUP_COLS = 220, 62, 20, 4


@dataclass
class Box:
    x: int
    y: int
    w: int
    h: int
    css: str
    title: str
    lines: list[str] = field(default_factory=list)
    url: str = ""

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def text_x(self) -> int:
        return self.cx

    @property
    def line_items(self) -> list[tuple[int, str]]:
        return [(self.y + 36 + 14 * i, line) for i, line in enumerate(self.lines)]


@dataclass
class Chart:
    width: int
    height: int
    boxes: list[Box]
    edges: list[str]  # SVG path data


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _leader_line(instance) -> str:
    partner = instance.leader_partner or (instance.leader_person.institution.partner if instance.leader_person else None)
    if partner is None:
        return _("no leader")
    return _short(_("Leader: %(partner)s") % {"partner": partner.name})


def build_organigram(*, troika, instances) -> Chart:
    """Troïka → GEC and GA → the GTs and GDs with their leaders."""
    boxes, edges = [], []
    troika_lines = (
        [_short(_("Lead: %(partner)s") % {"partner": troika.lead.name}, 44),
         _short(_("Deputy lead: %(partner)s") % {"partner": troika.incoming.name}, 44),
         _short(_("Outgoing: %(partner)s") % {"partner": troika.outgoing.name}, 44)]
        if troika else [_("No Troïka recorded for this year")]
    )
    t_w = 360
    troika_box = Box((WIDTH - t_w) // 2, 10, t_w, 36 + 14 * len(troika_lines), "troika", _("Troïka"), troika_lines)
    boxes.append(troika_box)
    political = {i.kind: i for i in instances if not i.is_group}
    groups = [i for i in instances if i.is_group]
    y2 = troika_box.y + troika_box.h + 40
    p_w = 300
    positions = {"GEC": 60, "GA": WIDTH - 60 - p_w}
    political_boxes = {}
    for kind in ("GEC", "GA"):
        inst = political.get(kind)
        if inst is None:
            continue
        box = Box(positions[kind], y2, p_w, BOX_H, "political", inst.code, [_short(inst.name, 44)],
                  reverse("directory:detail", args=[inst.code]))
        boxes.append(box)
        political_boxes[kind] = box
        edges.append(f"M{troika_box.cx},{troika_box.y + troika_box.h} V{y2 - 20} H{box.cx} V{y2}")
    if "GEC" in political_boxes and "GA" in political_boxes:
        gec_box, ga_box = political_boxes["GEC"], political_boxes["GA"]
        edges.append(f"M{gec_box.x + gec_box.w},{y2 + BOX_H // 2} H{ga_box.x}")
    y3 = y2 + BOX_H + 50
    total_w = GROUP_COLS * GROUP_W + (GROUP_COLS - 1) * GROUP_GAP
    x0 = (WIDTH - total_w) // 2
    for index, inst in enumerate(groups):
        row, col = divmod(index, GROUP_COLS)
        x, y = x0 + col * (GROUP_W + GROUP_GAP), y3 + row * (GROUP_H + GROUP_GAP)
        box = Box(x, y, GROUP_W, GROUP_H, "group", inst.code, [_short(inst.name, 32), _leader_line(inst)],
                  reverse("directory:detail", args=[inst.code]))
        boxes.append(box)
        if row:
            edges.append(f"M{box.cx},{y - GROUP_GAP} V{y}")
    if groups and "GEC" in political_boxes:
        # T7: the leaders link their group to the GEC; one bus line feeds every row.
        gec_box = political_boxes["GEC"]
        bus_y = y3 - 20
        first_row = [box for box in boxes[-len(groups):] if box.y == y3]
        left = min([gec_box.cx] + [box.cx for box in first_row])
        right = max([gec_box.cx] + [box.cx for box in first_row])
        edges.append(f"M{gec_box.cx},{y2 + BOX_H} V{bus_y}")
        edges.append(f"M{left},{bus_y} H{right}")
        for box in first_row:
            edges.append(f"M{box.cx},{bus_y} V{box.y}")
    rows = (len(groups) + GROUP_COLS - 1) // GROUP_COLS
    height = y3 + rows * (GROUP_H + GROUP_GAP) + 10
    return Chart(WIDTH, height, boxes, edges)
