"""Configured things (districts, services) named as partners write them.

A partner's file says "Södermalm", "SÖDERMALM" or "Sodermalm" where the partnership's key is
`sodermalm`: each of them names the same district. A name is matched by its key, its name, or
either without diacritics, case-insensitively and with runs of spaces as one.
"""

import re
import unicodedata
from collections.abc import Iterable

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The form two spellings of one name share: no diacritics, case folded, spaces single.

    ("Södermalm", "SÖDERMALM", "sodermalm" -> "sodermalm"; "Hässelby-Vällingby" ->
    "hasselby-vallingby".)
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare).strip().casefold()


class NameIndex:
    """Keys by every way of naming them; `known` lists them for a message.

    An exact key wins over a name, a name over its folded form; a folded form two entries share
    (e.g. "Väst" and "Vast") names neither: the reader must then write the key or the exact name.
    """

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        entries = list(entries)
        exact: dict[str, str] = {}
        folded: dict[str, str | None] = {}
        for key, _name in entries:
            exact[key.casefold()] = key
        for key, name in entries:
            exact.setdefault(_SPACES.sub(" ", name).strip().casefold(), key)
        for key, name in entries:
            for spelling in (key, name):
                form = fold(spelling)
                if folded.get(form, key) != key:
                    folded[form] = None  # ambiguous
                else:
                    folded[form] = key
        self._exact = exact
        self._folded = folded
        self.known = ", ".join(
            key if fold(name) == fold(key) else f"{key} ({name})"
            for key, name in sorted(entries, key=lambda entry: fold(entry[1]))
        )

    def key_of(self, text: str) -> str | None:
        """The key `text` names, or None."""
        spaced = _SPACES.sub(" ", text).strip().casefold()
        found = self._exact.get(spaced)
        if found is not None:
            return found
        return self._folded.get(fold(text))
