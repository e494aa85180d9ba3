"""Scenario definition for gpdc: inputs, validation and the reference data tables."""
