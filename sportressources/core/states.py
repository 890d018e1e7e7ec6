"""Explicit state machines for the models that move through statuses, and the one helper that
moves them.

A stateful model declares its machine as a class attribute, from a table kept next to its status
enum::

    LISTING_TRANSITIONS = {
        "approve": ({ListingStatus.AWAITING_REVIEW}, ListingStatus.PUBLISHED),
        ...
    }

    class Listing(Base):
        transitions: ClassVar[StateMachine] = StateMachine(
            target_type="listing",
            states=ListingStatus,
            table=LISTING_TRANSITIONS,
            stamps={"approve": Stamp(at="reviewed_at", by="reviewed_by_id")},
        )

Each action (a verb) names the statuses it may start from and the one it leads to.
``apply_transition(obj, "approve", actor=moderator)`` checks that the action is allowed from the
object's current status (``Conflict`` otherwise), writes the new status, stamps who and when, adds
an audit row (« listing.approve ») in the object's session, flushes, and sends ``state_changed``.

Stamps: ``Stamp(at="decided_at")`` sets that column to the moment of the transition,
``Stamp(by="cancelled_by_id")`` to the actor's id (None when the system acts); with
``first_only=True`` a value already there is kept (a first publication date). An action may have
several stamps. Whatever else an action changes (a review note, freed bookings) is the service's.

Guard: after ``Model.transitions.enforce()``, assigning the status of an object that is in the
database anywhere but in ``apply_transition`` raises ``StatusWriteRefused``. A new object takes
its first status freely (in its constructor or before its first flush); loading from the
database never counts as an assignment. Bulk ``update()`` statements bypass attribute events:
the guard cannot see them, so a service that needs a compare-and-set loads and transitions instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blinker import Namespace
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect
from sqlalchemy.orm import object_session

from sportressources.core.audit import AuditEntry, record_entry
from sportressources.core.db import utcnow
from sportressources.core.errors import Conflict

_signals = Namespace()
# Sent after each transition, once its audit row is flushed, with the model class as sender and
# ``obj``, ``action``, ``before``, ``after``, ``actor``. A receiver that raises aborts the change
# with the caller's transaction.
state_changed = _signals.signal("state-changed")

DEFAULT_CONFLICT_MESSAGE = _l(
    "Cette action n’est pas possible dans l’état actuel : la situation a peut-être changé "
    "entre-temps. Rechargez la page pour la voir à jour."
)

# The object apply_transition is writing the status of, so that the guard lets that one write pass.
_writing: ContextVar[object | None] = ContextVar("state_machine_writing", default=None)
_machines: dict[type, StateMachine] = {}


class StatusWriteRefused(RuntimeError):
    """A status was assigned outside ``apply_transition``: a programming error, not a user's."""


@dataclass(frozen=True)
class Stamp:
    at: str | None = None  # column set to the moment of the transition
    by: str | None = None  # column set to the actor's id
    first_only: bool = False  # keep a value already there


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str


def _value(status: str | enum.Enum) -> str:
    return status.value if isinstance(status, enum.Enum) else status


