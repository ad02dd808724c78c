"""What a question is asking for, and whether it should be answered at all."""

from __future__ import annotations

import re
from dataclasses import dataclass

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|instructions|source|sources|report|reports|document|documents|context|rules|evidence|above|previous)\b"
    r"|\byou are now\b|\bpretend (to be|you)\b|\bact as\b|^\s*(system|assistant)\s*:|\bjailbreak\b|\bdeveloper mode\b"
    r"|\b(just|simply) (say|tell me|answer|reply|write)\b.{0,60}\b(rated|outstanding|inadequate|passed|failed|good)\b"
    r"|\bsay (that|it)\b.{0,80}\b(rated|outstanding|inadequate|passed|failed)\b",
    re.I | re.S,
)
# Ofsted grades that area SEND inspections (2023 framework) never give, and other false premises. "Inadequate" and
# "outstanding" only make a premise when they stand as a grade of an area or its services ("rated inadequate", "was
# Bury outstanding?", "an inadequate rating", "Surrey is outstanding"), not as ordinary adjectives ("outstanding
# actions", "reviews are outstanding or late", "why is support inadequate").
_GRADE = r"(?:inadequate|outstanding)"
_GRADE_NOUNS = r"(?:rating|grade|judge?ment|result|outcome|verdict|score|label|status|report|inspection)s?"
_NAME = r"(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+))*"  # a capitalised name: "Bury", "Stoke-on-Trent"
_SUBJECT = rf"(?:{_NAME}|it|they|the council|the area|the partnership|send|send services)(?:'s\s+send(?:\s+services)?)?"
_FALSE_GRADE = re.compile(
    rf"\b(?:rated|graded|judged|deemed|given|awarded|receiv\w*|got|gets?|getting|earned|as)\s+(?:(?:an?|the)\s+)?"
    rf"(?:(?:ofsted|send|overall)\s+)?{_GRADE}\b"
    rf"|\b{_GRADE}\s+{_GRADE_NOUNS}\b"
    rf"|\b{_SUBJECT}\s+(?:is|are|was|were|has been|have been)\s+(?:now\s+|still\s+)?{_GRADE}\b"
    rf"|^\s*(?:is|was|were|are)\s+{_SUBJECT}\s+(?:rated\s+)?{_GRADE}\b"
    r"|\b(?:requires improvement|special measures)\b"
    r"|\b(?:rated|graded|judged) (?:as )?(?:good|poor|excellent)\b"
    r"|\b(?:clos\w*|shut\w*)\b(?:\s+\S+){0,3}\s+send\b|\bfined\b|\bofsted fine\b",
    re.I,
)
# Words that put a question (or a sentence) on the subject of SEND.
DOMAIN = re.compile(
    r"\b(send|sen|senco|special educational|special needs|disab\w*|ehc\w*|education,? health|plans?|inspect\w*|ofsted|cqc|"
    r"autis\w*|adhd|neuro\w*|school\w*|child\w*|young people|pupils?|council\w*|nhs|icb|partnership|wait\w*|assess\w*|"
    r"therap\w*|camhs|mental health|outcomes?|reports?|weakness\w*|improv\w*|priority|provision|exclu\w*|absen\w*|parents?|"
    r"carers?|families|family|transition\w*|health|local offer|tribunal|speech|language|educational psycholog\w*|"
    r"alternative provision|statement|strategy|leaders?|services?|support\w*|briefing|findings|revisit|progress|"
    r"diagnos\w*|timel\w*|failings?|systemic|widespread|inconsistent|co-?production|annual reviews?|preparation for adulthood|social care|waiting)\b",
    re.I,
)

# "Has Hull got better since its last inspection?", "how has Bury changed since 2019": answered by the outcome now
# and the history of earlier inspections (rag.stat_answers reads it too).
PROGRESS = re.compile(r"(?:since|compared (?:to|with)) (?:the |its |their |her |his )?(?:last|previous|first|earlier|"
                      r"20[12]\d)(?: (?:inspection|visit|report|time|one))?|(?:got|gotten|getting) (?:any )?better|"
                      r"(?:improved|progress\w*|changed) since", re.I)

