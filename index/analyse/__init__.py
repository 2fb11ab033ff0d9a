"""Analysis: every quoted span of an article, its cue and its canonical speaker.

The only package that uses spaCy: extract (quotation marks), mentions (entities), cues
(reporting verbs), referents (who a cue names), attribute (the driver), speakers (canonical
speakers across articles) and pipeline (all of it over a set of articles).
"""
