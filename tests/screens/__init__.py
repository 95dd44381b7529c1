"""Pilot tests, one package per room of `registrar_tui/screens/` (session, counter, payment,
student, desk, activities, widgets).

At this top level: the app as a whole and what crosses the rooms (hostile input on every
display path, the long session's memory, counter speed), and what every room uses
(`conftest` SQLite only, `helpers`, the shared world `fixtures`, `lock_fixtures`).
"""
