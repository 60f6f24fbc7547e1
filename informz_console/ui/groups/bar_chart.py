"""A horizontal bar chart painted with QPainter (QtCharts is not installed): one bar per part
of a count's breakdown, longest first reads at a glance. Clicking a bar emits its key, so the
chart opens the same rows its number does."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

ROW_HEIGHT = 22
BAR_HEIGHT = 14
GAP = 8


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: int
    color: str  # a CSS colour name or #rrggbb


class BarChart(QWidget):
    clicked = Signal(str)  # the key of the bar clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.total = 0  # what the shares in the tooltips are of
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar], total: int | None = None) -> None:
        self.bars = list(bars)
        self.total = total if total is not None else sum(b.value for b in bars)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(320, max(1, len(self.bars)) * ROW_HEIGHT + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.sizeHint().height())

    # -- geometry --------------------------------------------------------------------------

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(b.label) for b in self.bars), default=0)
        return min(widest + GAP, int(self.width() * 0.55))

    def _value_width(self) -> int:
        metrics = self.fontMetrics()
        return max((metrics.horizontalAdvance(f"{b.value:,}") for b in self.bars), default=0) + GAP

    def bar_rect(self, row: int) -> QRectF:
        """Where bar `row` is drawn (its full length: the largest value fills the space)."""
        left = self._label_width()
        room = max(10, self.width() - left - self._value_width())
        largest = max((b.value for b in self.bars), default=0) or 1
        length = max(2.0, room * self.bars[row].value / largest) if self.bars[row].value else 0
        top = 2 + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        return QRectF(left, top, length, BAR_HEIGHT)

    def bar_at(self, point: QPoint) -> Bar | None:
        row = (point.y() - 2) // ROW_HEIGHT
        return self.bars[row] if 0 <= row < len(self.bars) and point.y() >= 2 else None

    # -- painting and mouse ----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().text().color()
        left = self._label_width()
        for row, bar in enumerate(self.bars):
            rect = self.bar_rect(row)
            line = QRectF(0, 2 + row * ROW_HEIGHT, left - GAP / 2, ROW_HEIGHT)
            painter.setPen(text)
            painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.fontMetrics().elidedText(bar.label, Qt.TextElideMode.ElideRight,
                                                           int(line.width())))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bar.color))
            painter.drawRoundedRect(rect, 2, 2)
            painter.setPen(text)
            value = QRectF(rect.right() + 4, line.top(), self._value_width(), ROW_HEIGHT)
            painter.drawText(value, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{bar.value:,}")
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        bar = self.bar_at(event.position().toPoint())
        self.setCursor(Qt.CursorShape.PointingHandCursor if bar and bar.value
                       else Qt.CursorShape.ArrowCursor)
        if bar is not None:
            share = f" ({100 * bar.value / self.total:.1f}%)" if self.total else ""
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{bar.label}: {bar.value:,}{share}. Click to list them.", self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        bar = self.bar_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and bar is not None and bar.value:
            self.clicked.emit(bar.key)
        super().mousePressEvent(event)
