"""SSM's error codes as Python exceptions.

One class per AWS error code, each carrying the message SSM would send. The backend raises them; the wire
layer turns them into SSM's JSON error envelope (HTTP 400, ``__type`` and ``message``), so boto3 raises an
ordinary ``ClientError`` whose ``Error.Code`` is the class's ``code``.

Misuse of the mock itself (a bad ``now=``, moving the clock backwards) raises plain Python errors instead.
"""

from __future__ import annotations


class SsmError(Exception):
    """An error SSM would answer with; ``code`` is the AWS error code."""

    code: str = "InternalServerError"
    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(SsmError):
    code = "ValidationException"


class DoesNotExistException(SsmError):
    code = "DoesNotExistException"


class IdempotentParameterMismatch(SsmError):
    code = "IdempotentParameterMismatch"


class ResourceLimitExceededException(SsmError):
    code = "ResourceLimitExceededException"


class TargetInUseException(SsmError):
    code = "TargetInUseException"


class FeatureNotAvailableException(SsmError):
    code = "FeatureNotAvailableException"


class InvalidResourceId(SsmError):
    code = "InvalidResourceId"


class InvalidResourceType(SsmError):
    code = "InvalidResourceType"


class TooManyTagsError(SsmError):
    code = "TooManyTagsError"


class TooManyUpdates(SsmError):
    code = "TooManyUpdates"


class InvalidNextToken(SsmError):
    code = "InvalidNextToken"


class UnsupportedOperation(SsmError):
    """A call the mock does not model; named so the user sees what was refused and why."""

    code = "UnsupportedOperation"


class InternalServerError(SsmError):
    code = "InternalServerError"
    status = 500


class SerializationException(SsmError):
    """The body did not deserialise into the operation's input: a JSON type the model does not allow."""

    code = "SerializationException"


class InvalidParameterException(SsmError):
    """The Resource Groups Tagging API's code for a bad request (``GetResources``)."""

    code = "InvalidParameterException"


# Run Command and Automation: the codes of the reads that answer for what windows ran.


class InvalidCommandId(SsmError):
    code = "InvalidCommandId"


class InvocationDoesNotExist(SsmError):
    code = "InvocationDoesNotExist"


class InvalidPluginName(SsmError):
    code = "InvalidPluginName"


class InvalidFilterKey(SsmError):
    code = "InvalidFilterKey"


class InvalidFilterValue(SsmError):
    code = "InvalidFilterValue"


class AutomationExecutionNotFoundException(SsmError):
    code = "AutomationExecutionNotFoundException"