INTENTS = ("experience", "outcome", "improve", "strengths", "briefing", "definition", "general")
_INTENT_PATTERNS = (
    # "What is it like for children with SEND in Oldham?": the report's own section on children's experience.
    ("experience", re.compile(r"\b(what(?:'s|s| is| was| are)? (?:it |life |things )?like|"
                              r"(?:children|kids|young people|famil(?:y|ies)|pupils)(?:['’]s?)? (?:lived )?experiences?|"
                              r"how (?:do|does|are) (?:children|kids|young people|families|parents|pupils)\b.{0,30}"
                              r"\b(?:find|feel|get on|cope|fare|experience)|day[- ]to[- ]day|everyday life)\b", re.I)),
    ("briefing", re.compile(r"\b(brief\w*|summar\w*|overview|key points|tell me about|what happened|"
                            r"(?:main|key|headline|overall) (?:findings|points|messages)|"
                            r"what (?:are|were) the (?:inspection |report(?:'s)? )?findings)\b", re.I)),
    ("outcome", re.compile(r"\b(outcomes? of|results?|rated|rating|verdict|judge?ment|grade|how did .{1,60} (do|go|get on)|"
                           r"(better|worse) (result|outcome|inspection|report|rating|off)|which .{0,60}(better|worse)|pass|fail\w*|overall|conclu\w*|systemic|inconsistent|how good|good or bad|"
                           r"(get\w*|got|receiv\w*) a good|any good(?! practice)|how (is|are) .{1,40} doing|(same|different|their|its) (outcome|result)s?|(what|how) (was|is|were) the (outcome|result|verdict)|the outcome(?! for)|come out|how .{0,20}(inspection|report) (go|went)|went|when was .{1,60}inspected|"
                           r"inspection (dates?|outcome)|previous inspection|next inspection|last inspected|"
                           # progress since the last inspection: the outcome then and now ("has Hull got better?")
                           rf"{PROGRESS.pattern})\b", re.I)),
    ("improve", re.compile(r"\b(improve\w*|weakness\w*|do better|get better|work on|change|priority actions?|fix|sort out|recommend\w*|need to|"
                           r"needs to|must|should|concerns?|problems?|wrong|shortcomings|remain\w*|"
                           # how parents put it: "what's bad about SEND in Surrey?", "any issues?", "where are the gaps?"
                           r"bad|badly|poor\w*|weak|worst|issues|any issue|gaps?|lack\w*|struggl\w*|criticis\w*|risks?|challenges|"
                           r"(?:not|isn['’]?t|aren['’]?t) (?:good|great|working|enough|going well|going right|right))\b", re.I)),
    ("strengths", re.compile(r"\b(strengths?|working well|doing well|effective|good practice|praised?|positives?|well|"
                             r"good (?:about|things|news|bits)|what(?:['’]?s| is| are) good|going (?:well|right)|"
                             r"strong\w*|best (?:things|bits)|work(?:s|ing)? for)\b", re.I)),
)
_DATES = re.compile(r"\b(when|what date|dates?|previous(ly)?|before that|last inspected|next inspect\w*|again)\b", re.I)
_OFF_TOPIC = re.compile(r"\b(weather|forecast|football|fc|match|score|recipe|cook\w*|film|movie|stocks?|shares?|"
                        r"price|capital of|poem|joke|song|lottery|horoscope|traffic|train times)\b", re.I)
# A person's name is asked for ("who is the director?"); the name of a forum or service is an ordinary question.
_NEEDS_NAME = re.compile(r"\b(who is|who's|who are|who was|who were|who leads|who runs|who heads)\b", re.I)
# The name of a thing (a forum, service, school): the evidence must contain a proper name.
_NAMES_THING = re.compile(r"\b(name of|names of|named|what(?:'s| is| are)? (?:it|they|the \w+(?: \w+){0,3}) called|called\??$)", re.I)
# "What is an EHC plan?", "what does SENDIASS mean", "define co-production": a term, not a local area's story.
_DEFINITION = re.compile(r"^\s*(?:(?:what(?:'s| is| are)|whats|define|meaning of|explain)\s+(?:an?\s+|the\s+)?"
                         r"(?P<term>[\w&/()' -]{2,40}?)(?:\s+(?:mean|stand for|stands for))?\s*\??\s*$|"
                         r"what\s+(?:does|do)\s+(?:an?\s+|the\s+)?(?P<term2>[\w&/()' -]{2,40}?)\s+"
                         r"(?:mean|stand for|stands for)\s*\??\s*$)", re.I)
