"""Distributed builds: the one build's per-article and per-batch stages on a Ray cluster.

``ray`` is an optional extra (``pip install 'whosaid[ray]'``); it is imported only when a
build runs on it, so the single-process build and serving never load it.
"""
