"""SSM's operations: one module per group, a method per operation named after it in snake_case."""
