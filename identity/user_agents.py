"""A browser's User-Agent as a person reads it: "Chrome on macOS", and whether it is a phone.

Only what the sessions page needs, from the few tokens browsers have sent for years; anything else is
"Unknown browser" rather than a guess. The order matters: Edge and Opera also say Chrome, Chrome also
says Safari, and every iPhone browser says Safari.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext

_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS|Chromium)/")),  # HeadlessChrome too
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
_SYSTEMS = (
    ("iOS", re.compile(r"\b(?:iPhone|iPad|iPod)\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


@dataclass(frozen=True, slots=True)
class Client:
    browser: str  # "" when unknown
    system: str  # "" when unknown
    device: str  # "phone", "tablet" or "computer"

    @property
    def label(self) -> str:
        if self.browser and self.system:
            return gettext("%(browser)s on %(system)s") % {"browser": self.browser, "system": self.system}
        return self.browser or self.system or gettext("Unknown browser")

    @property
    def device_label(self) -> str:
        return {"phone": gettext("Phone"), "tablet": gettext("Tablet")}.get(self.device, gettext("Computer"))


def parse_user_agent(user_agent: str) -> Client:
    ua = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(ua)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(ua)), "")
    if "iPad" in ua or (system == "Android" and "Mobile" not in ua):
        device = "tablet"
    elif "Mobile" in ua or "iPhone" in ua:
        device = "phone"
    else:
        device = "computer"
    return Client(browser, system, device)