# "What are they doing about it?" asks about something said before, not for the meaning of "they doing about it".
_NOT_A_TERM = re.compile(r"\b(?:it|they|them|their|this|that|these|those|we|you|he|she|doing|happening|going|done|"
                         r"said|say|says|think|thinks|found|find)\b", re.I)
_SPEAKER_HINT = re.compile(r"\b(council|nhs|councillors?|cllr|statement|said|says|say|respon\w*|press|news|article|"
                           r"accept\w*|claims?|according to (the )?(council|nhs|leader))\b", re.I)
_INSPECTORS = re.compile(r"\b(inspectors?|ofsted|cqc|inspection report|the report)\b", re.I)
# Questions only a figure can answer (a duration or rate may also be answered in words: "unacceptably long").
_NEEDS_NUMBER = re.compile(r"\b(how many|how much|what (?:number|percentage|proportion|share)|what per ?cent|"
                           r"by how much|percent\w*|"
                           r"budget|cost|spend|spent|£)\b", re.I)


@dataclass
class QuestionCheck:
    refuse: str | None = None  # a reason to refuse outright
    false_premise: bool = False
    intent: str = "general"
    needs_number: bool = False
    asks_dates: bool = False
    speaker_hint: bool = False  # the question asks what a council, the NHS or the press said
    needs_name: bool = False
    term: str | None = None  # the term a definitional question asks about
    names_thing: bool = False  # the question asks what something is called
    wants_statements: bool = False  # what the council, NHS or press said, not what the inspectors found
    asks_inspectors: bool = False  # "what did inspectors / Ofsted say": the report itself, before press accounts of it
    findings_about: str | None = None  # "what did inspectors find about X": the X (read as a briefing when no X)
    intent_words: str = ""  # the words that gave the intent ("any issues", "needs to improve"), not its subject


def check_question(question: str, names_area: bool) -> QuestionCheck:
    """Classify a question; `refuse` is set for injections and off-topic questions."""
    check = QuestionCheck(intent=_intent(question), needs_number=bool(_NEEDS_NUMBER.search(question)),
                          asks_dates=bool(_DATES.search(question)), speaker_hint=bool(_SPEAKER_HINT.search(question)),
                          needs_name=bool(_NEEDS_NAME.search(question)), names_thing=bool(_NAMES_THING.search(question)))
    check.asks_inspectors = bool(_INSPECTORS.search(question))
    pattern = dict(_INTENT_PATTERNS).get(check.intent)
    check.intent_words = " ".join(m.group(0) for m in pattern.finditer(question)) if pattern else ""
    check.wants_statements = check.speaker_hint and not check.asks_inspectors
    if check.intent == "briefing" and (m := _FINDINGS_ABOUT.search(question)):
        check.findings_about = m.group("topic")
    if check.intent == "general" and not names_area and (m := _DEFINITION.match(question)) \
            and not _NOT_A_TERM.search(m.group("term") or m.group("term2")):
        check.intent, check.term = "definition", (m.group("term") or m.group("term2")).strip()
    if _INJECTION.search(question):
        check.refuse = "injection"
    elif _FALSE_GRADE.search(question):
        check.false_premise = True
    elif not DOMAIN.search(question) and (not names_area or _OFF_TOPIC.search(question)):
        check.refuse = "off-topic"
    return check


# "What did inspectors find in Bury?" asks for the report's main points, when nothing more specific is asked.
_FINDINGS_ABOUT = re.compile(r"\bwhat did .{0,30}\b(?:find|found|say|conclude|think)\s+(?:about|on|regarding|of)\s+"
                             r"(?P<topic>.+?)\s*\??$", re.I)
_FINDINGS = re.compile(r"\bwhat did (?:the )?(?:inspectors?|ofsted|cqc|inspection|report) (?:find|found|say|conclude|think)\b", re.I)


def _intent(question: str) -> str:
    for name, pattern in _INTENT_PATTERNS:
        if pattern.search(question):
            return name
    return "briefing" if _FINDINGS.search(question) else "general"
