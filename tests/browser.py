"""Debian's headless Chromium, driven by Selenium through Debian's chromedriver: the Mini App
is tested in a real browser, at a phone's size, and each page kept as a screenshot.

Nothing is downloaded: the browser and its driver are the machine's, found on PATH (`.ci/run`
installs `chromium`, `chromium-driver` and `fonts-noto-cjk`; without them a browser test is
skipped, `tests/tools.py`). Selenium's calls block, so a test runs
them in a thread (`asyncio.to_thread`) while the bot goes on in the event loop.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.tools import BROWSER, CHROMEDRIVER, CHROMIUM, require

PHONE = {"width": 390, "height": 844, "pixelRatio": 2}
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
)
# where the screenshots are kept (printed by each test that takes them)
ARTIFACTS = Path(os.environ.get("TAIZHANG_ARTIFACTS") or tempfile.gettempdir()) / "taizhang-miniapp"


DESK = {"width": 1280, "height": 800, "pixelRatio": 1}


@contextmanager
def phone_browser() -> Iterator[WebDriver]:
    """A fresh headless Chromium the size of a phone (390×844), closed afterwards."""
    with sized_browser(PHONE) as driver:
        yield driver


@contextmanager
def sized_browser(size: dict[str, int]) -> Iterator[WebDriver]:
    """A fresh headless Chromium of this size (a phone's, or a desk's 1280×800), closed
    afterwards."""
    found = require(BROWSER)  # before anything is made: skipped (or failed, in CI) without
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never fetches a driver
    profile = tempfile.mkdtemp(prefix="taizhang-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = found[CHROMIUM.name]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": size})
    options.page_load_strategy = "eager"  # telegram-web-app.js may not load offline
    driver = webdriver.Chrome(service=Service(found[CHROMEDRIVER.name]), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def keep(driver: WebDriver, name: str) -> Path:
    """A screenshot of the whole page as a test artifact; its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    width, height, ratio = driver.execute_script(
        "return [window.innerWidth, window.innerHeight, window.devicePixelRatio]"
    )
    full = driver.execute_script("return document.documentElement.scrollHeight")
    metrics = {"width": int(width), "deviceScaleFactor": ratio, "mobile": width < 600}
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**metrics, "height": max(int(full), int(height))}
    )
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": int(height)})
    return path


# Every visible control's tap target, measured in the page: a radio, a checkbox or a file input
# inside a label is tapped through its label, so the label is what is measured.
_TARGETS = """
const minControl = arguments[0], minLink = arguments[1];
const shown = (n) => {
  if (!n.getClientRects().length) return false;
  const style = getComputedStyle(n);
  return style.visibility !== "hidden" && style.display !== "none";
};
const seen = new Set(), small = [];
const controls = "button, select, textarea, input:not([type=hidden]), [role=button], summary";
for (const node of document.querySelectorAll(controls + ", a[href]")) {
  const link = node.matches("a[href]");
  const through = node.matches("input[type=radio], input[type=checkbox], input[type=file]");
  const target = through && node.closest("label") ? node.closest("label") : node;
  if (seen.has(target) || !shown(target)) continue;
  seen.add(target);
  const box = target.getBoundingClientRect(), least = link ? minLink : minControl;
  if (Math.round(box.height) < least) {
    const named = target.innerText || target.value || target.getAttribute("aria-label");
    const words = (named || "").trim();
    small.push({tag: target.tagName.toLowerCase(), id: target.id, text: words.slice(0, 40),
                height: Math.round(box.height), least: least});
  }
}
return small;
"""


def too_small(driver: WebDriver, control: int = 44, link: int = 24) -> list[dict[str, object]]:
    """Every visible control on the page shorter than `control` px (a link: `link` px, WCAG
    2.5.8): tag, id, words, height and the least it should be. An empty list is a pass."""
    found: list[dict[str, object]] = driver.execute_script(_TARGETS, control, link)
    return found


# Chromium's own throttling: a phone on a slow county network (about DevTools' "Fast 3G")
SLOW = {"latency": 560, "download": 1.6e6 / 8, "upload": 0.7e6 / 8}
OFFLINE = {"latency": 0, "download": -1, "upload": -1, "offline": True}


def throttle(driver: WebDriver, conditions: dict[str, float] | None = None) -> None:
    """Every request of this browser from now on delayed and limited as on `conditions`
    (round trip in ms, bytes per second down and up; OFFLINE: none go out); SLOW by default."""
    slow = conditions or SLOW
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {
            "offline": bool(slow.get("offline")),
            "latency": slow["latency"],
            "downloadThroughput": slow["download"],
            "uploadThroughput": slow["upload"],
        },
    )
