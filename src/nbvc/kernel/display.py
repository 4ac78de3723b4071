"""Rich results for notebooks: HTML for JupyterLab, Markdown for nbviewer/GitHub, text for a
terminal. Every magic returns a :class:`Rich` object; IPython picks the richest form the
frontend renders.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

STYLE = """<style>
.nbvc-out table.nbvc-table{border-collapse:collapse;margin:4px 0;font-size:0.92em}
.nbvc-out .nbvc-table th,.nbvc-out .nbvc-table td{padding:2px 10px;text-align:left;
border-bottom:1px solid rgba(128,128,128,0.3);font-variant-numeric:tabular-nums}
.nbvc-out .nbvc-table th{font-weight:600}
.nbvc-out .nbvc-table [data-num]{text-align:right}
.nbvc-out .nbvc-table th.nbvc-group{text-align:center;border-bottom:2px solid rgba(128,128,128,0.5)}
.nbvc-out .nbvc-table th[data-sortable]{cursor:pointer}
.nbvc-out .nbvc-good{color:#1a7f37}.nbvc-out .nbvc-bad{color:#cf222e}
.nbvc-out .nbvc-warn{color:#9a6700}.nbvc-out .nbvc-dim{opacity:0.65}
.nbvc-out .nbvc-title{font-weight:600;margin:2px 0}
.nbvc-out code{font-size:0.95em}
</style>"""

# Click a header to sort by it (numbers numerically); static viewers show the table as is.
SORT_SCRIPT = """<script>(function(){var t=document.getElementById("%s");if(!t)return;
var h=t.tHead.rows;Array.prototype.forEach.call(h[h.length-1].cells,function(th,i){
th.setAttribute("data-sortable","1");
th.title="sort";th.addEventListener("click",function(){var b=t.tBodies[0],
r=Array.prototype.slice.call(b.rows),up=th.getAttribute("data-dir")!=="up";
th.setAttribute("data-dir",up?"up":"down");r.sort(function(p,q){
var x=p.cells[i].getAttribute("data-sort")||p.cells[i].textContent,
y=q.cells[i].getAttribute("data-sort")||q.cells[i].textContent,
m=x.trim()?Number(x):NaN,n=y.trim()?Number(y):NaN,c=(!isNaN(m)&&!isNaN(n))?m-n:x.localeCompare(y);
return up?c:-c;});r.forEach(function(row){b.appendChild(row);});});});})();</script>"""


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, a tone (CSS class ``good``, ``bad``, ``warn`` or ``dim``), a sort
    key, and an optional note after the text (a delta, say) with a tone of its own."""

    text: str
    tone: str | None = None
    sort: str | None = None
    note: str | None = None
    note_tone: str | None = None

    def html(self, numeric: bool = False) -> str:
        attrs = f' class="nbvc-{self.tone}"' if self.tone else ""
        attrs += " data-num" if numeric else ""
        if self.sort is not None:
            attrs += f' data-sort="{html.escape(self.sort)}"'
        note = ""
        if self.note:
            note_class = f' class="nbvc-{self.note_tone}"' if self.note_tone else ""
            note = f" <small{note_class}>{html.escape(self.note)}</small>"
        return f"<td{attrs}>{html.escape(self.text)}{note}</td>"

    def plain(self) -> str:
        return f"{self.text} {self.note}" if self.note else self.text


CellLike = Cell | str


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _cell(value: CellLike) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


@dataclass
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[CellLike]]
    sortable: bool = False
    # titles over runs of columns, e.g. ("", 5), ("params", 2), ("metrics", 3): a header row
    # above the columns' own (HTML), a line above them (text), a suffix (Markdown)
    groups: Sequence[tuple[str, int]] = ()

    def _group_of(self) -> list[str]:
        return [title for title, span in self.groups for _ in range(span)]

    def html(self) -> str:
        table_id = "nbvc-" + secrets.token_hex(6)
        numeric = self._numeric()
        head = "".join(
            ("<th data-num>" if n else "<th>") + f"{html.escape(c)}</th>"
            for c, n in zip(self.columns, numeric, strict=True)
        )
        if self.groups:
            spans = "".join(
                f'<th colspan="{span}" class="nbvc-group">{html.escape(title)}</th>'
                for title, span in self.groups
            )
            head = f"{spans}</tr><tr>{head}"
        body = "".join(
            "<tr>" + "".join(_cell(v).html(n) for v, n in zip(row, numeric, strict=True)) + "</tr>"
            for row in self.rows
        )
        table = (
            f'<table class="nbvc-table" id="{table_id}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
        return table + (SORT_SCRIPT % table_id if self.sortable and len(self.rows) > 1 else "")

    def _numeric(self) -> list[bool]:
        """Columns of numbers (sizes, counts, values): right-aligned, as in the CLI's tables."""
        found = []
        for i in range(len(self.columns)):
            cells = [_cell(row[i]) for row in self.rows]
            shown = [c for c in cells if c.text not in ("", "-")]
            found.append(bool(shown) and all(_is_number(c.sort or c.text) for c in shown))
        return found

    def markdown(self) -> str:
        def line(values: Sequence[str]) -> str:
            return (
                "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in values) + " |"
            )

        titles = [
            f"{c} ({g.removesuffix('s')})" if g else c
            for c, g in zip(self.columns, self._group_of() or [""] * len(self.columns), strict=True)
        ]
        lines = [line(titles), "|" + "---|" * len(self.columns)]
        lines += [line([_cell(v).plain() for v in row]) for row in self.rows]
        return "\n".join(lines)

    def text(self) -> str:
        cells = [[_cell(v).plain() for v in row] for row in self.rows]
        widths = [len(c) for c in self.columns]
        for row in cells:
            widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
        start = 0
        for title, span in self.groups:  # a group is at least as wide as its title
            width = sum(widths[start : start + span]) + 2 * (span - 1)
            widths[start + span - 1] += max(0, len(title) + 2 - width)
            start += span
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True))]
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
        if self.groups:
            lines.insert(0, self._group_line(widths))
        return "\n".join(line.rstrip() for line in lines)

    def _group_line(self, widths: Sequence[int]) -> str:
        """``params ─────  metrics ──────`` over the columns of each group."""
        out, start = "", 0
        for title, span in self.groups:
            width = sum(widths[start : start + span]) + 2 * (span - 1)
            if title:
                out = out.ljust(sum(widths[:start]) + 2 * start)
                out += (title + " ").ljust(width, "─")
            start += span
        return out


