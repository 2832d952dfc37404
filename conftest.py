"""Repository-wide pytest plugins; app fixtures live in tropa/conftest.py."""

pytest_plugins = ["tropa.testing.browser", "tropa.testing.seizure"]
