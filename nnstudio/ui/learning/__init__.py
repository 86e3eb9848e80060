"""The learning tools: time travel through a run, the math inspector, training restarts."""
