"""A demo shop's people: teams, the owner, admin, supervisors, agents of every tier, departments."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from kefu.accounts.permissions import Department, Role, Tier
from kefu.demo.context import Build
from kefu.demo.names import ENGLISH_NAMES, unique_people
from kefu.demo.shops import TEAMS, ShopSpec

# The first three agents are one of each tier, so every tier has a login to try.
_TIER_CYCLE = (Tier.JUNIOR, Tier.SENIOR, Tier.EXPERT)
_TIER_WEIGHTS = {Tier.JUNIOR: 5, Tier.SENIOR: 4, Tier.EXPERT: 2}


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    english_name: str
    email: str
    role: Role
    tier: Tier | None = None
    department: Department | None = None
    team: str | None = None


@dataclass(slots=True)
class Staff:
    team_ids: dict[str, int]
    members: list[Member]
    agents_by_team: dict[str, list[Member]] = field(default_factory=dict)
    departments: dict[str, Member] = field(default_factory=dict)
    # The routing queue each team serves first (kefu.demo.routing).
    queue_by_team: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Seat:
    local: str
    role: Role
    tier: Tier | None = None
    department: Department | None = None
    team: str | None = None


def _seats(rng: random.Random, spec: ShopSpec) -> list[_Seat]:
    seats = [
        _Seat("owner", Role.OWNER),
        _Seat("admin", Role.ADMIN),
        _Seat("supervisor", Role.SUPERVISOR, team=TEAMS[0]),
        _Seat("supervisor2", Role.SUPERVISOR, team=TEAMS[1]),
    ]
    for n in range(1, spec.agents + 1):
        tier = (
            _TIER_CYCLE[n - 1]
            if n <= len(_TIER_CYCLE)
            else rng.choices(list(_TIER_WEIGHTS), weights=list(_TIER_WEIGHTS.values()))[0]
        )
        seats.append(_Seat(f"agent{n}", Role.AGENT, tier=tier, team=_team_for(rng, tier)))
    for department in Department:
        seats.append(_Seat(department.value, Role.DEPARTMENT, department=department))
    return seats


def _team_for(rng: random.Random, tier: Tier) -> str:
    """Complaints go to experienced agents; everyone else splits between pre- and after-sales."""
    if tier is Tier.EXPERT and rng.random() < 0.7:
        return TEAMS[2]
    return TEAMS[0] if rng.random() < 0.48 else TEAMS[1]


def build_staff(build: Build, *, password_hash: str) -> Staff:
    """Teams and users; every user's login is ``<seat>@<slug>.demo`` with the demo password."""
    rng, spec = build.rng("staff"), build.spec
    team_ids = {name: build.ids.take("teams") for name in TEAMS}
    for name, team_id in team_ids.items():
        build.rows.add("teams", {"id": team_id, "shop_id": build.shop_id, "name": name})
    seats = _seats(rng, spec)
    people = unique_people(rng, len(seats))
    english = rng.sample(ENGLISH_NAMES, min(len(ENGLISH_NAMES), len(seats)))
    staff = Staff(team_ids=team_ids, members=[])
    for index, (seat, person) in enumerate(zip(seats, people, strict=True)):
        member = Member(
            id=build.ids.take("users"),
            name=person.name,
            english_name=english[index % len(english)],
            email=f"{seat.local}@{spec.email_domain}",
            role=seat.role,
            tier=seat.tier,
            department=seat.department,
            team=seat.team,
        )
        staff.members.append(member)
        row = _user_row(rng, build, member, team_ids[member.team] if member.team else None)
        build.rows.add("users", {**row, "password_hash": password_hash})
        if member.role is Role.AGENT and member.team is not None:
            staff.agents_by_team.setdefault(member.team, []).append(member)
        if member.department is not None:
            staff.departments[member.department.value] = member
    _cover_every_team(staff)
    return staff


def _cover_every_team(staff: Staff) -> None:
    """A team nobody landed in borrows the after-sales agents, so every topic finds someone."""
    for team in TEAMS:
        if not staff.agents_by_team.get(team):
            staff.agents_by_team[team] = [
                m for members in staff.agents_by_team.values() for m in members
            ]


def _user_row(
    rng: random.Random, build: Build, member: Member, team_id: int | None
) -> dict[str, object]:
    now = build.now
    created = now - timedelta(days=rng.randint(100, 700), seconds=rng.randrange(86400))
    return {
        "id": member.id,
        "shop_id": build.shop_id,
        "email": member.email,
        "name": member.name,
        "role": member.role.value,
        "tier": member.tier.value if member.tier else None,
        "department": member.department.value if member.department else None,
        "team_id": team_id,
        "locale": "zh",
        "is_active": True,
        "created_at": created,
        "last_login_at": now - timedelta(minutes=rng.randint(5, 3 * 24 * 60)),
    }
