"""The reading modes: 长者模式 and 无障碍模式, each a copy of the site under its own URL prefix.

The web layer makes the copies (`disclosure/web/modes.py`); the last gate over the output
(`disclosure/outputs/output_gate.py`) skips them, since they only move links of pages it
reads.
"""

from __future__ import annotations

# URL prefix (also the class mode-<prefix> on <html>) → the name readers see
MODES: dict[str, str] = {"care": "长者模式", "a11y": "无障碍模式"}
