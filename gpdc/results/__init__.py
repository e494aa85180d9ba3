"""Labelled results: the variable registry and the xarray Dataset builder."""