@dataclass
class Rich:
    """A titled result made of tables and notes, in three renderings."""

    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _repr_html_(self) -> str:
        parts = [STYLE, '<div class="nbvc-out">']
        if self.title:
            parts.append(f'<div class="nbvc-title">{html.escape(self.title)}</div>')
        parts += [table.html() for table in self.tables]
        parts += [f'<div class="nbvc-dim">{html.escape(note)}</div>' for note in self.notes]
        parts.append("</div>")
        return "".join(parts)

    def _repr_markdown_(self) -> str:
        parts = [f"**{self.title}**"] if self.title else []
        parts += [table.markdown() for table in self.tables]
        parts += [f"_{note}_" for note in self.notes]
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        parts = [self.title] if self.title else []
        parts += [table.text() for table in self.tables]
        parts += self.notes
        return "\n\n".join(parts)


@dataclass
class Preformatted:
    """A block of text (a lineage tree, a script) shown as code in every rendering."""

    title: str
    body: str
    language: str = ""
    extra_markdown: str = ""  # e.g. a Mermaid diagram GitHub renders

    def _repr_html_(self) -> str:
        title = f'<div class="nbvc-title">{html.escape(self.title)}</div>' if self.title else ""
        return f'{STYLE}<div class="nbvc-out">{title}<pre>{html.escape(self.body)}</pre></div>'

    def _repr_markdown_(self) -> str:
        title = f"**{self.title}**\n\n" if self.title else ""
        fence = "````" if "```" in self.body else "```"
        extra = f"\n\n{self.extra_markdown}" if self.extra_markdown else ""
        return f"{title}{fence}{self.language}\n{self.body}\n{fence}{extra}"

    def __repr__(self) -> str:
        return f"{self.title}\n\n{self.body}" if self.title else self.body
