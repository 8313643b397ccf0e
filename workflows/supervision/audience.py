"""Where the supervisors hear what is theirs: once each, in the supervisors' group when they
are in it, else in their private chat.

A missing list, an overdue notice or a close-out to decide used to go to every supervisor's
private chat and to the supervisors' group as well: a supervisor in that group read each one
twice. A bot in privacy mode is not told who is in a group, so the bot goes by what it has
seen there (`storage/sightings.py`): someone who spoke or pressed a button in the group, or
was added to it, and has not left. A supervisor never seen there hears in private: a
second copy is better than none.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable


def hearing_chats(
    people: Iterable[int], groups: Iterable[int], members: Collection[tuple[int, int]]
) -> list[int]:
    """The private chat of each person (a user id) seen in none of the groups, then each group.

    `members` holds (group chat, user) pairs known to be in the group.
    """
    groups = list(dict.fromkeys(groups))
    in_a_group = {user for chat, user in members if chat in groups}
    private = [p for p in dict.fromkeys(people) if p not in in_a_group]
    return [*private, *groups]
