"""Importing osiwire touches no network and loads no model."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import socket, sys
def refuse(*a, **k):
    raise SystemExit("network access at import time")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
import osiwire.cli, osiwire.pipeline, osiwire.web.app, osiwire.store
assert "pymorphy3" not in sys.modules, "pymorphy3 loaded at import time"
print("ok")
"""


def test_import_is_offline_and_lazy() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
