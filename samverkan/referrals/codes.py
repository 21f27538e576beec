"""The referral code format: short, read aloud without mistakes, with a check character.

A code is eight symbols from an alphabet of 31: the digits 2-9 and the letters A-Z without I, L
and O, so that nothing can be read as 0, O, 1, I or L. Seven symbols are random (31**7, about
27 billion codes) and the eighth is a check character. Codes are stored in their canonical form
("K7QP4XMC") and shown grouped in fours ("K7QP-4XMC").

The check: with the symbols' values v1..v8 (their index in the alphabet) and weights 1..8,

    1*v1 + 2*v2 + ... + 8*v8 = 0 (mod 31).

Because 31 is a prime, every weight 1..8 has an inverse modulo 31, which is what detects:
- every single-symbol mistake: changing v_i to w changes the sum by i*(w - v_i), which is
  not 0 mod 31 because neither factor is (31 is prime and both lie between 1 and 30 in size);
- every swap of two neighbouring, different symbols: the sum changes by
  (i - (i+1)) * (v_{i+1} - v_i) = v_i - v_{i+1}, which is not 0 mod 31.
(Swaps of symbols two apart change it by 2*(v_i - v_{i+2}): caught as well.) The tests check
all of this exhaustively over every position and every pair of symbols.
"""

import secrets

from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime
VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
LENGTH = 8
GROUP = 4
PAYLOAD = LENGTH - 1
SEPARATORS = frozenset(" -\t\r\n\u00a0\u2010\u2011\u2012\u2013")
EXCLUDED = "0O1IL"

assert BASE == 31 and all(BASE % d for d in range(2, BASE)), "the check needs a prime alphabet"
assert not set(EXCLUDED) & set(ALPHABET)


class MalformedCode(SamverkanError):
    """The text cannot be a code at all: a symbol outside the alphabet or the wrong length."""


class MistypedCode(SamverkanError):
    """The text has the shape of a code but its check character does not match: a typing error."""


def _weighted_sum(values: list[int]) -> int:
    return sum(weight * value for weight, value in enumerate(values, start=1)) % BASE


def check_symbol(payload: str) -> str:
    """The check symbol that makes `payload` (seven symbols, canonical) a valid code."""
    if len(payload) != PAYLOAD or any(symbol not in VALUE for symbol in payload):
        raise ValueError(f"A payload is {PAYLOAD} symbols of the alphabet: {payload!r}")
    partial = _weighted_sum([VALUE[symbol] for symbol in payload])
    # Solve partial + LENGTH * c = 0 (mod BASE) for c; pow(x, -1, BASE) is x's inverse.
    return ALPHABET[(-partial * pow(LENGTH, -1, BASE)) % BASE]


def new_code() -> str:
    """A random valid code in canonical form, from the operating system's secure source."""
    payload = "".join(secrets.choice(ALPHABET) for _unused in range(PAYLOAD))
    return payload + check_symbol(payload)


def is_well_formed(code: str) -> bool:
    """Whether a canonical code (no separators, upper case) has the right shape and check."""
    return (
        len(code) == LENGTH
        and all(symbol in VALUE for symbol in code)
        and _weighted_sum([VALUE[symbol] for symbol in code]) == 0
    )


def display(code: str) -> str:
    """The canonical code grouped for reading: K7QP4XMC -> K7QP-4XMC."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalise(text: str) -> str:
    """What a person typed, as a canonical code: case, spaces and hyphens do not matter.

    Raises MalformedCode saying which character is not used in codes and where (its position
    in what was typed, from 1), or how many symbols there were. Does not check the check
    character: see `parse`."""
    symbols = []
    for position, character in enumerate(text, start=1):
        if character in SEPARATORS:
            continue
        symbol = character.upper()
        if symbol not in VALUE:
            if symbol in EXCLUDED:
                message = _(
                    "“%(character)s” (character %(position)d) is never used in codes: they "
                    "have no 0, O, 1, I or L."
                )
            else:
                message = _(
                    "“%(character)s” (character %(position)d) is not used in codes: they have "
                    "only the digits 2-9 and the letters A-Z without I, L and O."
                )
            raise MalformedCode(message % {"character": character, "position": position})
        symbols.append(symbol)
    if not symbols:
        raise MalformedCode(_("Enter a code."))
    if len(symbols) != LENGTH:
        raise MalformedCode(
            _("A code has %(length)d characters; this has %(count)d.")
            % {"length": LENGTH, "count": len(symbols)}
        )
    return "".join(symbols)


def parse(text: str) -> str:
    """What a person typed, as a canonical code whose check character matches.

    Raises MalformedCode (see `normalise`) or MistypedCode for a typing error."""
    code = normalise(text)
    if not is_well_formed(code):
        raise MistypedCode(
            _(
                "%(code)s is not a valid code: a character is probably mistyped or two are "
                "swapped. Check the code and try again."
            )
            % {"code": display(code)}
        )
    return code
