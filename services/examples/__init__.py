"""Short, runnable examples for the bureaus' own systems."""
