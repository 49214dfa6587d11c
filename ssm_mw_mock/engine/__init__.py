"""What moving the clock does: task plans and the simulation that turns schedules into executions."""
