"""The school year: terms, course groups, their waiting lists."""
