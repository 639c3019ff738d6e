"""Errors a service raises when it refuses. Web views turn them into form errors or pages, the API into JSON
`{"detail": ...}` with the status below, the command line into a message and a non-zero exit."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(ServiceError):
    status = 422


class NotAllowed(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Busy(Conflict):
    """The same work is already under way (a fair allocation run): try again when it has finished."""

    status = 429
