"""The ranker's precomputed tables: which statement each unit belongs to, and which statements
use each content term.

:class:`~index.ranking.Ranker` needs two facts about the whole corpus for every lookup: the
rows (units) of a statement, and the statements that share a query's terms (its lexical
candidates, and the coverage of each candidate). Tokenising a million units for them takes
minutes and holds gigabytes of Python strings, so they are computed once, when the index is
built, as flat integer arrays, saved in the index folder and memory-mapped when it is opened:

- ``unit_group``: the statement (group) index of each unit row; groups are numbered in the
  order their first unit appears;
- ``group_start`` / ``group_rows``: the rows of group ``g`` are
  ``group_rows[group_start[g]:group_start[g + 1]]``, in row order (compressed sparse rows);
- ``term_start`` / ``postings``: the groups whose units offer vocabulary term ``t``
  (:func:`~index.lexical.document_terms`) are ``postings[term_start[t]:term_start[t + 1]]``,
  ascending;
- ``vocabulary``: the terms, in the order of their first use.

On disk this is one ``.npy`` file per array and one JSON file with the vocabulary and the
counts; :data:`FILES` names them all. :meth:`RankTables.load` checks them against each other
and against the unit count and refuses a mismatch with an
:class:`~index.errors.IndexFormatError`.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from index.errors import IndexFormatError
from index.store.units import Unit
from index.text import terms as lexical

if TYPE_CHECKING:
    from numpy.typing import NDArray

TABLES_VERSION = 1
UNIT_GROUP = "rank-unit-group.npy"
GROUP_START = "rank-group-start.npy"
GROUP_ROWS = "rank-group-rows.npy"
TERM_START = "rank-term-start.npy"
POSTINGS = "rank-postings.npy"
VOCABULARY = "rank-terms.json"
FILES: tuple[str, ...] = (UNIT_GROUP, GROUP_START, GROUP_ROWS, TERM_START, POSTINGS, VOCABULARY)


class _Header(msgspec.Struct, frozen=True, kw_only=True):
    """The JSON half of the tables: what the arrays must agree with, and the vocabulary."""

    version: int
    units: int
    groups: int
    postings: int
    terms: list[str]


class RankTables:
    """The group and postings tables of one list of units (see the module docstring).

    Read-only once made. The arrays may be memory-mapped files; only :attr:`term_index`
    (term → vocabulary index) is a Python object, one entry per distinct term.
    """

    def __init__(
        self,
        *,
        unit_group: NDArray[np.int32],
        group_start: NDArray[np.int64],
        group_rows: NDArray[np.int32],
        term_start: NDArray[np.int64],
        postings: NDArray[np.int32],
        vocabulary: Sequence[str],
    ) -> None:
        self.unit_group = unit_group
        self.group_start = group_start
        self.group_rows = group_rows
        self.term_start = term_start
        self.postings = postings
        self.vocabulary = tuple(vocabulary)
        self.term_index = {term: index for index, term in enumerate(self.vocabulary)}

    @property
    def n_units(self) -> int:
        return int(self.unit_group.shape[0])

    @property
    def n_groups(self) -> int:
        return int(self.group_start.shape[0]) - 1

    def rows(self, group: int) -> NDArray[np.int32]:
        """The unit rows of a group, in row order."""
        return self.group_rows[self.group_start[group] : self.group_start[group + 1]]

    def groups_with(self, term: str) -> NDArray[np.int32]:
        """The groups (ascending) whose units offer ``term``; empty for a term none offers."""
        index = self.term_index.get(term)
        if index is None:
            return self.postings[:0]
        return self.postings[self.term_start[index] : self.term_start[index + 1]]

    # ------------------------------------------------------------------------ building

    @classmethod
    def build(
        cls, units: Sequence[Unit], known: dict[str, tuple[str, ...]] | None = None
    ) -> RankTables:
        """The tables of ``units`` (row ``i`` is ``units[i]``).

        Each distinct text is tokenised once (the same quote in many outlets, or said many
        times, is common), or never when ``known`` has its terms (a cache kept across builds,
        filled here); the (group, term) pairs are collected in flat arrays and sorted into
        postings by numpy, so no per-group Python set is ever made.
        """
        groups: dict[str, int] = {}
        vocabulary: dict[str, int] = {}
        text_terms: dict[str, array[int]] = {}
        unit_group = array("i")
        pair_groups = array("i")
        pair_terms = array("i")
        for unit in units:
            group = groups.setdefault(unit.group_id, len(groups))
            unit_group.append(group)
            found = text_terms.get(unit.text)
            if found is None:
                terms = known.get(unit.text) if known is not None else None
                if terms is None:
                    terms = lexical.document_terms(unit.text)
                    if known is not None:
                        known[unit.text] = terms
                ids = {vocabulary.setdefault(term, len(vocabulary)): None for term in terms}
                found = array("i", ids)
                text_terms[unit.text] = found
            pair_groups.extend([group] * len(found))
            pair_terms.extend(found)
        return cls._assemble(
            unit_group=np.frombuffer(unit_group, dtype=np.int32).copy(),
            n_groups=len(groups),
            pair_groups=np.frombuffer(pair_groups, dtype=np.int32),
            pair_terms=np.frombuffer(pair_terms, dtype=np.int32),
            vocabulary=list(vocabulary),
        )

    @classmethod
    def _assemble(
        cls,
        *,
        unit_group: NDArray[np.int32],
        n_groups: int,
        pair_groups: NDArray[np.int32],
        pair_terms: NDArray[np.int32],
        vocabulary: list[str],
    ) -> RankTables:
        # One key per (term, group) pair, sorted and deduplicated: the postings in order.
        stride = max(n_groups, 1)
        keys = np.unique(pair_terms.astype(np.int64) * stride + pair_groups)
        postings = (keys % stride).astype(np.int32)
        term_counts = np.bincount(keys // stride, minlength=len(vocabulary))
        group_counts = np.bincount(unit_group, minlength=n_groups)
        return cls(
            unit_group=unit_group,
            group_start=_starts(group_counts),
            group_rows=np.argsort(unit_group, kind="stable").astype(np.int32),
            term_start=_starts(term_counts),
            postings=postings,
            vocabulary=vocabulary,
        )

    # ------------------------------------------------------------------------ on disk

    def save(self, folder: Path) -> None:
        """Write the tables into ``folder`` as the files :data:`FILES` names (no fsync)."""
        folder = Path(folder)
        arrays = {
            UNIT_GROUP: self.unit_group,
            GROUP_START: self.group_start,
            GROUP_ROWS: self.group_rows,
            TERM_START: self.term_start,
            POSTINGS: self.postings,
        }
        for name, values in arrays.items():
            np.save(folder / name, np.ascontiguousarray(values), allow_pickle=False)
        header = _Header(
            version=TABLES_VERSION,
            units=self.n_units,
            groups=self.n_groups,
            postings=int(self.postings.shape[0]),
            terms=list(self.vocabulary),
        )
        (folder / VOCABULARY).write_bytes(msgspec.json.encode(header))

    @classmethod
    def load(cls, folder: Path, *, n_units: int) -> RankTables:
        """The tables saved in ``folder``, memory-mapped and checked against ``n_units``.

        Every array's type, shape and value range is checked (vectorised, a few milliseconds
        at a million units), so a truncated, mixed-up or foreign file is refused here rather
        than giving wrong rows at lookup time.
        """
        folder = Path(folder)
        path = folder / VOCABULARY
        try:
            header = msgspec.json.decode(path.read_bytes(), type=_Header)
        except FileNotFoundError:
            raise IndexFormatError(
                f"index folder {folder} is incomplete: {VOCABULARY} is missing"
            ) from None
        except (OSError, msgspec.DecodeError) as exc:
            raise IndexFormatError(f"cannot read {path}: {exc}") from exc
        if header.version != TABLES_VERSION:
            raise IndexFormatError(
                f"{path} holds ranking tables of version {header.version}; this build reads "
                f"version {TABLES_VERSION}. Rebuild the index."
            )
        if header.units != n_units:
            raise IndexFormatError(
                f"{path} describes {header.units} units; the index has {n_units}. "
                "The ranking tables belong to another index."
            )
        groups, terms, pairs = header.groups, len(header.terms), header.postings
        unit_group = _load(folder, UNIT_GROUP, np.int32, n_units, (0, groups))
        group_start = _load(folder, GROUP_START, np.int64, groups + 1, (0, n_units + 1))
        group_rows = _load(folder, GROUP_ROWS, np.int32, n_units, (0, n_units))
        term_start = _load(folder, TERM_START, np.int64, terms + 1, (0, pairs + 1))
        postings = _load(folder, POSTINGS, np.int32, pairs, (0, groups))
        for name, starts, total in (
            (GROUP_START, group_start, n_units),
            (TERM_START, term_start, pairs),
        ):
            if starts[0] != 0 or starts[-1] != total or np.any(np.diff(starts) < 0):
                raise IndexFormatError(f"{folder / name} is not a valid table of row starts")
        # Each row once, grouped by group and in row order within one, as many as it has.
        order = unit_group[group_rows].astype(np.int64) * n_units + group_rows
        sizes = np.bincount(unit_group, minlength=groups)
        if np.any(np.diff(order) <= 0) or np.any(np.diff(group_start) != sizes):
            raise IndexFormatError(f"{folder / GROUP_ROWS} does not match {folder / UNIT_GROUP}")
        return cls(
            unit_group=unit_group,
            group_start=group_start,
            group_rows=group_rows,
            term_start=term_start,
            postings=postings,
            vocabulary=header.terms,
        )


def _starts(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts


def _load(
    folder: Path, name: str, dtype: type[np.generic], length: int, bounds: tuple[int, int]
) -> NDArray[Any]:
    """One saved array, memory-mapped: of ``dtype``, ``length`` long, values in ``bounds``."""
    path = folder / name
    try:
        values = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise IndexFormatError(f"index folder {folder} is incomplete: {name} is missing") from None
    except (OSError, ValueError, EOFError) as exc:
        raise IndexFormatError(f"cannot read {path}: {exc}") from exc
    if values.dtype != dtype or values.shape != (length,):
        raise IndexFormatError(
            f"{path} holds {values.dtype} of shape {values.shape}; the tables need "
            f"{np.dtype(dtype)} of shape ({length},)"
        )
    low, high = bounds
    if length and (int(values.min()) < low or int(values.max()) >= high):
        raise IndexFormatError(f"{path} has values outside [{low}, {high})")
    return np.asarray(values)
