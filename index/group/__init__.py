"""Grouping: the same statement across outlets, and how each wording differs.

words (what quotes are compared by), group (statements), diff (typed word differences).
"""
