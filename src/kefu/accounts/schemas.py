"""API shapes of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from kefu.accounts.permissions import Department, Role, Tier
from kefu.shared.types import NO_NUL, DbId


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=254, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=200, pattern=NO_NUL)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    shop_id: int
    email: str
    name: str
    role: Role
    tier: Tier | None
    department: Department | None
    team_id: int | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    password: str = Field(min_length=8, max_length=200, pattern=NO_NUL)
    role: Role = Role.AGENT
    tier: Tier | None = None
    department: Department | None = None
    team_id: DbId | None = None

    @model_validator(mode="after")
    def _role_fields(self) -> UserCreate:
        if self.role is Role.AGENT and self.tier is None:
            self.tier = Tier.JUNIOR
        if self.role is not Role.AGENT and self.tier is not None:
            raise ValueError("only agents have a tier")
        if (self.role is Role.DEPARTMENT) != (self.department is not None):
            raise ValueError("department staff, and only they, need a department")
        return self


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_NUL)
    role: Role | None = None
    tier: Tier | None = None
    department: Department | None = None
    team_id: DbId | None = None
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200, pattern=NO_NUL)

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> UserUpdate:
        for name in ("name", "role", "is_active", "password"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    role: Role = Role.AGENT


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret, shown once; store it now.")


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_user_id: int | None
    actor_token_id: int | None
    action: str
    target_type: str
    target_id: str | None
    detail: dict[str, Any]
    created_at: datetime


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
