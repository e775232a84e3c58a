"""Internal foundations shared by every room.

Validation, registries, the step base and the thread policy.
"""
