"""Character classes shared by the personal-data scan and the reading of markup (regex class bodies)."""

from __future__ import annotations

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters a reader
# never sees — soft hyphen, zero-width and joiners, direction marks (LRM/RLM/ALM), invisible
# operators, variation selectors, Hangul fillers, tag characters. Inside a number they hide it
# from a scanner but not from a reader, so they count as nothing. A regex class body.
ZERO_WIDTH = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    # combining marks drawn on a digit (accents, the keycap ⃣ of 1️⃣): the digit still reads as itself
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
# What people put between the groups of a number: spaces, dashes, dots, slashes, brackets.
SEPARATORS = (
    " \t\u00a0\u2000-\u200a\u202f\u205f\u3000\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d.\uff0e"
    "\u00b7\u2022\u30fb/\uff0f()\uff08\uff09\uff0c\u3001\uff1a"
    "\u2800\u2044\u2215\u3010\u3011\u3014\u3015\uff3b\uff3d"  # braille blank, fraction and division slash, 【】〔〕［］
)  # not the ASCII comma and colon: they separate values in JSON, CSV and SVG coordinates
