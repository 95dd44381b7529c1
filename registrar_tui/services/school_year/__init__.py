"""The school year: terms, course groups, rollover to the next term, waiting lists."""
