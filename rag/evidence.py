"""Stage 3, evidence: retrieved chunks (plus the named areas' key sections) as scored sentences."""

from __future__ import annotations

import re
from itertools import takewhile

import numpy as np
from llama_index.core.schema import NodeWithScore

from rag.areas import area_key
from rag.doers import AREA_LEADERS, action_taken
from rag.handoffs import Context
from rag.index import CorpusIndex
from rag.understand.intent import QuestionCheck, section_weights
from rag.retrieve import to_evidence
from rag.section_lean import section_lean
from rag.understand.relevance import default_relevance
from rag.sentences import Sentence, ends_as_sentence, is_bullet, split_sentences
from sendqa.domain import (ACRONYMS, ADMIN_SECTIONS, ANY_OUTCOME_PHRASE, EXPERIENCE_SECTIONS, IMPROVE_SECTIONS,
                           SECTION_OUTCOME, SEND_WORDS, STRENGTH_SECTIONS)
from sendqa.safety import addressed_to_a_model
from sendqa.types import Evidence

_STOP = set("""a an the and or of in on at to for from by with about is are was were be been being do does did done has have had
what which who whom whose when where why how that this these those it its their there here than then so such any all
some many much more most can could should would will shall may might must i me my we our you your they them he she his her
tell give get show say said please area areas local send sen children child young people person inspection inspections report
reports ofsted cqc partnership partnerships council latest recent current now still any year years much long often
exactly really actually childs kid kids son sons daughter daughters""".split())


def content_terms(text: str, expand: bool = False) -> set[str]:
    """Stemmed content words; with expand, SEND acronyms also bring the words they stand for (CAMHS -> mental)."""
    tokens = _tokens(text)
    words = [t.replace("-", "") for t in tokens]
    if expand:
        words += [x for w in words if w in ACRONYMS for x in re.findall(r"[a-z]+", ACRONYMS[w])]
        # a hyphenated word also brings its parts: "child-centred" answers "child centred"
        words += [part for t in tokens if "-" in t for part in t.split("-")]
    return {_SYNONYMS.get(w, _stem(w)) for w in words if w not in _STOP and len(w) > 1}


def _tokens(text: str) -> list[str]:
    """Lower-case words, a hyphenated one kept whole; "waiting times" is one thing, a wait (its "times" would match
    "their time in education")."""
    return re.findall(r"[a-z0-9%£]+(?:-[a-z0-9%£]+)*", _WAIT_TIMES.sub("waiting", text.lower().replace("’", "'")))


def _words(text: str) -> list[str]:
    """Lower-case words, a hyphenated one written as one ("re-visit" is "revisit", "co-production" "coproduction")."""
    return [t.replace("-", "") for t in _tokens(text)]


_WAIT_TIMES = re.compile(r"\bwait(?:ing)? times?\b")
# Spellings of one idea that word overlap should treat as one ("EHCP" is an EHC plan, in any language).
_SYNONYMS = {"ehcp": "ehc", "ehcps": "ehc", "ehcs": "ehc", "camhs": "camh", "asd": "autism", "autistic": "autism",
             "salt": "speech", "paediatric": "paediatr", "pediatric": "paediatr"}


def _latin_d(word: str) -> str:
    """English's Latin alternation of a verb in -de and its noun or adjective in -sion / -sive (exclude, exclusion,
    exclusive; provide, provision; decide, decision) read as one stem, so "excluded" finds "exclusions"."""
    for ending in ("sions", "sion", "sive"):
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 4 and (stem[-1] in "aeiou" or stem[-2:] in ("en", "on")):
            return stem + "d"
    return word


