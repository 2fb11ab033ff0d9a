"""Storage: the index folder on disk.

manifest (what built it and what it holds), ann (the only faiss importer), folder (atomic
writes and checked loads), tables (ranking tables), units (the text spans behind vectors).
"""
