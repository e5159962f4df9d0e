"""Plain text from an HTML fragment (a feed entry's content), keeping paragraph breaks."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
        "dd",
        "dt",
    ]
)
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed")
SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")
# C0 control characters other than tab and line ends: no text holds them, and lxml refuses them (ValueError) when
# dropping a script or style moves the text after it ("<script></script>\x08" in a feed entry ended the pass).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def fragment_text(html: str) -> str:
    """Text of ``html`` with one line per block; scripts and styles dropped."""
    if not html.strip():
        return ""
    if "<" not in html:
        return html.strip()
    html = CONTROL_RE.sub(" ", html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for comment in root.xpath("//comment() | //processing-instruction()"):
        comment.drop_tree()
    for bad in list(root.iter(*DROP_TAGS)):
        bad.drop_tree()
    parts: list[str] = []
    for event, node in etree.iterwalk(root, events=("start", "end")):
        if node.tag in BLOCK_TAGS:
            parts.append("\n")
        if event == "start" and node.text:
            parts.append(node.text)
        if event == "end" and node.tail and node is not root:
            parts.append(node.tail)
    lines = (SPACES_RE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
