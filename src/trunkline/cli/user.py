"""``trunkline user create|delete|passwd|list``: API users with salted password hashes."""

from __future__ import annotations

import click
from sqlalchemy.exc import IntegrityError

from trunkline.api import auth
from trunkline.cli.app import AppState, pass_state
from trunkline.db.engine import open_database, session_factory, session_scope
from trunkline.db.models import UserRole
from trunkline.errors import InputError

ROLES = [r.value for r in UserRole]


def _password(password: str | None) -> str:
    if password is not None:
        return password
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@click.group("user")
def user_group() -> None:
    """Manage the users allowed to vote and promote through the API."""


@user_group.command("create")
@click.argument("name")
@click.option("--password", "-p", default=None, help="Password (prompted if omitted).")
@click.option("--role", type=click.Choice(ROLES), default=UserRole.READ_WRITE.value)
@pass_state
def create_cmd(state: AppState, name: str, password: str | None, role: str) -> None:
    """Create user NAME."""
    sessions = session_factory(open_database(state.settings().database_url))
    with session_scope(sessions) as session:
        auth.create_user(session, name, _password(password), UserRole(role))
    click.echo(f"created user {name} ({role})")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password", "-p", default=None, help="New password (prompted if omitted).")
@pass_state
def passwd_cmd(state: AppState, name: str, password: str | None) -> None:
    """Change the password of user NAME."""
    sessions = session_factory(open_database(state.settings().database_url))
    with session_scope(sessions) as session:
        auth.set_password(session, name, _password(password))
    click.echo(f"changed password of {name}")


@user_group.command("delete")
@click.argument("name")
@pass_state
def delete_cmd(state: AppState, name: str) -> None:
    """Delete user NAME."""
    sessions = session_factory(open_database(state.settings().database_url))
    try:
        with session_scope(sessions) as session:
            auth.delete_user(session, name)
    except IntegrityError:
        raise InputError(
            f"user {name!r}: has recorded votes or promotions; change its password instead"
        ) from None
    click.echo(f"deleted user {name}")


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {username, role}.")
@pass_state
def list_cmd(state: AppState, as_json: bool) -> None:
    """List users and their roles."""
    sessions = session_factory(open_database(state.settings().database_url))
    with session_scope(sessions) as session:
        users = [(user.username, user.role.value) for user in auth.list_users(session)]
    if as_json:
        import json

        click.echo(json.dumps([{"username": n, "role": r} for n, r in users], indent=2))
        return
    for name, role in users:
        click.echo(f"{name}\t{role}")


def register(group: click.Group) -> None:
    """Add ``user`` to the root group."""
    group.add_command(user_group)
