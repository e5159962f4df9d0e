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


def demo_sources() -> list[Source]:
    """The demo's file sources, pointing into the installed package."""
    folder = files("osiwire") / "data" / "demo"
    with (
        as_file(folder / "kremlin-ru-2025-02-03.jsonl") as kremlin,
        as_file(folder / "ibash-windows-1251.xml") as feed,
        as_file(folder / "udhr-ru.jsonl") as udhr,
        as_file(folder / "tgcontest-ru-media.jsonl") as media,
    ):
        return [
            Source(
                name="Kremlin (demo archive)",
                url=kremlin.resolve().as_uri(),
                kind=SourceKind.FILE,
                region="Russian Federation",
                country="RU",
                language="ru",
                organisation="Presidential Executive Office",
                interval_s=DEMO_INTERVAL_S,
            ),
            Source(
                name="iBash.Org.Ru (demo feed, windows-1251)",
                url=feed.resolve().as_uri(),
                kind=SourceKind.FILE,
                region="Russian Federation",
                country="RU",
                language="ru",
                interval_s=DEMO_INTERVAL_S,
            ),
            Source(
                name="United Nations (demo)",
                url=udhr.resolve().as_uri(),
                kind=SourceKind.FILE,
                region="International",
                language="ru",
                organisation="United Nations",
                interval_s=DEMO_INTERVAL_S,
            ),
            # Russian outlets' articles, many told by two or more of them: the stories of the demo.
            Source(
                name="Russian media (demo: tgcontest pairs)",
                url=media.resolve().as_uri(),
                kind=SourceKind.FILE,
                region="Russian Federation",
                country="RU",
                language="ru",
                interval_s=DEMO_INTERVAL_S,
            ),
        ]
