"""The manager tests use the notice tests' app (two managers, unthrottled broadcasts)."""

from tests.notices.conftest import h

__all__ = ["h"]
