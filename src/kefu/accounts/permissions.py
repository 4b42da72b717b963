"""Roles, tiers and what each role may do; pure data, no I/O."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    DEPARTMENT = "department"


class Tier(StrEnum):
    JUNIOR = "junior"
    SENIOR = "senior"
    EXPERT = "expert"


class Department(StrEnum):
    LOGISTICS = "logistics"
    WAREHOUSE = "warehouse"
    TECH = "tech"


class Permission(StrEnum):
    CONVERSATIONS_READ = "conversations.read"
    CONVERSATIONS_REPLY = "conversations.reply"
    CONVERSATIONS_NOTE = "conversations.note"
    CONVERSATIONS_MANAGE = "conversations.manage"
    CONVERSATIONS_ASSIGN_ANY = "conversations.assign_any"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    COMMERCE_READ = "commerce.read"
    COMMERCE_IMPORT = "commerce.import"
    USERS_READ = "users.read"
    USERS_MANAGE = "users.manage"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_READ = "audit.read"
    CHANNELS_MANAGE = "channels.manage"
    CANNED_REPLIES_MANAGE = "canned_replies.manage"
    KNOWLEDGE_MANAGE = "knowledge.manage"
    BOT_ANALYTICS = "bot.analytics"
    BOT_MANAGE = "bot.manage"
    SLA_MONITOR = "sla.monitor"
    SLA_MANAGE = "sla.manage"
    ROUTING_READ = "routing.read"
    ROUTING_MANAGE = "routing.manage"
    ANALYTICS_READ = "analytics.read"
    ANALYTICS_MANAGE = "analytics.manage"  # goals, report schedules, workforce plans


_AGENT = {
    Permission.CONVERSATIONS_READ,
    Permission.CONVERSATIONS_REPLY,
    Permission.CONVERSATIONS_NOTE,
    Permission.CONVERSATIONS_MANAGE,
    Permission.CUSTOMERS_READ,
    Permission.CUSTOMERS_WRITE,
    Permission.COMMERCE_READ,
}
_SUPERVISOR = _AGENT | {
    Permission.CONVERSATIONS_ASSIGN_ANY,
    Permission.USERS_READ,
    Permission.CANNED_REPLIES_MANAGE,
    Permission.KNOWLEDGE_MANAGE,
    Permission.BOT_ANALYTICS,
    Permission.SLA_MONITOR,
    Permission.ROUTING_READ,
    Permission.ANALYTICS_READ,
    Permission.ANALYTICS_MANAGE,
}
_ADMIN = _SUPERVISOR | {
    Permission.COMMERCE_IMPORT,
    Permission.USERS_MANAGE,
    Permission.TOKENS_MANAGE,
    Permission.AUDIT_READ,
    Permission.CHANNELS_MANAGE,
    Permission.BOT_MANAGE,
    Permission.SLA_MANAGE,
    Permission.ROUTING_MANAGE,
}

# Department staff (logistics, warehouse, tech) help on conversations with internal notes;
# they never write to the customer.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(_ADMIN),
    Role.ADMIN: frozenset(_ADMIN),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.AGENT: frozenset(_AGENT),
    Role.DEPARTMENT: frozenset(
        {
            Permission.CONVERSATIONS_READ,
            Permission.CONVERSATIONS_NOTE,
            Permission.CUSTOMERS_READ,
            Permission.COMMERCE_READ,
        }
    ),
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def can_grant(granter: Role, role: Role) -> bool:
    """Only an owner makes owners; admins manage every other role."""
    if granter is Role.OWNER:
        return True
    return granter is Role.ADMIN and role is not Role.OWNER