class StateMachine:
    """The transitions of one model's status field; see the module docstring."""

    def __init__(
        self,
        *,
        target_type: str,
        table: Mapping[str, tuple[Iterable[str] | str, str]],
        states: type[enum.Enum] | None = None,
        field: str = "status",
        stamps: Mapping[str, Stamp | Sequence[Stamp]] | None = None,
        conflict_message: str | LazyString = DEFAULT_CONFLICT_MESSAGE,
    ):
        self.target_type = target_type
        self.field = field
        self.conflict_message = conflict_message
        self.transitions: dict[str, Transition] = {}
        for action, (sources, target) in table.items():
            if isinstance(sources, str):
                sources = (sources,)
            self.transitions[action] = Transition(
                action, frozenset(_value(s) for s in sources), _value(target)
            )
        self.stamps: dict[str, tuple[Stamp, ...]] = {
            action: (stamp,) if isinstance(stamp, Stamp) else tuple(stamp)
            for action, stamp in (stamps or {}).items()
        }
        unknown = set(self.stamps) - set(self.transitions)
        if unknown:
            raise ValueError(f"stamps for unknown actions: {sorted(unknown)}")
        if states is not None:
            known = {_value(member) for member in states}
            used = {t.target for t in self.transitions.values()}.union(
                *(t.sources for t in self.transitions.values())
            )
            if used - known:
                raise ValueError(f"statuses not in {states.__name__}: {sorted(used - known)}")
        self.model: type | None = None
        self._listener = None
        self._columns_checked = False

    def __set_name__(self, owner: type, name: str) -> None:
        if self.model is not None:
            raise TypeError("a StateMachine belongs to one model")
        self.model = owner
        _machines[owner] = self

    def __repr__(self) -> str:
        return f"<StateMachine {self.target_type}: {sorted(self.transitions)}>"

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise ValueError(f"{self.target_type} has no action {action!r}") from None

    def allows(self, status: str | None, action: str) -> bool:
        """Whether ``action`` may start from ``status``."""
        return status in self.transition(action).sources

    def check_columns(self) -> None:
        """Raise ValueError if a stamp names a column the model does not have."""
        columns = inspect(self.model).columns
        missing = {
            name
            for stamps in self.stamps.values()
            for stamp in stamps
            for name in (stamp.at, stamp.by)
            if name is not None and name not in columns
        }
        if self.field not in columns:
            missing.add(self.field)
        if missing:
            raise ValueError(f"{self.model.__name__} has no column {sorted(missing)}")
        self._columns_checked = True

    # --- the guard --------------------------------------------------------------------------------

    @property
    def enforced(self) -> bool:
        return self._listener is not None

    def enforce(self) -> None:
        """Refuse, from now on, any write of the status of a saved object outside the helper."""
        if self._listener is not None:
            return
        field, model = self.field, self.model

        def refuse_outside_helper(target, value, oldvalue, initiator):
            if _writing.get() is target or inspect(target).key is None:
                return
            raise StatusWriteRefused(
                f"{model.__name__}.{field} is written by apply_transition only "
                f"(tried {oldvalue!r} -> {value!r})"
            )

        event.listen(getattr(model, field), "set", refuse_outside_helper)
        self._listener = refuse_outside_helper

    def relax(self) -> None:
        """Undo ``enforce``."""
        if self._listener is None:
            return
        event.remove(getattr(self.model, self.field), "set", self._listener)
        self._listener = None


def machine_of(obj_or_class: Any) -> StateMachine:
    """The state machine declared on a model (or an instance's model); LookupError if none."""
    cls = obj_or_class if isinstance(obj_or_class, type) else type(obj_or_class)
    for klass in cls.__mro__:
        if klass in _machines:
            return _machines[klass]
    raise LookupError(f"{cls.__name__} declares no StateMachine")


def apply_transition(
    obj,
    action: str,
    *,
    actor,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Move ``obj`` through ``action`` of its model's machine and record it; returns the audit row.

    ``actor`` is the user acting (None for the system). The object must belong to a session; a
    pending one is flushed first, so that the audit row can name its id. Raises Conflict (with
    code « invalid_transition ») when the action may not start from the current status, and then
    changes nothing; ValueError for an action the machine does not declare.
    """
    machine = machine_of(obj)
    transition = machine.transition(action)
    if not machine._columns_checked:
        machine.check_columns()
    session = object_session(obj)
    if session is None:
        raise ValueError("apply_transition needs an object added to a session")
    if inspect(obj).key is None:
        session.flush()
    before = getattr(obj, machine.field)
    if before not in transition.sources:
        raise Conflict(machine.conflict_message, code="invalid_transition")
    moment = now or utcnow()
    token = _writing.set(obj)
    try:
        setattr(obj, machine.field, transition.target)
    finally:
        _writing.reset(token)
    actor_id = getattr(actor, "id", None)
    for stamp in machine.stamps.get(action, ()):
        if stamp.at is not None and not (stamp.first_only and getattr(obj, stamp.at) is not None):
            setattr(obj, stamp.at, moment)
        if stamp.by is not None and not (stamp.first_only and getattr(obj, stamp.by) is not None):
            setattr(obj, stamp.by, actor_id)
    entry = record_entry(
        f"{machine.target_type}.{action}",
        machine.target_type,
        obj.id,
        actor=actor,
        before=before,
        after=transition.target,
        reason=reason,
        details=details,
        now=moment,
        session=session,
    )
    state_changed.send(
        type(obj), obj=obj, action=action, before=before, after=transition.target, actor=actor
    )
    return entry
