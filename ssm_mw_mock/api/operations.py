"""Which operations the in-memory SSM implements: the maintenance-window operations and the tag calls.

What is read from botocore's SSM model is read on first use, not at import: loading the model costs more
than the rest of ``import ssm_mw_mock`` together, and a test session that imports us may never call.
"""

from __future__ import annotations

from functools import cache

from ..wire import shapes

#: The tag operations; the mock answers them only for ``ResourceType=MaintenanceWindow``.
TAG_OPERATIONS = frozenset({"AddTagsToResource", "RemoveTagsFromResource", "ListTagsForResource"})
#: The Run Command reads, answered for the commands windows sent (``api/commands.py``).
COMMAND_READS = frozenset({"ListCommands", "ListCommandInvocations", "GetCommandInvocation"})
#: The Automation reads, answered for the automation executions windows started (``api/automation.py``).
AUTOMATION_READS = frozenset({"GetAutomationExecution", "DescribeAutomationExecutions"})
#: Both groups: the reads of what windows ran.
RUN_READS = COMMAND_READS | AUTOMATION_READS
#: The request member of those reads that names one run (a command, an automation execution).
RUN_ID_MEMBERS: dict[str, str] = {
    "ListCommands": "CommandId",
    "ListCommandInvocations": "CommandId",
    "GetCommandInvocation": "CommandId",
    "GetAutomationExecution": "AutomationExecutionId",
}
#: The listings of those reads, with the member that holds their items.
RUN_LISTINGS: dict[str, str] = {
    "ListCommands": "Commands",
    "ListCommandInvocations": "CommandInvocations",
    "DescribeAutomationExecutions": "AutomationExecutionMetadataList",
}


@cache
def window_operations() -> frozenset[str]:
    """The maintenance-window operations of SSM's model (the tag operations aside)."""
    return frozenset(name for name in shapes.ssm_model().operation_names if "MaintenanceWindow" in name)


@cache
def taggable_types() -> frozenset[str]:
    """The resource types SSM's tag calls accept."""
    return frozenset(shapes.ssm_model().shape_for("ResourceTypeForTagging").enum)


@cache
def ssm_operations() -> frozenset[str]:
    """Every operation in SSM's model, served or not, to tell "not ours" from "no such operation"."""
    return frozenset(shapes.ssm_model().operation_names)


def served_operations() -> frozenset[str]:
    """Every operation the backend has a method for."""
    return window_operations() | TAG_OPERATIONS


@cache
def method_name(operation: str) -> str:
    """The backend method of an operation: its name in snake_case."""
    return shapes.attribute_name(operation)
