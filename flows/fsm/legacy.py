"""State names as they were stored before nested groups carried their parents' names.

Until migration 0004 a state of a nested group was named by its own group only
(`Parent.Child.x` was stored as `"Child:x"`); aiogram, and we since then, name it
`"Parent.Child:x"`. `pre_nesting_names` gives the old -> new map for the given groups; a
data migration freezes that map as literals (migrations never import the app) and
rewrites the rows, so a conversation stored under an old name resumes at the same step.
"""

from __future__ import annotations

from flows.fsm.state import ANY, StatesGroup


def pre_nesting_names(*groups: type[StatesGroup]) -> dict[str, str]:
    """Old stored name -> current name, for every state of a nested group in `groups`.

    Raises ValueError when an old name is ambiguous: two nested groups of the same name
    shared it (their conversations were already mixed up), or it is also the current name
    of another state. Such a name cannot be mapped; decide by hand.
    """
    roots = list(dict.fromkeys(group.get_root() for group in groups))
    current = {name for root in roots for name in root.__all_states_names__}
    renames: dict[str, str] = {}
    ambiguous: set[str] = set()
    for root in roots:
        for child in root.__all_childs__:
            for state in child.__states__:
                new = state.state
                if new is None or new == ANY or state._group_name is not None:
                    continue  # "*" and explicitly named states were never renamed
                old = f"{child.__name__}:{state._state}"
                if old in current or renames.get(old, new) != new:
                    ambiguous.add(old)
                renames[old] = new
    if ambiguous:
        raise ValueError(f"old state names shared by several states: {sorted(ambiguous)}")
    return renames
