"""`informz-console` with no command opens the window; `--demo --screenshot` pictures each tab."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from informz_console.ui.tabs import TABS


def console(tmp_path, *args, env_extra=None, drop=()):
    env = {**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), **(env_extra or {})}
    for name in drop:
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "informz_console", *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def test_demo_screenshot_saves_one_picture_per_tab(tmp_path):
    shots = tmp_path / "shots"
    done = console(tmp_path, "--mirror", str(tmp_path / "demo.sqlite"), "--demo",
                   "--demo-members", "200", "--screenshot", str(shots),
                   env_extra={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    pictures = sorted(shots.glob("*.png"))
    assert len(pictures) == len(TABS)
    for picture in pictures:
        image = QImage(str(picture))
        assert image.width() >= 1000 and image.height() >= 600, picture
    assert "Traceback" not in done.stderr


def test_without_a_display_the_window_says_so_in_one_sentence(tmp_path):
    done = console(tmp_path, "--mirror", str(tmp_path / "m.sqlite"),
                   drop=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    assert done.returncode == 1
    assert done.stderr.strip().startswith("No display to open the console window on")
    assert len(done.stderr.strip().splitlines()) == 1


def test_screenshot_without_demo_is_refused(tmp_path):
    done = console(tmp_path, "--screenshot", str(tmp_path / "s"),
                   env_extra={"QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 1
    assert "--screenshot needs --demo" in done.stderr
