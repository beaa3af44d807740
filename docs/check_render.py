"""Render the built site in headless Chromium: the index and one API page must show, styled, with their text.

    python docs/check_render.py [docs/_build/html]

For each page it takes a screenshot (``docs/_build/screenshots/*.png``, to look at) and checks that
(1) the rendered DOM, after the theme's scripts ran, holds the page's expected text and the theme's sidebar,
and (2) the picture is a styled page: enough ink, the sidebar column drawn, and the link colour present
(an unstyled page, a blank one or an error page fails). Needs Chromium (Debian:
``apt-get install chromium-headless-shell``, about 2 minutes); exits 2 with that hint when there is none.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HTML = Path(__file__).resolve().parent / "_build" / "html"
PAGES = {  # page -> text the rendered DOM must contain
    "index.html": ["stp_brainpy", "Getting started", "The model and its conventions", "bd-sidebar"],
    "api/generated/stp_brainpy.core.stp_step.html": ["stp_step", "Parameters", "bd-sidebar", "viewcode-link"],
}
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
SIZE = (1280, 900)


def browser() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def _chrome(exe: str, *args: str) -> subprocess.CompletedProcess:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-dev-shm-usage",
           f"--window-size={SIZE[0]},{SIZE[1]}", *args]
    if exe.endswith("chromium-headless-shell"):
        cmd.remove("--headless")  # it is headless only and does not know the flag's newer forms
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def check_picture(png: Path) -> list[str]:
    import matplotlib.image as mpimg

    img = mpimg.imread(png)[..., :3]
    problems = []
    if img.shape[:2] != (SIZE[1], SIZE[0]):
        problems.append(f"size {img.shape[:2]}")
    ink = (img.mean(axis=2) < 0.85).mean()  # dark pixels: text, rules, code
    if ink < 0.02:
        problems.append(f"almost blank ({ink:.1%} ink)")
    # the link colour (blue-dominant pixels) shows that the theme's stylesheet applied
    blue = ((img[..., 2] > img[..., 0] + 0.15) & (img[..., 2] > 0.5)).mean()
    if blue < 0.001:
        problems.append(f"no styled links ({blue:.2%} blue)")
    # the sidebar is a separate column: its right border is a vertical line of non-white pixels
    cols = (img[100:, 150:400].mean(axis=2) < 0.97).mean(axis=0)
    if cols.max() < 0.8:
        problems.append("no sidebar border")
    return problems


def main(html: Path = HTML) -> int:
    html = Path(html).resolve()
    exe = browser()
    if exe is None:
        print("check_render: no Chromium found; apt-get install chromium-headless-shell", file=sys.stderr)
        return 2
    shots = html.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    failed = False
    for page, texts in PAGES.items():
        path = html / page
        if not path.exists():
            print(f"FAIL {page}: not built", file=sys.stderr)
            failed = True
            continue
        dom = _chrome(exe, "--dump-dom", path.as_uri()).stdout
        missing = [t for t in texts if t not in dom]
        png = shots / (page.replace("/", "_").removesuffix(".html") + ".png")
        _chrome(exe, f"--screenshot={png}", path.as_uri())
        problems = ([f"rendered DOM lacks {missing}"] if missing else []) + (
            check_picture(png) if png.exists() else ["no screenshot"])
        print(f"{'FAIL' if problems else 'ok  '} {page} -> {png}" + (f": {'; '.join(problems)}" if problems else ""))
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HTML))
