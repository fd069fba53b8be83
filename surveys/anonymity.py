"""The anonymity threshold: which groups of respondents a page or an export may describe.

A group smaller than the threshold is hidden (primary suppression). When the total over a
partition is shown, hidden groups could be recomputed from it (the total minus the visible
groups): so while the hidden groups together hold fewer respondents than the threshold, the
smallest visible group is hidden too (complementary suppression). Pure functions, no Django.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping


def hidden_groups(
    counts: Mapping[Hashable, int], *, threshold: int, total_shown: bool = True
) -> set[Hashable]:
    """The groups of a partition (group -> respondents) that must not be shown, given that the
    total of the partition is shown (or not)."""
    hidden = {group for group, count in counts.items() if 0 < count < threshold}
    if not total_shown or not hidden:
        return hidden
    visible = sorted(
        (group for group, count in counts.items() if count >= threshold),
        key=lambda group: (counts[group], str(group)),
    )
    # Whatever the hidden groups hold together is "total minus the visible ones".
    while visible and sum(counts[group] for group in hidden) < threshold:
        hidden.add(visible.pop(0))
    return hidden


def shown(count: int, *, threshold: int) -> bool:
    """Whether a figure describing `count` respondents may be shown on its own."""
    return count >= threshold
