"""Who is asking: the authenticated user or API token, with its shop and role."""

from __future__ import annotations

from dataclasses import dataclass

from kefu.accounts.permissions import Permission, Role, role_allows
from kefu.shared.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Principal:
    shop_id: int
    role: Role
    user_id: int | None = None
    token_id: int | None = None
    tier: str | None = None

    def can(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        """Raise ``Forbidden`` unless this principal's role grants ``permission``."""
        if not self.can(permission):
            raise Forbidden(
                f"role '{self.role}' may not do '{permission}'",
                code="forbidden",
                details={"permission": str(permission)},
            )
