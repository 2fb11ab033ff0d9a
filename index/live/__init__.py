"""Serving while writing: the live index, its journal, and opening the served index."""
