"""Shared fixtures. Each emulator fixture starts a real process (or an
in-process server) once per test session and stops it at the end."""

pytest_plugins = [
    "tests.fixtures.auth_emulator",
    "tests.fixtures.firestore_emulator",
    "tests.fixtures.storage_emulator",
    "tests.fixtures.app",
]
