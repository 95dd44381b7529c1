"""Text safety for every layer: what is typed, submitted, shown on a terminal or printed.

Pure functions over characters (the standard library only), used by the services, the
screens and the reports alike:

- `clean_text` strips what can hide or reorder text on a terminal or in a PDF
  (control characters, bidi overrides and isolates) and normalises to NFC, so that
  "é" typed on a Mac and "é" typed on Windows compare equal.
- `contains_card_number` spots a full payment-card number pasted into a free-text
  field (we must never store one: only brand + last 4 digits).
- `pdf_escape` makes a value safe inside reportlab `Paragraph` markup.
"""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings/overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI),
# and the implicit marks (LRM RLM ALM).
_BIDI = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C],
)
_KEPT_CONTROLS = frozenset({0x09, 0x0A})  # tab, newline

FORBIDDEN_CODE_POINTS: frozenset[int] = frozenset(
    {cp for cp in range(0x00, 0x20) if cp not in _KEPT_CONTROLS}
    | {0x7F}
    | set(range(0x80, 0xA0))
    | _BIDI
)

_REMOVE_TABLE: dict[int, None] = dict.fromkeys(FORBIDDEN_CODE_POINTS)


def strip_controls(value: str) -> str:
    """Remove the forbidden characters only (no normalisation): what an input field keeps
    of a paste, so its cursor stays where the person left it."""
    return value.translate(_REMOVE_TABLE)


def clean_text(value: str) -> str:
    """Remove control and bidi-override characters, then normalise to NFC.

    Newlines and tabs are kept; accents, other scripts and emoji are kept.
    The result is idempotent: `clean_text(clean_text(x)) == clean_text(x)`.
    """
    # Remove first, then compose: a control between a letter and its combining
    # accent must not stop them from composing into one character.
    return unicodedata.normalize("NFC", strip_controls(value))


# Terminal escape sequences: CSI (ESC [ or the one-character C1 CSI, parameters, one final
# character), OSC/DCS/APC/PM/SOS strings (up to BEL or ST), and the two-character ones.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]P_^X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x7e]?"
)
_LINE_BREAKS = re.compile(r"[ \t]*(?:[\n\t][ \t]*)+")
_EDGE_BREAKS = re.compile(r"^[ \t]*(?:[\n\t][ \t]*)+|(?:[ \t]*[\n\t])+[ \t]*$")


def clean_paste(value: str) -> str:
    """What a one-line field keeps of pasted text: the characters, in the order pasted.

    An escape sequence (`ESC [ 20 C`, a colour, a title) is removed whole, never played
    as keys; then `clean_text`; line breaks and tabs become one space (none at either end).
    """
    cleaned = clean_text(_ESCAPE_SEQUENCE.sub("", value))  # tabs and newlines stay
    # Breaks at either end go (a copied line ends with one); spaces typed around stay.
    return _LINE_BREAKS.sub(" ", _EDGE_BREAKS.sub("", cleaned))


# A run of ASCII digits where consecutive digits may be separated by ONE space or dash.
_DIGIT_RUN = re.compile(r"[0-9](?:[ \-]?[0-9])*")
_GROUP_SEPARATOR = re.compile(r"([ \-])")
CARD_MIN_DIGITS = 13
CARD_MAX_DIGITS = 19


def luhn_valid(digits: str) -> bool:
    """True when the string of ASCII digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def contains_card_number(value: str) -> bool:
    """True when the text holds something that looks like a full payment-card number.

    Rule: a Luhn-valid number of 13 to 19 digits, written either as one unbroken run
    of digits or as groups separated by single spaces or dashes
    (`4111 1111 1111 1111`, `4111-1111-1111-1111`). When groups continue past the
    card (`4111 1111 1111 1111 0425`), any sequence of whole consecutive groups
    counts, as long as it uses one kind of separator. An unbroken run of more than
    19 digits is not a card number.
    Full-width digits are folded to ASCII first (NFKC).
    """
    text = unicodedata.normalize("NFKC", value)
    if sum(map(text.count, "0123456789")) < CARD_MIN_DIGITS:
        return False  # too few digits for any card: the common case, decided in C
    for match in _DIGIT_RUN.finditer(text):
        parts = _GROUP_SEPARATOR.split(match.group())
        groups = parts[0::2]
        separators = parts[1::2]  # separators[i] sits between groups[i] and groups[i + 1]
        for start in range(len(groups)):
            digits = groups[start]
            end = start
            while True:
                if len(digits) > CARD_MAX_DIGITS:
                    break
                if len(digits) >= CARD_MIN_DIGITS and luhn_valid(digits):
                    return True
                if end + 1 >= len(groups):
                    break
                # One kind of separator per card: "514-555-0123 514-555-0124" is two phones.
                if end > start and separators[end] != separators[start]:
                    break
                end += 1
                digits += groups[end]
    return False


def pdf_escape(value: str) -> str:
    """Clean a value and escape it for reportlab `Paragraph` markup (&, <, >)."""
    return clean_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
