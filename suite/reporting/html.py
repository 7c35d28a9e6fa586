"""``report.html``: the markdown report as one self-contained HTML file, for sharing.

The report and its per-image appendix are rendered by markdown-it-py (CommonMark with tables;
the appendix's ``<details>`` blocks pass through), the link to ``per_image.md`` becomes a link
to the appendix inside the page, and every figure the report shows is inlined as a ``data:``
URI, so the file opens anywhere with nothing beside it.
"""

from __future__ import annotations

import base64
import mimetypes
from html import escape
from pathlib import Path

from markdown_it import MarkdownIt

from suite.errors import SuiteError
from suite.files import atomic_write_text

APPENDIX_ID = "per-image-scores"
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; }
th { background: #f3f3f3; }
img { max-width: 100%; }
code { background: #f5f5f5; padding: 0 0.2em; }
details { margin: 0.4em 0; }
"""


def _inline(src: str, folder: Path) -> str:
    """A figure the report links to, as a ``data:`` URI (a SuiteError names a missing one)."""
    path = folder / src
    if not path.is_file():
        raise SuiteError(f"{path}: the report shows this figure, but it is missing; rerun "
                         "`suite plot` into the report's plots/ folder")  # fmt: skip
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def render_html(report: str, appendix: str, folder: Path, appendix_link: str) -> str:
    """The report and its appendix as one HTML page; figures under ``folder`` are inlined and
    links to ``appendix_link`` point at the appendix in the page."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(report + "\n\n" + f'<a id="{APPENDIX_ID}"></a>\n\n' + appendix)
    for token in tokens:
        for child in token.children or []:
            if child.type == "image" and "://" not in str(child.attrGet("src")):
                child.attrSet("src", _inline(str(child.attrGet("src")), folder))
            elif child.type == "link_open" and child.attrGet("href") == appendix_link:
                child.attrSet("href", f"#{APPENDIX_ID}")
    title = next((t.content for t in tokens if t.type == "inline"), "sr-suite report")
    body = md.renderer.render(tokens, md.options, {})
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}"
        "</body>\n</html>\n"
    )


def write_html(path: Path, report: str, appendix: str, appendix_link: str) -> Path:
    """Write :func:`render_html` of the report to ``path`` (figures from its folder)."""
    return atomic_write_text(path, render_html(report, appendix, path.parent, appendix_link))
