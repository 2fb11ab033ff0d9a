"""Serving while writing: the live index, its journal, and opening the served index.

A :class:`~index.live.live.LiveIndex` holds one immutable snapshot (a
:class:`~index.search.browse.LoadedIndex`: the searcher and its browse views). Lookups take the
current snapshot and never wait for a write nor see half of one. Writes are serialised by one
lock; each builds a new snapshot beside the current one (copy on write), records the change in
the journal (:mod:`index.live.journal`) and then swaps the snapshot reference. A write is
acknowledged after both, so an acknowledged article is durable and searchable.

A write costs the write, not the corpus (:mod:`index.live.writes`): it analyses only the new
articles, embeds only texts never seen, regroups only the statements the new or deleted quotes
reach (:class:`~index.group.incremental.IncrementalGrouping`), and puts those statements, whole,
in a small *delta* beside the base folder (:mod:`index.live.segments`): units, vectors in an
exact flat FAISS index, ranking tables, and a tombstone for the base statement each replaces.
Lookups search both and merge the candidates before ranking, with the term statistics of the
whole current corpus, so they answer as one index over the same quotes.

A checkpoint is the merge: it folds the delta into a new base folder in the background
(assembling units, FAISS, terms and tables over the whole corpus, and recalibrating the no-match
threshold), without holding up lookups or writes; writes made meanwhile stay in the delta,
rebased on the new folder when it is swapped in.
:meth:`~index.live.live.LiveIndex.checkpoint_due` asks for one when the delta passes
``merge_rows`` unit rows, or after the journal rows or seconds the service configures.

Several writers (worker processes, replicas on a PostgreSQL journal) share one journal. Each
applies the others' rows (:meth:`~index.live.live.LiveIndex.follow`, and before each write),
records with the last row it has applied, and plans again when the journal says another writer
raced it. One worker per folder (:mod:`index.live.locks`) merges; the others adopt the folder it
writes.

Checkpoints write the current snapshot as an index folder
(:func:`index.store.folder.write_index`, atomic) with the last journal ``seq`` it holds in its
manifest. On start, the folder is loaded and the journal rows after that ``seq`` are replayed: a
crash at any moment leaves a loadable folder and loses nothing that was acknowledged.
"""
