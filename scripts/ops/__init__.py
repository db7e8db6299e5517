"""Operator tools run against a stage (local or deployed)."""
