"""The result of a written procedure, from its mode and the seats' standing answers (pure: no ORM).

- **Silence**: the text is adopted unless an objection stands at the deadline. Approvals, abstentions and
  silence all let it pass.
- **Approval**: the text is adopted when at least the quorum of seats answered (an abstention is an answer:
  it counts towards the quorum), no answering seat objects, and at least one seat approves. An abstention is
  neither for nor against; a procedure where every answering seat abstains is not adopted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SILENCE, APPROVAL = "silence", "approval"
APPROVE, OBJECT, ABSTAIN = "approve", "object", "abstain"
ADOPTED, NOT_ADOPTED = "adopted", "not_adopted"


@dataclass(frozen=True)
class Tally:
    seats: int
    approve: int
    object: int
    abstain: int
    quorum: int | None

    @property
    def answered(self) -> int:
        return self.approve + self.object + self.abstain

    @property
    def silent(self) -> int:
        return self.seats - self.answered


def tally(answers: list[str], *, seats: int, quorum: int | None) -> Tally:
    return Tally(seats=seats, approve=answers.count(APPROVE), object=answers.count(OBJECT),
                 abstain=answers.count(ABSTAIN), quorum=quorum)


def quorum_for(seats: int, percent: int) -> int:
    """The number of seats that must answer: the body's percentage of its seats, rounded up, at least one."""
    return max(1, math.ceil(seats * percent / 100)) if seats else 0


def result(mode: str, counts: Tally) -> str:
    if mode == SILENCE:
        return NOT_ADOPTED if counts.object else ADOPTED
    quorum_met = counts.answered >= (counts.quorum or 0)
    return ADOPTED if quorum_met and not counts.object and counts.approve else NOT_ADOPTED
