"""Word helpers every stage shares: folding, spelling keys, terms and their weights, alignment.

- :mod:`index.text.normalise`: the one table that folds curly quotes and apostrophes, and
  the word tokens of a text;
- :mod:`index.text.spelling`: the key two spellings of one word share (British/American,
  hyphens);
- :mod:`index.text.terms`: stems, content terms and their IDF weights;
- :mod:`index.text.align`: word alignment within a bounded window, containment, name swaps;
- :mod:`index.text.lexicon`: the word lists of English news conventions.
"""
