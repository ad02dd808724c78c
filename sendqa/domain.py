"""What we know about area SEND reports, in one place: sections, outcomes, speakers, kinds.

ingest/ (facts), rag/ (plan, select, verify, render) and evals/ (metrics) all read this module, so the wording of
an outcome or a section title is written once.
"""

from __future__ import annotations

import re

KINDS = ("inspection report", "revisit letter", "council or NHS statement", "news article", "glossary", "other")
SPEAKERS = ("Ofsted/CQC", "council", "NHS", "council and NHS", "press", "politician", "glossary", "unknown")

# --- 2023-framework outcomes (Ofsted's area SEND framework and handbook) ---------------------------------------
OUTCOMES = ("positive", "inconsistent", "widespread and/or systemic failings")
# How each outcome is worded in a report's "Inspection outcome" section.
OUTCOME_IN_REPORT = {
    "widespread and/or systemic failings": re.compile(r"widespread and/or systemic failings", re.I),
    "inconsistent": re.compile(r"(?:lead|leading) to inconsistent experiences and outcomes", re.I),
    "positive": re.compile(r"typically (?:lead|leading) to positive experiences and outcomes", re.I),
}
# Any mention of an outcome, however loosely worded, in an answer sentence (verification and metrics).
OUTCOME_MENTION = {
    "positive": re.compile(r"\bpositive experiences and outcomes\b|\bpositive (?:inspection )?outcome\b", re.I),
    "inconsistent": re.compile(r"\binconsistent experiences and outcomes\b|\binconsistent (?:inspection )?outcome\b", re.I),
    "widespread and/or systemic failings": re.compile(r"\bwidespread and/or systemic failings\b|\b(?:widespread|systemic) failings?\b", re.I),
}
# How an outcome is named when sendqa states it (statistics rows, comparisons, briefings).
OUTCOME_WORDING = {
    "positive": "typically positive experiences and outcomes",
    "inconsistent": "inconsistent experiences and outcomes",
    "widespread and/or systemic failings": "widespread and/or systemic failings",
}
ANY_OUTCOME_PHRASE = re.compile(
    r"widespread and/or systemic failings|inconsistent experiences and outcomes|positive experiences and outcomes", re.I
)
# An Ofsted grade asserted of an area: area SEND inspections never give one.
GRADE_ASSERTED = re.compile(
    r"\b(rated|graded|judged|given|awarded|received|got|was|were|is|are|been|put into|placed in)\s+(?:an?\s+|as\s+)?"
    r"(inadequate|outstanding|requires improvement|special measures)\b", re.I
)

# --- report sections --------------------------------------------------------------------------------------------
SECTION_OUTCOME = "inspection outcome"
SECTION_EFFECTIVE = "what is the area partnership doing that is effective?"
SECTION_BETTER = "what does the area partnership need to do better?"
SECTION_PRIORITY = "areas for priority action"
SECTION_IMPROVEMENT = "areas for improvement"
SECTION_WEAKNESS = "areas of significant weakness"  # 2016-22 letters (WSoA)
# Who inspected, names with their roles: the team table, under its heading or under its header read as one
TEAM_SECTIONS = frozenset({"inspection team", "ofsted care quality commission"})
# The report's account of children's and families' experience, under the three wordings reports have used.
EXPERIENCE_SECTIONS = {f"what is it like to be a child or young person with {send} in this area?": 0.3 for send in (
    "send", "special educational needs and/or disabilities (send)", "special educational needs and/or disabilities")}

# Sections about the inspection itself (team, method, area facts): rarely what a question is about.
ADMIN_SECTIONS = {"information about this inspection", "information about the local area partnership",
                  "inspection team", "local area partnership details",  # who inspected; the leaders' names, addresses
                  "ofsted care quality commission"}  # the last: the back page (inspectors, licence, newsletter)
# Sections that answer "what must improve", in the order a report lists its actions.
ACTION_SECTIONS = {SECTION_PRIORITY: 0, SECTION_IMPROVEMENT: 1, SECTION_WEAKNESS: 2}
# Relevance boosts a section earns for each kind of question.
IMPROVE_SECTIONS = {SECTION_PRIORITY: 0.35, SECTION_IMPROVEMENT: 0.3, SECTION_BETTER: 0.12, SECTION_WEAKNESS: 0.3}
STRENGTH_SECTIONS = {SECTION_EFFECTIVE: 0.3}

# --- who is speaking --------------------------------------------------------------------------------------------
SPEAKER_LABELS = {
    "Ofsted/CQC": "Ofsted/CQC report",
    "official statistics": "official statistics",
    "glossary": "sendqa glossary",
    "press": "news article",
    "council": "council statement",
    "NHS": "NHS statement",
    "council and NHS": "council and NHS statement",
    "politician": "politician's statement",
}
# SEND acronyms and what reports write in full: a sentence may use either.
ACRONYMS = {
    "adhd": "attention deficit", "asd": "autis", "camhs": "mental health", "ehc": "education, health and care",
    "ehcp": "education, health and care", "salt": "speech and language", "sendiass": "information, advice and support",
    "iass": "information, advice and support", "icb": "integrated care board", "ap": "alternative provision",
    "dco": "designated clinical officer", "dmo": "designated medical officer", "neet": "not in education",
    "pfa": "preparation for adulthood", "semh": "social, emotional and mental health", "sen": "special educational",
    "senco": "special educational needs co", "gp": "general practi", "nhs": "health", "la": "local authority",
    "pcf": "parent carer forum", "slt": "speech and language", "ot": "occupational therap", "hmi": "inspector",
}
LANGUAGE_NAMES = {"en": "English", "it": "Italian", "fr": "French", "de": "German", "es": "Spanish", "pl": "Polish"}


def speaker_label(speaker: str) -> str:
    """'council and NHS statement', 'Ofsted/CQC report', ...: statements are never passed off as findings."""
    return SPEAKER_LABELS.get(speaker, "document")


def outcomes_mentioned(text: str) -> set[str]:
    """The 2023-framework outcomes a sentence states (any wording)."""
    return {label for label, pattern in OUTCOME_MENTION.items() if pattern.search(text)}


# Words that put a sentence on the subject of SEND (a page's furniture has none: "follow us on ...").
SEND_WORDS = re.compile(
    r"\b(send|sen|senco|special educational|special needs|disab\w*|ehc\w*|education,? health|plans?|inspect\w*|ofsted|cqc|"
    r"autis\w*|adhd|neuro\w*|school\w*|child\w*|young people|pupils?|council\w*|nhs|icb|partnership|wait\w*|assess\w*|"
    r"therap\w*|camhs|mental health|outcomes?|reports?|weakness\w*|improv\w*|priority|provision|exclu\w*|absen\w*|parents?|"
    r"carers?|families|family|transition\w*|health|local offer|tribunal|speech|language|educational psycholog\w*|"
    r"alternative provision|statement|strategy|leaders?|services?|support\w*|briefing|findings|revisit|progress|"
    r"diagnos\w*|timel\w*|failings?|systemic|widespread|inconsistent|co-?production|annual reviews?|preparation for adulthood|social care|waiting)\b",
    re.I,
)
