"""Stacked bar charts laid out on the server, drawn as inline SVG.

Pure geometry: counts in, rectangles out. The tags ``chart_svg`` and ``chart_table``
(tracker/public/templatetags/public.py) draw each segment as a link into the filtered list,
and the numbers as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from tracker.core.models import Status

WIDTH = 420
LABEL_HEIGHT = 20
BAR_HEIGHT = 16
ROW_GAP = 10
COUNT_SPACE = 44
STATUS_ORDER = [Status.DELAYED, Status.STALE, Status.TRACKING, Status.ACHIEVED]


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float
    url: str


@dataclass
class Bar:
    label: str
    total: int
    url: str
    label_y: float
    bar_y: float
    end_x: float
    count_y: float
    segments: list[Segment] = field(default_factory=list)
    # Every status, zeros included, for the table beside the chart.
    cells: list[Segment] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


def list_url(base: str, **params) -> str:
    clean = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{base}?{urlencode(clean)}" if clean else base


def stacked_bars(
    title: str,
    rows: list[tuple[str, dict[str, int], dict[str, str]]],
    base_url: str,
    scale_to: int | None = None,
) -> Chart:
    """Lay out one stacked bar per row: (label, {status: count}, list filter parameters)."""
    largest = scale_to or max((sum(counts.values()) for _label, counts, _p in rows), default=0)
    usable = WIDTH - COUNT_SPACE
    # Each status's label and query parameter once per chart, not once per segment.
    labels = {status: str(status.label) for status in STATUS_ORDER}
    status_queries = {status: urlencode({"status": status.value}) for status in STATUS_ORDER}
    bars = []
    y = 0.0
    for label, counts, params in rows:
        total = sum(counts.values())
        url = list_url(base_url, **params)
        bar = Bar(
            label=label,
            total=total,
            url=url,
            label_y=y + LABEL_HEIGHT - 4,
            bar_y=y + LABEL_HEIGHT,
            end_x=0,
            count_y=y + LABEL_HEIGHT + BAR_HEIGHT - 4,
        )
        x = 0.0
        for status in STATUS_ORDER:
            count = counts.get(status, 0)
            width = usable * count / largest if largest and count else 0
            segment = Segment(
                status=status.value,
                label=labels[status],
                count=count,
                x=round(x, 2),
                width=round(max(width, 1), 2) if count else 0,
                # list_url(base_url, **params, status=…), without encoding the rest again.
                url=f"{url}{'&' if url != base_url else '?'}{status_queries[status]}",
            )
            bar.cells.append(segment)
            if count:
                bar.segments.append(segment)
            x += width
        bar.end_x = round(x + 6, 2)
        bars.append(bar)
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return Chart(title=title, bars=bars, width=WIDTH, height=max(int(y), 1))
