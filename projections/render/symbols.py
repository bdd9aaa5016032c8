"""Status symbols as inline SVG: the same drawing in every browser and in the PDF.

Emoji depend on the reader's fonts (📅 and 🔧 print as empty boxes where no emoji font is
installed); a small SVG in the status's colour does not. Each shape of
`catalogue.scales.SYMBOLS` is drawn on a 16 × 16 grid; the label is the SVG's title, for
screen readers and for text that has no pictures.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from catalogue import StatusDef

SHAPES: dict[str, str] = {
    "tick": '<path d="M2.5 8.5l3.5 3.5 7.5-8" fill="none" stroke="{c}" stroke-width="2.5" '
            'stroke-linecap="round" stroke-linejoin="round"/>',
    "calendar": '<rect x="2" y="3" width="12" height="11" rx="1.5" fill="none" stroke="{c}" '
                'stroke-width="1.5"/><path d="M2 6.5h12M5 1.5v3M11 1.5v3" stroke="{c}" '
                'stroke-width="1.5"/>',
    "wrench": '<path d="M10.5 1.5a4 4 0 0 0-3.8 5.3L1.8 11.7a1.5 1.5 0 0 0 2.1 2.1l4.9-4.9a4 4 0 '
              '0 0 5.3-3.8l-2.3 2.3-2-0.5-0.5-2z" fill="{c}"/>',
    "circle": '<circle cx="8" cy="8" r="6" fill="{c}"/>',
    "square": '<rect x="2.5" y="2.5" width="11" height="11" fill="{c}"/>',
    "triangle": '<path d="M8 1.5l6.5 12h-13z" fill="{c}"/>',
    "diamond": '<path d="M8 1l7 7-7 7-7-7z" fill="{c}"/>',
    "cross": '<path d="M3 3l10 10M13 3L3 13" stroke="{c}" stroke-width="2.5" '
             'stroke-linecap="round"/>',
    "star": '<path d="M8 1l2 4.6 5 .5-3.8 3.3 1.1 4.9L8 11.8l-4.3 2.5 1.1-4.9L1 6.1l5-.5z" '
            'fill="{c}"/>',
    "flag": '<path d="M3 1.5v13" stroke="{c}" stroke-width="1.5"/><path d="M3.5 2h9l-2 3 2 3h-9z" '
            'fill="{c}"/>',
    "dash": '<path d="M3 8h10" stroke="{c}" stroke-width="2.5" stroke-linecap="round"/>',
}


def symbol_svg(status: StatusDef) -> Markup:
    """``<svg …><title>delivered</title>…</svg>``: the status's shape in its colour."""
    shape = SHAPES.get(status.symbol, SHAPES["dash"]).format(c=escape(status.colour))
    return Markup(
        f'<svg class="status-symbol" xmlns="http://www.w3.org/2000/svg" width="1em" '
        f'height="1em" viewBox="0 0 16 16" role="img" aria-label="{escape(status.label)}">'
        f"<title>{escape(status.label)}</title>{shape}</svg>")
