"""The state SSM keeps: windows, targets and tasks, execution history, inventory, per-region stores."""
