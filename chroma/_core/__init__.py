"""Internal foundations shared by every room: validation, registries, the step base, the thread policy."""
