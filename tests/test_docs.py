"""The README documents every setting, command and route; the first code block holds the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
from pydantic import BaseModel

from osiwire.cli import cli
from osiwire.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _settings(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _settings(annotation, f"{prefix}{name}.")
        elif name != "data_dir":  # --data-dir / OSIWIRE_DATA_DIR, documented with the CLI
            names.append(prefix + name)
    return names


@pytest.mark.parametrize("setting", _settings(Settings))
def test_every_setting_is_documented(setting: str) -> None:
    assert f"`{setting}`" in README


def _commands(group: click.Group, prefix: str = "osiwire") -> list[str]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix} {name}")
        else:
            out.append(f"{prefix} {name}")
    return out


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_documented(command: str) -> None:
    *parent, last = command.split()
    # `sources import-opml FILE` / `export-opml` share a row
    assert f"`{command}" in README or (f"`{' '.join(parent)} " in README and f"`{last}`" in README)


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```\w*\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    assert README.index("```") < README.index("## ")  # before any section


def _paths(routes: list[Any], prefix: str = "") -> list[str]:
    from starlette.routing import Mount

    paths = []
    for route in routes:
        if isinstance(route, Mount):
            paths.append(prefix + route.path + "/...")
        elif hasattr(route, "original_router"):  # FastAPI includes routers lazily
            router = route.original_router
            paths += _paths(router.routes, prefix + str(getattr(route.include_context, "prefix", "") or ""))
        elif hasattr(route, "path"):
            paths.append(prefix + str(route.path))
    return paths


def _routes() -> list[str]:
    from osiwire.config import load_settings
    from osiwire.web.app import create_app

    app = create_app(load_settings("/nonexistent-osiwire-docs-check", environ={}), store=object())  # type: ignore[arg-type]
    return sorted(set(_paths(app.routes)))


def test_routes_are_found() -> None:
    assert {"/", "/releases/{release_id}", "/api/v1/search", "/feeds/search.atom"} <= {
        re.sub(r":int\}", "}", r) for r in _routes()
    }


@pytest.mark.parametrize("route", _routes())
def test_every_route_is_documented(route: str) -> None:
    normalised = re.sub(r"\{[a-z_]+(:int)?\}", "{id}", route)
    assert f"`{normalised}`" in README or f"`{normalised}`," in README, normalised
