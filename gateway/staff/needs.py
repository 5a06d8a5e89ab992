"""What people needed but did not get (contract §7): counts only, by week, municipality, topic
and kind, never message texts. A table, the same weekly totals as an SVG chart without scripts
or inline styles (the CSP allows neither), and a CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from core import clock
from gateway.staff import texts
from gateway.staff.database import run, staff_route
from gateway.staff.layout import escape, finnish_week, html_response, page, redirect
from gateway.staff.sessions import session

CHART_WEEKS = 12


@staff_route
async def needs_page(request: web.Request) -> web.StreamResponse:
    """GET /staff/tarpeet: counts only (week, municipality, topic, kind), never message texts."""
    current = await session(request)
    if current is None:
        return redirect("/staff")
    rows = await run(request, lambda store: store.needs())
    kinds = "".join(
        f"<div><dt>{escape(v)}</dt><dd>{escape(texts.KIND_HELP[k])}</dd></div>"
        for k, v in texts.NEED_KINDS.items()
    )
    intro = (
        f"<p>{texts.NEEDS_INTRO}</p>"
        f'<dl class="kinds">{kinds}</dl>'
        f'<p><a href="/staff/tarpeet.csv" download>{texts.DOWNLOAD_CSV}</a></p>'
    )
    if not rows:
        body = intro + f"<p>{texts.NO_NEEDS}</p>"
    else:
        body = intro + _chart(rows) + _needs_table(rows)
    return html_response(page(texts.NEEDS_TITLE, body, current[1], "/staff/tarpeet"))


def _needs_table(rows: list[dict[str, Any]]) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in texts.TABLE_COLUMNS)
    head += f'<th scope="col" class="num">{texts.COUNT_COLUMN}</th>'
    body = "".join(
        "<tr>"
        f'<th scope="row">{escape(finnish_week(r["week"]))}</th>'
        f"<td>{escape(r['municipality'] or texts.UNKNOWN)}</td>"
        f"<td>{escape(texts.TOPICS.get(r['topic'] or '', r['topic'] or texts.UNKNOWN))}</td>"
        f"<td>{escape(texts.NEED_KINDS.get(r['kind'], r['kind']))}</td>"
        f'<td class="num">{int(r["count"])}</td>'
        "</tr>"
        for r in rows
    )
    return (
        f'<h2 id="taulukko">{texts.TABLE_TITLE}</h2>'
        '<div class="table-wrap" role="region" aria-labelledby="taulukko-otsikko" tabindex="0">'
        f'<table><caption id="taulukko-otsikko">{texts.TABLE_CAPTION}</caption>'
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _weekly(rows: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    """Total per week, the newest CHART_WEEKS weeks, oldest first."""
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["week"]] = totals.get(r["week"], 0) + int(r["count"])
    weeks = sorted(totals)[-CHART_WEEKS:]
    return [(w, totals[w]) for w in weeks]


def _chart(rows: list[dict[str, Any]]) -> str:
    """A bar per week as inline SVG: presentation attributes only (the CSP allows no inline
    style), with a title and a description that say the same in words."""
    weekly = _weekly(rows)
    most = max(count for _, count in weekly) or 1
    width, row_h, bar_h = 320, 56, 22  # a label line above each bar: narrow, so text stays big
    height = row_h * len(weekly)
    bars = []
    for i, (week, count) in enumerate(weekly):
        y = i * row_h
        length = max(2, round(width * count / most))
        bars.append(
            f'<text x="0" y="{y + 18}" font-size="16" fill="#1b1b1b">'
            f"{escape(finnish_week(week))}: {count}</text>"
            f'<rect x="0" y="{y + 26}" width="{length}" height="{bar_h}" fill="#0b4f8a"></rect>'
        )
    words = "; ".join(f"{finnish_week(w)}: {c}" for w, c in weekly)
    return (
        f'<h2 id="kaavio">{texts.CHART_TITLE}</h2><figure class="chart">'
        f'<svg role="img" aria-labelledby="kaavio-nimi kaavio-kuvaus" viewBox="0 0 {width} '
        f'{height}" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="kaavio-nimi">{texts.CHART_NAME}</title>'
        f'<desc id="kaavio-kuvaus">{escape(words)}.</desc>{"".join(bars)}</svg>'
        f"<figcaption>{texts.chart_caption(CHART_WEEKS)}</figcaption></figure>"
    )


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_route
async def needs_csv(request: web.Request) -> web.StreamResponse:
    """GET /staff/tarpeet.csv: the same counts, UTF-8 (with a BOM, for spreadsheets)."""
    if await session(request) is None:
        return redirect("/staff")
    rows = await run(request, lambda store: store.needs())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(texts.CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                _cell(r["week"]),
                _cell(r["municipality"]),
                _cell(r["topic"]),
                _cell(r["kind"]),
                int(r["count"]),
            ]
        )
    name = texts.csv_filename(clock.today())
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
