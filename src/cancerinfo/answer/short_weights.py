"""The short answer's limits and weights (:mod:`cancerinfo.answer.short_answer`): how many
candidate windows are read, and how the search's rank, the evidence's page order, the words
held and the encoder's closeness are weighed."""

#: Candidate windows (1-3 consecutive sentences) embedded per question, best lexical first.
SHORT_CANDIDATES = 8
#: ... of which these many always, the others only within this lexical score of the best
SHORT_CANDIDATES_MIN = 5
#: The search hits whose sections the short answer is chosen from.
SHORT_HITS = 8
#: ... or, when none of them holds a quotable window, the sections of these many evidence pages
SHORT_FALLBACK_PAGES = 3
#: Sections of a named drug's class pages (drug_classes.py) nearest to the question that are
#: short-answer candidates besides the search's hits (ranked after them: the search may not reach them).
SHORT_CLASS_SECTIONS = 2
SHORT_CANDIDATES_REACH = 0.3
#: ... and at most these many of one page section
SHORT_PER_SECTION = 3
#: Sections closer to the question read besides, at most (one encoder run each): _closer_sections
SHORT_CLOSER_SECTIONS = 2
#: weights of the search's chunk rank, the evidence's page rank and the words-and-rank score
#: against the encoder's cosine when the short answer is chosen
SHORT_RANK_PRIOR = 0.2
SHORT_PAGE_PRIOR = 0.1
SHORT_LEXICAL_WEIGHT = 0.5
SHORT_SECTION_WEIGHT = 0.8
#: ... and what a window of a page on one cancer loses for a question on living with cancer
#: when the page's title does not name the asked part (:meth:`_ShortAnswers._context_page`)
SHORT_CONTEXT_PAGE_PENALTY = 0.3
#: A window longer than this (words) is cut back (a short answer reads in seconds).
SHORT_MAX_WORDS = 70
