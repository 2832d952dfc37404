"""Test helpers shared across apps (not imported by the running application)."""
