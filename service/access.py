"""Who may call the API: roles, and the principal an API key authenticates as (no web framework here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.audit import Actor


class Role(StrEnum):
    SUBMITTER = "submitter"  # an ERP: screen, shipments, batches and their results
    ANALYST = "analyst"  # alerts and their decisions, screening results
    AUDITOR = "auditor"  # read-only: results, decisions, audit log, exports
    ADMIN = "admin"  # keys, lists, rules, settings, and everything the others may do

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from user input; ValueError naming the allowed roles otherwise."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(f"role must be one of {', '.join(r.value for r in cls)}, not {value!r}") from None


ALL_ROLES: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a valid API key: every query is scoped to `org_id`."""

    key_id: str  # public id of the API key (also the audit actor)
    org_id: str
    role: Role

    def actor(self) -> dict[str, str]:
        """The caller as audit events record it."""
        return {"key_id": self.key_id, "role": self.role.value, "org_id": self.org_id}

    def audit_actor(self) -> Actor:
        """The caller as `service.audit.append_event(actor=...)` takes it: the key id is the actor's name."""
        return Actor(self.key_id, key_id=self.key_id, role=self.role.value)
