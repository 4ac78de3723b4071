"""Every engine error maps to a 4xx, in one table."""

from __future__ import annotations

import inspect

import pytest

from nbvc.core import errors
from nbvc.server.errors import ApiError, from_engine, hide_root, status_of

ENGINE_ERRORS = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.NbvcError)
]


@pytest.mark.parametrize("cls", ENGINE_ERRORS, ids=lambda c: c.__name__)
def test_every_engine_error_is_a_4xx(cls: type[errors.NbvcError]) -> None:
    assert 400 <= status_of(cls.__new__(cls)) < 500  # the class decides, not its arguments


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (errors.NotARepoError, 404),
        (errors.NotTrackedError, 404),
        (errors.RefError, 404),
        (errors.PathError, 400),
        (errors.OverlapError, 409),
        (errors.UnsavedChangesError, 409),
        (errors.MissingObjectError, 409),
        (errors.NbvcError, 400),
    ],
)
def test_status_of(cls: type[errors.NbvcError], status: int) -> None:
    assert status_of(cls("x")) == status


def test_from_engine_hides_the_server_root() -> None:
    error = from_engine(errors.PathError("/srv/root/proj/x does not exist"), "/srv/root")
    assert isinstance(error, ApiError)
    assert (error.status_code, error.message) == (400, "proj/x does not exist")


def test_hide_root_names_the_root_itself_as_dot() -> None:
    assert hide_root("/srv/root is not a repo", "/srv/root") == ". is not a repo"
