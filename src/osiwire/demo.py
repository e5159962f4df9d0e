"""The bundled demo corpus: real releases that work offline (see data/demo/SOURCE.txt)."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from osiwire.model import Source, SourceKind

DEMO_INTERVAL_S = 86_400  # local files: nothing changes under them
# How the bilingual view names the bundled English of the Universal Declaration of Human Rights.
UDHR_ORIGIN = "official English text of the United Nations (udhr-ru-en.tmx)"


def demo_memory() -> tuple[Path, str]:
    """The demo's translation memory (TMX) and the origin its translations are shown with."""
    with as_file(files("osiwire") / "data" / "demo" / "udhr-ru-en.tmx") as tmx:
        return tmx.resolve(), UDHR_ORIGIN


# The demo's file sources: (file under data/demo, name, region, country, organisation); all in Russian.
DEMO_SOURCES = (
    ("kremlin-ru-2025-02-03.jsonl", "Kremlin (demo archive)", "Russian Federation", "RU",
     "Presidential Executive Office"),
    ("ibash-windows-1251.xml", "iBash.Org.Ru (demo feed, windows-1251)", "Russian Federation", "RU", ""),
    ("udhr-ru.jsonl", "United Nations (demo)", "International", "", "United Nations"),
    # Russian outlets' articles, many told by two or more of them: the stories of the demo.
    ("tgcontest-ru-media.jsonl", "Russian media (demo: tgcontest pairs)", "Russian Federation", "RU", ""),
)  # fmt: skip


def demo_sources() -> list[Source]:
    """The demo's file sources, pointing into the installed package."""
    folder = files("osiwire") / "data" / "demo"
    sources = []
    for filename, name, region, country, organisation in DEMO_SOURCES:
        with as_file(folder / filename) as path:
            url = path.resolve().as_uri()
        sources.append(
            Source(
                name=name,
                url=url,
                kind=SourceKind.FILE,
                region=region,
                country=country,
                language="ru",
                organisation=organisation,
                interval_s=DEMO_INTERVAL_S,
            )
        )
    return sources
