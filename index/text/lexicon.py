"""Word lists of English news conventions: reporting verbs, titles, role nouns.

They describe how English news attributes speech in general; nothing here names a person,
an outlet or a phrase of any particular article.
"""

from __future__ import annotations

# Lemmas of verbs that report speech, writing or a stated position.
SPEECH_VERBS = frozenset(
    """
    say tell add note insist declare state predict affirm praise warn write claim argue
    explain announce assure reassure promise pledge vow urge believe think stress emphasise
    emphasize reiterate remark comment observe report reply respond answer ask admit
    acknowledge confirm deny accuse allege complain concede contend maintain point recall
    reveal tweet post criticise criticize condemn welcome hail describe dub label brand term
    characterise characterize estimate forecast hope conclude continue agree mention repeat
    testify speak shout cry whisper joke quip boast caution threaten demand propose
    recommend advise assert proclaim pronounce signal indicate express voice suggest call
    tout lament denounce slam blast decry question wonder recount describe highlight
    underline underscore acknowledge concur retort counter protest plead appeal announce
    calculate project summarise summarize quote cite put
    """.split()
)

# Reporting verbs that are more often something else: they report speech only with no object
# ("he continued", "she maintained that …"), not in "continue to grow", "maintain support".
SPEECH_ONLY_ALONE = frozenset(
    {"continue", "maintain", "put", "express", "voice", "post", "point", "add"}
)

# Honorifics and titles that precede a name and are not part of it.
HONORIFICS = frozenset(
    """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sir dame lord lady rev rev. fr fr.
    president premier prime minister chancellor secretary general gen gen. senator sen sen.
    rep rep. governor gov gov. mayor judge justice king queen prince princess pope sheikh
    ambassador envoy spokesman spokeswoman spokesperson chairman chairwoman chair ceo deputy
    vice foreign defence defense finance interior state chief head director emir crown
    minister-president lt lt. lieut cdr cdr. col col. capt capt. maj maj. sgt sgt. cpl cpl.
    adm adm. brig brig. cmdr cmdr. insp insp. det det. supt supt. lieutenant commander colonel
    captain major sergeant corporal admiral brigadier commodore inspector superintendent
    detective constable officer
    """.split()
)

# Nouns for a business that "the company" and the like refer back to.
BUSINESS_NOUNS = frozenset(
    """
    company firm carmaker automaker group operator manufacturer airline bank retailer lender
    insurer maker producer conglomerate startup start-up business employer supplier
    """.split()
)

# Common nouns for bodies that speak as one: "the ministry said", "the campaign said". A
# description headed by another common noun ("the decision", "a fact", "her plan") is no
# speaker.
BODY_NOUNS = frozenset(
    """
    ministry department agency government administration council committee commission court
    campaign party union association authority authorities board office embassy police army
    military navy force forces regime cabinet parliament congress senate house assembly
    institute foundation university school hospital church team club league federation
    organisation organization network newspaper paper magazine channel station website site
    outlet service bureau coalition alliance group family prosecutors prosecution defense
    defence regulator watchdog city county state country nation
    """.split()
)

# Nouns for what an organisation issues: "a statement from X" speaks for X.
DOCUMENT_NOUNS = frozenset(
    """
    statement report readout release letter filing post communique communiqué notice
    announcement memo note bulletin document declaration resolution
    """.split()
)

# Nouns naming a person by role: "the Chinese president", "a senior official".
PERSON_ROLES = frozenset(
    """
    president premier minister chancellor secretary spokesman spokeswoman spokesperson
    official leader ambassador envoy governor mayor senator lawmaker legislator mp chief
    head director chairman chairwoman chair ceo founder king queen prince princess pope
    general commander analyst expert economist professor researcher fellow diplomat
    negotiator adviser advisor aide figure executive manager judge prosecutor lawyer
    attorney candidate representative deputy counsellor counselor coach captain player boss
    owner activist campaigner scientist doctor president-elect emir monarch ruler strongman
    premier-elect politician spokesperson
    """.split()
)

# Role nouns too vague to require a matching title ("the Russian official" needs only "Russian").
GENERIC_ROLES = frozenset({"official", "figure", "leader", "politician", "aide", "source"})

# Plural nouns for groups of unnamed people: "analysts say", "officials said".
UNNAMED_GROUPS = frozenset(
    """
    analysts experts officials sources observers critics economists diplomats residents
    witnesses people investors traders scientists researchers activists campaigners
    lawmakers legislators commentators insiders aides
    """.split()
)

PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})

# Nouns of saying: "his attacks on the 'fake news'", "her call for a 'ceasefire'".
SPEECH_NOUNS = frozenset(
    """
    attack attacks call calls criticism remark remarks comment comments words statement
    description warning warnings claim claims demand demands appeal plea promise pledge
    description characterisation characterization description rhetoric speech
    """.split()
)
