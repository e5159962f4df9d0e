"""What the browser tests share besides fixtures: the running site, watched pages, screenshots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOTS_ENV = "OSIWIRE_SCREENSHOTS"  # =1: regenerate docs/screenshots/*.png
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 1600  # full page, but cut there so the PNGs stay small
API_TOKEN = "browser-test-token"  # the server's web.api_token: the saved-search forms sign in with it


@dataclass
class Site:
    """The running server and what the session stored."""

    base_url: str
    data_dir: Path
    kremlin_source_id: int
    hostile_source_id: int
    translated_id: int  # a kremlin release with a stored English translation
    hostile_translated_id: int  # a hostile release whose stored translation carries payloads too
    hostile_ids: list[int] = field(default_factory=list)
    udhr_id: int = 0  # the Universal Declaration, translated by people (the demo's TMX)
    copied_ids: list[int] = field(
        default_factory=list
    )  # kremlin releases another source copied word for word

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass
class Watched:
    """A page with everything it did that a hostile corpus could cause: dialogs, console output, errors."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def screenshot(page: Any, name: str, top: float = 0.0) -> None:
    """Save ``docs/screenshots/NAME.png`` when OSIWIRE_SCREENSHOTS=1 (so ordinary runs leave the tree clean).

    ``top``: where on the page the picture starts (pixels from the top of the document).
    """
    if os.environ.get(SCREENSHOTS_ENV) != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight") - top
    clip = {"x": 0, "y": top, "width": VIEWPORT["width"], "height": min(height, MAX_SCREENSHOT_HEIGHT)}
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)