def _stem(word: str) -> str:
    word = _latin_d(word)
    for suffix in ("ments", "ment", "nesses", "ness", "hood", "ings", "ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# Words that name the kind of source asked about ("what did the news article say"), not its subject.
_SOURCE_TERMS = frozenset(content_terms("article articles news newspaper newspapers paper papers press statement "
                                        "statements"))
_SPEAKER_TERMS = frozenset(content_terms("council councils councillor councillors cllr nhs icb leader leaders cabinet "
                                         "inspector inspectors ofsted cqc"))


ACTING_WEIGHT = 0.25  # what leaders plan, did or are doing, when that is asked
DURATION_WEIGHT = 0.1  # a stated length of time, when how long is asked (as a figure counts when one is asked)
STATEMENT_SPEAKERS = frozenset({"council", "NHS", "council and NHS"})
# A statement or article sentence's lean toward what must improve (or what works) counts as a report section does
LEAN_WEIGHT = 0.3
_NO_LEAN_SPEAKERS = frozenset({"Ofsted/CQC", "glossary", "official statistics"})
# A length of time as reports write it: "15 months", "up to 40 weeks", "around three years", "18-month"; an age
# ("over five years old", "a three-year-old") is not one.
DURATION = re.compile(r"\b(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|"
                      r"twenty|thirty|forty|fifty)[- ](?:weeks?|months?|years?|days?)\b(?![- ]old\b)", re.I)


def build_context(question: str, check: QuestionCheck, areas: list[str], evidence: list[Evidence],
                  index: CorpusIndex, phrases: tuple[str, ...] = ()) -> Context:
    """Sentences from the evidence (plus the named areas' key sections), each scored for relevance. phrases: the
    glossary's terms of several words (QA.glossary_phrases), each one concept where a question uses it."""
    context = Context(question=question, check=check, areas=areas)
    intent, needs_number, asks_dates = check.intent, check.needs_number, check.asks_dates
    chunks = {ev.chunk_id: ev for ev in evidence}

    def add_chunks(where: str, params: tuple, limit_per_doc: int | None = None) -> None:
        """The named areas' chunks under an SQL condition, whatever retrieval ranked."""
        in_areas = f"area IN ({', '.join('?' * len(areas))}) AND "
        for node in index.lexical.nodes(in_areas + where, (*areas, *params), limit_per_doc=limit_per_doc):
            chunks.setdefault(node.node_id, to_evidence(NodeWithScore(node=node, score=0.0)))

    if areas and intent in ("outcome", "improve", "strengths", "briefing", "experience"):
        # The sections that answer this kind of question.
        wanted = sorted(_sections_for(intent))
        add_chunks(f"(lower(section) IN ({', '.join('?' * len(wanted))}){' OR chunk_index = 0' if asks_dates else ''})",
                   tuple(wanted))
    if areas and check.wants_statements:
        # "What did the council / the article say?": their statements and articles (a short question about them may
        # share no words with them).
        add_chunks("speaker NOT IN ('Ofsted/CQC', 'glossary')", (), limit_per_doc=8)
    rank = {cid: i for i, cid in enumerate(ev.chunk_id for ev in evidence)}
    # A sentence addressed to a language model is never evidence: no backend reads it, no answer shows it.
    sentences: list[Sentence] = [s for ev in chunks.values() for s in split_sentences(ev)
                                 if not addressed_to_a_model(s.text)]
    if not sentences:
        return context
    q_vec = np.asarray(index.embed_model.encode([question], True)[0])
    s_vecs = index.sentence_vectors.encode([s.text for s in sentences])
    semantic = s_vecs @ q_vec
    floor = _SEMANTIC_FLOOR.get(index.settings.retrieval.embedding, 0.0)
    # Area names count in any spelling the gazetteer knows ("south glos"), not as the question's subject, and
    # hyphenated as their names are written ("Stoke-on-Trent" is one word)
    area_terms = ({w for a in areas for w in area_key(a).split()}
                  | {t for a in areas for t in content_terms(a, expand=True)})
    q_terms = {t for t in content_terms(question, expand=True) - area_terms - _SOURCE_TERMS
               if area_key(t) not in area_terms}
    if check.wants_statements or check.asks_inspectors:
        q_terms -= _SPEAKER_TERMS  # "what did the council / inspectors say": who speaks, not what about
    if check.term and (term_terms := q_terms & content_terms(check.term, expand=True)):
        q_terms = term_terms  # "what does SENDIASS mean?" is about SENDIASS, not "mean"
    context.subject_terms = frozenset(q_terms)
    context.topic_terms = frozenset(q_terms - content_terms(check.intent_words, expand=True))
    concepts = _concepts(question, q_terms, phrases)
    asked = [term for term, _ in concepts if " " in term]  # the glossary phrases among them
    weights = section_weights(check)
    relevance = default_relevance()
    standard = index.standard_sentences()
    # Multilingual embeddings score same-language pairs higher, so a translated document's sentences are also
    # judged against each other: the best Italian sentence for an English question can still win.
    by_language: dict[str, list[float]] = {}
    # "what has got better?" asks across both sides: a lean would push what remains over what improved
    leans = {} if "progress" in check.slots else _leans(index, sentences, s_vecs, weights)
    for sentence, sem in zip(sentences, semantic):
        by_language.setdefault(sentence.evidence.language, []).append(float(sem))
    for i, (sentence, sem) in enumerate(zip(sentences, semantic)):
        sid = f"s{i}"
        ev = sentence.evidence
        section = (ev.section or "").lower()
        lexical = _overlap(concepts, content_terms(sentence.text, expand=True) | _phrases_in(sentence.text, asked))
        sem_scaled = max(0.0, (float(sem) - floor) / (1.0 - floor))
        if ev.language == "en":
            score = 0.55 * sem_scaled + 0.45 * lexical
        elif areas:  # word overlap means little across languages: lean on the multilingual embedding
            low, high = min(by_language[ev.language]), max(by_language[ev.language])
            relative = (float(sem) - low) / (high - low) if high > low else 0.0
            score = 0.9 * sem_scaled * (0.5 + relative) + 0.45 * lexical
        else:  # no area named: the translation's best sentence is best only of a few retrieved, not of its document
            score = 0.55 * sem_scaled + 0.45 * lexical
        fragment = not ends_as_sentence(sentence.text)  # headlines and table fragments say little on their own
        # a page's furniture (the publisher's pitch, "follow us on ...") says nothing about SEND
        furniture = ev.speaker != "Ofsted/CQC" and ev.language == "en" and not SEND_WORDS.search(sentence.text)
        # as is the text most reports print word for word (outside their outcome, which is this area's finding)
        furniture = furniture or (ev.kind == "inspection report" and section != SECTION_OUTCOME
                                  and " ".join(sentence.text.split()) in standard)
        # who inspected and how, and the leaders' names: no finding, unless the method or a person is asked about
        admin = section in ADMIN_SECTIONS and "method" not in check.slots and not check.needs_name
        speaker_asked = 0.15 if check.wants_statements and ev.speaker != "Ofsted/CQC" else \
            0.1 if check.asks_inspectors and ev.speaker == "Ofsted/CQC" else 0.0
        sections = (weights["improve"] * IMPROVE_SECTIONS.get(section, 0.0)
                    + weights["strengths"] * STRENGTH_SECTIONS.get(section, 0.0)
                    + weights["experience"] * EXPERIENCE_SECTIONS.get(section, 0.0)
                    + LEAN_WEIGHT * (weights["improve"] - weights["strengths"]) * leans.get(i, 0.0))
        if weights["outcome"] and states_outcome(sentence):
            sections += weights["outcome"] * OUTCOME_STATEMENT_WEIGHT
        retrieved = 0.08 / (1 + rank[ev.chunk_id]) if ev.chunk_id in rank else 0.0
        figure = 0.1 if needs_number and re.search(r"\d", sentence.text) else 0.0
        acting = 0.0
        if check.asks_action:  # "what are they doing about it?": what is done, not what is owed
            taken, doer = action_taken(sentence.text)
            # the area's leaders acting, or a council or NHS statement saying what it does ("We will ...")
            if taken and (doer in AREA_LEADERS or (doer is None and ev.speaker in STATEMENT_SPEAKERS)):
                acting = ACTING_WEIGHT
                context.preferred.add(sid)
        if check.asks_duration and DURATION.search(sentence.text):  # "how long is the wait?": "up to 40 weeks"
            acting += DURATION_WEIGHT
            context.preferred.add(sid)
        score += (sections + retrieved + figure + speaker_asked + acting - 0.1 * fragment - 0.2 * furniture
                  - 0.2 * admin)
        context.features[sid] = (sem_scaled, lexical, min(score, 1.5), float(fragment), float(furniture), float(admin),
                                 speaker_asked, sections, retrieved, figure, float(ev.language == "en"),
                                 float(bool(areas) and ev.area in areas), float(not areas))
        context.sentences[sid] = sentence
        context.vectors[sid] = s_vecs[i]
        context.scores[sid] = round(min(score, 1.5), 4)
        context.lexical[sid] = round(lexical, 3)
        # a page's furniture or a headline is never evidence on the model's word alone (the hand-weighted score
        # can still rank a fragment strong: a list's lead-in ends with a colon)
        context.relevance[sid] = 0.0 if furniture or fragment else relevance.probability(context.features[sid])
        if _pin(context, sentence, intent, asks_dates, areas):
            context.pinned.append(sid)
    return context


def _leans(index: CorpusIndex, sentences: list[Sentence], vectors: np.ndarray,
           weights: dict[str, float]) -> dict[int, float]:
    """Where improve or strengths is asked (not both, as a briefing does): by position, the lean of each statement
    or article sentence, which no report section places (+1 reads as what must improve, -1 as what works)."""
    if abs(weights["improve"] - weights["strengths"]) < 0.05:
        return {}
    unplaced = [i for i, s in enumerate(sentences) if s.evidence.speaker not in _NO_LEAN_SPEAKERS]
    if not unplaced:
        return {}
    lean = dict(zip(unplaced, map(float, section_lean(index, vectors[unplaced]))))
    # A lead-in ("Two areas of weakness remain:") is shown with its items, so it leans as they do together.
    for i in unplaced:
        if sentences[i].text.rstrip().endswith(":"):
            items = list(takewhile(lambda j: sentences[j].evidence.chunk_id == sentences[i].evidence.chunk_id
                                   and is_bullet(sentences[j]), range(i + 1, len(sentences))))
            if items:
                lean[i] = float(np.mean([lean[j] for j in items]))
    return lean


def _concepts(question: str, q_terms: set[str], phrases: tuple[str, ...] = ()) -> list[tuple[str, frozenset[str]]]:
    """The question's subject words, each with the words an acronym stands for: "EHCP" is one thing asked about,
    found as "EHC" or as "education, health and care", not three words a sentence gets three matches for. A
    glossary term of several words the question uses ("local offer") is one thing too, found only whole (see
    _phrases_in): a sentence on the "mental health support offer" does not half-answer a question on the local
    offer."""
    # only a phrase with one content word ("local" says nothing alone, "offer" too little): one of several ("EHC
    # plan annual reviews") keeps its words as concepts, so a sentence on the "plans" and their "annual reviews"
    # still counts for each
    whole = {p for p in _phrases_in(question, phrases) if len(content_terms(p, expand=True)) == 1}
    inside = {t for phrase in whole for t in content_terms(phrase)}
    concepts: dict[str, frozenset[str]] = dict.fromkeys(whole, frozenset())
    for word in _words(question):
        term = _SYNONYMS.get(word, _stem(word))
        if term in q_terms and term not in concepts and term not in inside:
            concepts[term] = frozenset(content_terms(ACRONYMS[word])) if word in ACRONYMS else frozenset()
    return list(concepts.items())


def _phrases_in(text: str, phrases) -> set[str]:
    """Which of these phrases the text uses, whole words (a plural too), in lower case."""
    lower = " ".join(text.lower().replace("’", "'").split())
    return {p.lower() for p in phrases if re.search(rf"\b{re.escape(p.lower())}s?\b", lower)}


def _overlap(concepts: list[tuple[str, frozenset[str]]], sentence_terms: set[str]) -> float:
    """Share of the question's concepts a sentence has, by the word itself or every word it stands for."""
    if not concepts:
        return 0.0
    return sum(term in sentence_terms or bool(spelled and spelled <= sentence_terms)
               for term, spelled in concepts) / len(concepts)


def states_outcome(sentence: Sentence) -> bool:
    """A report's outcome statement: its outcome section's sentence that names one of the three outcomes."""
    section = (sentence.evidence.section or "").lower()
    return section == SECTION_OUTCOME and bool(ANY_OUTCOME_PHRASE.search(sentence.text))


def says_next_inspection(sentence: Sentence) -> bool:
    """A report's outcome-section sentence on its next (full or monitoring) inspection, not its outcome."""
    section = (sentence.evidence.section or "").lower()
    return section == SECTION_OUTCOME and "inspection" in sentence.text and not states_outcome(sentence)


def _pin(context: Context, sentence: Sentence, intent: str, asks_dates: bool, areas: list[str]) -> bool:
    """Outcome questions lead with the report's outcome statement (and its dates when asked)."""
    ev = sentence.evidence
    if intent not in ("outcome", "briefing") or ev.kind != "inspection report" or (areas and ev.area not in areas):
        return False
    section = (ev.section or "").lower()
    if section == SECTION_OUTCOME:
        pinned_here = [p for p in context.pinned if context.sentences[p].evidence.doc_id == ev.doc_id
                       and (context.sentences[p].evidence.section or "").lower() == SECTION_OUTCOME]
        if states_outcome(sentence):
            return True
        # The sentence after the outcome says when the next (monitoring) inspection comes.
        return intent == "outcome" and len(areas) == 1 and bool(pinned_here) and len(pinned_here) < 2 \
            and says_next_inspection(sentence)
    return asks_dates and intent == "outcome" and bool(_DATE_LINE.match(sentence.text))


_DATE_LINE = re.compile(r"(Inspection dates?|Dates? of previous inspection):", re.I)


def _sections_for(intent: str) -> set[str]:
    if intent == "improve":
        return set(IMPROVE_SECTIONS)
    if intent == "strengths":
        return set(STRENGTH_SECTIONS)
    if intent == "experience":
        return set(EXPERIENCE_SECTIONS)
    if intent == "briefing":
        return set(IMPROVE_SECTIONS) | set(STRENGTH_SECTIONS) | {SECTION_OUTCOME}
    return {SECTION_OUTCOME}


# What the outcome statement counts on the general path, times the router's probability that the outcome is asked
# (the weight of the report's priority actions for "what must improve", sendqa.domain.IMPROVE_SECTIONS).
OUTCOME_STATEMENT_WEIGHT = 0.35
# Cosine similarity below which an embedding model's scores mean "unrelated" (e5 scores sit high).
_SEMANTIC_FLOOR = {"e5-small": 0.72, "minilm": 0.1, "use-multilingual": 0.1}
