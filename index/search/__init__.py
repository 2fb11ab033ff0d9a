"""Search: lookups and browsing over a loaded index.

searcher (lookups), ranking (dense + lexical scores), frame (reporting frames in queries),
claims (claimed speakers), calibrate (the no-match threshold), render (plain-text answers),
browse (records by id, lists and pages).
"""
