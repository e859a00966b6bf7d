"""Many phrases as one regex, factored as a trie.

A plain alternation of a few hundred phrases is tried phrase after phrase at every
position of a page; the trie is tried one word (or syllable) at a time. Siblings come
longest first and a phrase that may end at a node is tried after every longer one, so at
a position the regex matches the longest phrase that fits, as an alternation sorted
longest first does. How one word is written (its escape, the gap before it, its
boundaries) is the caller's: rules join words by any run of spaces, the gazetteer
syllables by one space.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

# token(previous, word): the regex for ``word`` after ``previous`` (None: first of the phrase).
Token = Callable[[str | None, str], str]


def trie_regex(phrases: Iterable[Sequence[str]], token: Token) -> str:
    """One regex for all ``phrases`` (each a sequence of words).

    >>> trie_regex([("cán", "bộ"), ("cán", "bộ,", "công", "chức"), ("hồ", "sơ")], lambda p, w: ("" if p is None else " ") + w)
    '(?:cán(?: bộ, công chức| bộ)|hồ sơ)'
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for word in phrase:
            node = node.setdefault(word, {})
        node[""] = {}  # a phrase ends here
    return _emit(trie, None, token)


def _emit(node: dict[str, dict], previous: str | None, token: Token) -> str:
    branches = sorted(((word, child) for word, child in node.items() if word), key=lambda wc: -_longest(wc))
    parts = [token(previous, word) + _emit(child, word, token) for word, child in branches]
    if "" in node and parts:
        parts.append("")  # the phrase may end here, after every longer one was tried
    if not parts:
        return ""
    return "(?:" + "|".join(parts) + ")" if len(parts) > 1 else parts[0]


def _longest(entry: tuple[str, dict[str, dict]]) -> int:
    """The length of the longest phrase under a trie edge, to try it first."""
    word, child = entry
    return len(word) + max((1 + _longest((w, c)) for w, c in child.items() if w), default=0)
