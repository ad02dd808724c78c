"""Stage 4, select: which evidence sentences answer the question, in what order, or why nothing does.

Every backend gets the same selection: the extractive backend shows it verbatim, an LLM backend rewrites it.
"""

from __future__ import annotations

import re

from rag.evidence import content_terms, says_next_inspection, states_outcome
from rag.understand.relevance import default_relevance
from rag.handoffs import Context, Selection
from rag.sentences import Sentence, ends_as_sentence, is_bullet
from sendqa.domain import ACTION_SECTIONS, SECTION_EFFECTIVE, TEAM_SECTIONS
from sendqa.settings import Settings

# Figures may be written in words in reports ("three", "half of", "a quarter").
# A year ("appointed in 2021", "2022/23") dates what a sentence says: it is no figure answering "how much".
NUMBERISH = re.compile(r"(?<![\d./])(?!(?:19|20)\d\d(?:/\d\d)?(?!\d))\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                       r"sixty|seventy|eighty|ninety|hundred|thousand|half|third|quarter|dozen|per cent|percent)\b", re.I)

FIGURE_SCORE = 0.4  # a figure sentence this strong answers "how many?" whatever its words (see select_evidence)


def states_a_figure(text: str) -> bool:
    return bool(NUMBERISH.search(text))


# A person as documents name one: with a title, or a name then a role ("Jeanette Richards, Executive Director of ...",
# a report's back page: "Adam Sproston HMI, Ofsted lead inspector").
_PERSON = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|Professor|Sir|Dame)\.?\s+[A-Z][a-z]+"
                     r"|\b[A-Z][a-z]+\s+[A-Z][a-z’'-]+(?:\s+HMI)?,\s+(?:the\s+)?[A-Za-z ]*(?i:director|leader|chief|head|"
                     r"executive|member|inspector)", re.M)
# A proper name inside a sentence: capitalised words in a row, a quoted name, or an acronym (not SEND or EHC).
_PROPER_NAME = re.compile(r"(?<=[a-z,;(] )(?:[A-Z][\w’'&-]+ ){1,5}[A-Z][\w’'&-]+|‘[A-Z][^’]{2,60}’|\((?!SEND|EHC|AP)[A-Z]{3,}\)")
_DEFINES = r"is|are|sets out|describes"


def select_evidence(context: Context, settings: Settings) -> Selection:
    """The sentences an answer is made of (pinned first, lists expanded), or an abstention with its reason."""
    limit = settings.answer.max_sentences
    check = context.check
    ranked = context.ranked()
    weaker: set[str] = set()  # sentences in on the relevance model's word alone
    if check.intent == "briefing" and context.areas:
        # A briefing on a named area wants that area's main points, whatever the question's wording.
        ranked = [sid for sid in ranked if context.sentences[sid].evidence.area in context.areas]
    else:
        # Those the hand-weighted score ranks strong, and those the relevance model finds likely to answer (its
        # threshold calibrated on held-back dev items for few false refusals): plain or misspelt wording scores low,
        # and its best evidence answers it better than a refusal does. The model's own finds follow the strong ones.
        needed, strong = default_relevance().threshold, settings.answer.min_sentence_score
        # (a pinned sentence, the report's outcome, is no weaker find: "is Suffolk's SEND system failing?" opens with it)
        weaker = {sid for sid in ranked if context.scores[sid] < strong and context.relevance.get(sid, 0.0) >= needed
                  and sid not in context.pinned}
        ranked = [sid for sid in ranked if context.scores[sid] >= strong or sid in weaker]
        # A headline or a table's fragment ("Joint local area SEND inspection in Birmingham") is no key point to a
        # reader where whole sentences answer; a list's items are read under their lead-in; a name with its role
        # ("Jo Britton, Director of Children and Adult Services", a report's back page) answers "who is ...?"
        whole = [sid for sid in ranked
                 if ends_as_sentence(context.sentences[sid].text) or is_bullet(context.sentences[sid])
                 or (check.needs_name and _PERSON.search(context.sentences[sid].text))]
        ranked = whole or ranked
    if check.wants_statements:
        # "What did the council say...": statements answer that, not the inspectors' findings.
        spoken = [sid for sid in ranked if context.sentences[sid].evidence.speaker != "Ofsted/CQC"]
        if len(spoken) < 2 and context.areas and not context.subject_terms:
            # "What did the article say?", with no subject of its own, is answered by what the article says first.
            spoken += [sid for sid in _openings(context) if sid not in spoken]
        ranked = spoken or ranked
    chosen: list[str] = list(context.pinned)
    if check.intent == "definition":
        defining = [sid for sid in ranked if _defines(context.sentences[sid], check.term or "")]
        if not defining:
            # "how do I complain about my child's EHCP?": no sentence defines it, but the glossary's guidance on
            # what parents can do answers it where relevant enough; otherwise the term is not explained here
            defining = [sid for sid in ranked if context.sentences[sid].evidence.speaker == "glossary"]
        if not defining:
            return Selection(context, abstained=True, reason="no-definition")
        for sid in list(defining):
            if target := _short_form_of(context.sentences[sid].text):
                # "EHCP is the usual short form of EHC plan": what an EHC plan is answers "what is an EHCP?"
                meant = [x for x in ranked if x not in defining and _defines(context.sentences[x], target)]
                defining = meant + defining
        ranked = defining
    lead: list[str] = []  # after the pinned sentences, ahead of the rest whatever their place in the document
    if check.intent == "improve" and len(context.areas) == 1 and not check.asks_action:
        # "What must improve?" is answered by the actions the report sets, then the weaknesses behind them (not
        # "what are they doing to fix it?": what is under way answers that).
        lead = [sid for sid in report_actions(context) if sid not in chosen]
        if context.topic_terms:  # "any issues with EHC plans?": the actions on EHC plans first
            lead.sort(key=lambda sid: not context.topic_terms & content_terms(context.sentences[sid].text, expand=True))
        chosen += lead
        limit = max(limit, len(chosen))
    elif check.intent == "briefing" and len(context.areas) == 1:
        chosen += [sid for sid in _briefing(context) if sid not in chosen]
        limit = max(limit, len(chosen))
    defines = check.intent == "definition"  # the term's meaning answers it: no figure or name need be found
    if check.needs_number and not defines:
        # The evidence decides: a relevant sentence that states a figure (in digits or in words) answers.
        # On the subject by its words, or by a score no unanswerable dev question's figure sentence reaches (at
        # most 0.31): "persistently absent" answers "persistent absence" though its words differ.
        figures = [sid for sid in ranked if states_a_figure(context.sentences[sid].text)
                   and (context.lexical.get(sid, 0) >= 0.34 or context.scores[sid] >= FIGURE_SCORE
                        or context.sentences[sid].evidence.language != "en")]
        if not figures and not chosen:
            return Selection(context, abstained=True, reason="no-figure")
        chosen += [sid for sid in figures[:2] if sid not in chosen]
    if (check.asks_duration or check.asks_action) and not defines:
        # "how long is the wait?", "what are they doing about it?": a sentence on the subject stating how long, or what
        # is being done, answers it, however plainly it is worded (as a figure does when one is asked)
        stating = [sid for sid in ranked if sid in context.preferred and context.lexical.get(sid, 0.0) > 0]
        chosen += [sid for sid in stating[:2] if sid not in chosen]
    if check.names_thing and not check.needs_name and not defines:
        named = [sid for sid in ranked if _PROPER_NAME.search(context.sentences[sid].text) and _on_subject(context, sid)]
        if not named:
            return Selection(context, abstained=True, reason="no-name")
        chosen += [sid for sid in named[:2] if sid not in chosen]
    if check.needs_name and not defines:
        # a question read as asking for both ("Bolton PCF: name?") is answered by a person's name or a thing's
        def names(text: str) -> bool:
            return bool(_PERSON.search(text) or (check.names_thing and _PROPER_NAME.search(text)))

        named = [sid for sid in ranked if names(context.sentences[sid].text) and _on_subject(context, sid)]
        if "method" in check.slots:  # "who led the inspection?": the report's own list of its inspectors
            named = [sid for sid in _inspection_team(context) if sid not in named] + named
        if not named:
            return Selection(context, abstained=True, reason="no-name")
        chosen += [sid for sid in named[:2] if sid not in chosen]
        context.preferred.update(named[:2])  # "who ...?" is answered by the sentence naming them
    groups = context.areas if len(context.areas) > 1 else [None]
    per_group = max(2, (limit - len(chosen)) // len(groups))
    cap = limit + (len(context.pinned) if check.intent == "briefing" else 0)
    for area in groups:
        taken = 0
        for sid in ranked:
            if taken >= per_group or len(chosen) >= cap:
                break
            sentence = context.sentences[sid]
            if area is not None and sentence.evidence.area != area:
                continue
            if sid in chosen or any(context.sentences[c].text == sentence.text for c in chosen):
                continue
            chosen.append(sid)
            taken += 1
    chosen = _in_english(context, _shorter_of_the_same(context, _expand_lists(context, chosen, limit + 4, skip=weaker)))
    if not chosen:
        return Selection(context, abstained=True, reason="no-evidence")
    ordered = _order(context, [sid for sid in chosen if sid not in weaker], lead)
    ordered += [sid for sid in _order(context, chosen, lead) if sid not in ordered]
    deliberate = lead or check.intent == "definition"  # a report's actions, a term's defining sentences: in order
    return Selection(context, chosen=with_antecedents(context, ordered if deliberate else _answer_first(context, ordered)))


def in_team_table(sentence: Sentence) -> bool:
    """Whether the sentence is in a report's table of its inspectors."""
    return (sentence.evidence.section or "").lower() in TEAM_SECTIONS


def _inspection_team(context: Context) -> list[str]:
    """The named areas' inspection team sentences that name inspectors, best scored first."""
    return [sid for sid in context.ranked()
            if in_team_table(context.sentences[sid])
            and (not context.areas or context.sentences[sid].evidence.area in context.areas)
            and _PERSON.search(context.sentences[sid].text)]


def _on_subject(context: Context, sid: str) -> bool:
    """Whether a sentence naming someone or something names them on the question's subject ("the SENCo at my son's
    school") or, where a statement is asked about, is that statement (its speakers answer "who"): not whatever a
    passage happens to name."""
    return (context.lexical.get(sid, 0.0) > 0 or not context.subject_terms
            or (context.check.wants_statements and context.sentences[sid].evidence.speaker != "Ofsted/CQC"))


SAME_FACT = 0.9  # cosine of two sentence embeddings above which they say the same thing (a statement quoting its report)


def _shorter_of_the_same(context: Context, chosen: list[str]) -> list[str]:
    """Of two chosen sentences that say the same thing, the shorter (pinned ones are kept whatever their length)."""
    import numpy as np

    dropped: set[str] = set()
    for i, a in enumerate(chosen):
        for b in chosen[i + 1:]:
            if a in dropped or b in dropped or a not in context.vectors or b not in context.vectors:
                continue
            if float(np.dot(context.vectors[a], context.vectors[b])) < SAME_FACT:
                continue
            longer = max((a, b), key=lambda sid: len(context.sentences[sid].text))
            if longer not in context.pinned:
                dropped.add(longer)
    return [sid for sid in chosen if sid not in dropped]


SAME_FACT_ACROSS_LANGUAGES = 0.75  # a translated quote and its English original (0.83 on the Bury article; unrelated
# sentences on the same subject score about 0.5)


def _in_english(context: Context, chosen: list[str]) -> list[str]:
    """A chosen sentence in another language gives way to a gathered English sentence saying the same thing (an
    article's translated quote of the report it reports on): the parent reads the report's own English."""
    import numpy as np

    english = [sid for sid, s in context.sentences.items() if s.evidence.language == "en" and sid in context.vectors]
    out: list[str] = []
    for sid in chosen:
        if context.sentences[sid].evidence.language == "en" or sid in context.pinned or not english \
                or sid not in context.vectors:
            out.append(sid)
            continue
        similarity, best = max((float(np.dot(context.vectors[sid], context.vectors[e])), e) for e in english)
        if similarity < SAME_FACT_ACROSS_LANGUAGES:
            out.append(sid)
        elif best not in chosen and best not in out:
            out.append(best)
    return out


def _answer_first(context: Context, ordered: list[str]) -> list[str]:
    """The sentence of the first document that most answers the question first, where nothing is pinned ahead
    of it (an outcome) and the answer is no list (a report's actions, a lead-in and its items): the rest keep their
    document order after it, so the reader meets the answer before its context. (Preferring the easiest to read of
    the sentences nearly as relevant changed nothing on dev, at margins of 0.03 to 0.1.)"""
    if not ordered or ordered[0] in context.pinned:
        return ordered
    first_doc = context.sentences[ordered[0]].evidence.doc_id  # the document that answers best stays first
    mine = [sid for sid in ordered if context.sentences[sid].evidence.doc_id == first_doc]
    # "what are they doing about the waits?", "how long is the wait?": a sentence on its subject that says what is
    # being done, or how long, answers it, ahead of one that only says there is a problem
    # (a sentence naming the person asked for was found among the relevant ones: its names are its subject)
    stating = [sid for sid in mine if sid in context.preferred
               and (context.lexical.get(sid, 0.0) > 0 or context.check.needs_name)]
    if stating:
        best = max(stating, key=lambda sid: (context.lexical[sid], context.relevance.get(sid, 0.0)))
    else:
        best = max(mine, key=lambda sid: (context.relevance.get(sid, 0.0), context.scores.get(sid, 0.0)))
    moved = [best]
    if context.sentences[best].text.rstrip().endswith(":"):  # a lead-in brings the items it introduces
        following = {previous_sentence(context, sid): sid for sid in ordered}
        while (item := following.get(moved[-1])) is not None:
            moved.append(item)
    return moved + [sid for sid in ordered if sid not in moved]


# A sentence opening with one of these leans on the one before it ("Consequently, more children ...", "This means
# ..."): a closed class of English connectives and pronouns, read at the start of a document's sentence.
LEANING_OPENERS = ("this", "these", "that", "those", "such", "it", "they", "but", "yet", "consequently",
                   "therefore", "thus", "however", "despite this", "despite these", "as a result", "in addition",
                   "additionally", "furthermore", "moreover", "also", "nevertheless", "nonetheless", "similarly",
                   "likewise", "as such", "in turn", "because of this", "meanwhile", "even so", "the latter", "the former")


# Connectives that introduce an example or a case without leaning by themselves ("For example, the valued Trafford
# Early Development Service ..."); one followed by a pronoun ("For example, it has redesigned ...") leans on it.
ILLUSTRATING = ("for example", "for instance", "in particular", "in some cases", "at times")
_POINTING_BACK = ("this", "these", "that", "those", "such", "it", "its", "they", "their", "he", "she")


def leans(text: str) -> bool:
    opening = re.sub(r"^[\W_]+", "", text).lower()
    if any(re.match(rf"{re.escape(word)}\b", opening) for word in LEANING_OPENERS):
        return True
    for connective in ILLUSTRATING:
        if opening.startswith(connective):
            rest = opening[len(connective):].lstrip(" ,")
            return any(re.match(rf"{word}\b", rest) for word in _POINTING_BACK)
    return False


def previous_sentence(context: Context, sid: str) -> str | None:
    """The evidence sentence just before this one in its document (only whitespace between), if gathered."""
    here = context.sentences[sid]
    for other, s in context.sentences.items():
        if (s.evidence.doc_id == here.evidence.doc_id and s.end <= here.start and here.start - s.end <= 3
                and other != sid):
            return other
    return None


def lead_in(context: Context, sid: str) -> str | None:
    """The gathered lead-in ("In particular, they should urgently improve:") of a bullet item, through the items
    between them; None for any other sentence. An item is read as one of its list whatever its case: "The Somerset
    autism assessment pathway." alone does not say it is one of the weaknesses that improved."""
    here = context.sentences[sid]
    if not is_bullet(here):
        return None
    before = previous_sentence(context, sid)
    for _ in range(30):  # a list is never longer
        if before is None:
            return None
        sentence = context.sentences[before]
        if sentence.text.rstrip().endswith(":"):
            return before
        if not is_bullet(sentence):
            return None
        before = previous_sentence(context, before)
    return None


def with_antecedents(context: Context, chosen: list[str]) -> list[str]:
    """Each sentence that leans on the one before it is shown after that one, or not at all."""
    out: list[str] = []
    for sid in chosen:
        if sid in out:
            continue
        lead = lead_in(context, sid)
        if lead is not None:  # a list item ("children waiting for a community paediatric assessment") after its lead-in
            if lead not in out:
                siblings = items_of(context, lead)
                # "Two areas of weakness remain:" promises two: a short list is shown whole, in its own order
                block = [lead] + ([item for item in siblings if item not in out]
                                  if sid in siblings and len(siblings) <= SHORT_LIST else [sid])
                opener = previous_sentence(context, lead)
                # a lead-in inside its paragraph ("In particular, they should urgently improve:") follows its opening
                if opener is not None and not starts_item(context.sentences[lead]) and opener not in out:
                    out.append(opener)
                if opener is not None and opener in out and not starts_item(context.sentences[lead]):
                    out[out.index(opener) + 1:out.index(opener) + 1] = block
                else:
                    out += block
            else:
                at = out.index(lead) + 1
                while at < len(out) and lead_in(context, out[at]) == lead:
                    at += 1
                out.insert(at, sid)
            continue
        if sid in context.pinned or not leans(context.sentences[sid].text):
            out.append(sid)
            continue
        before = previous_sentence(context, sid)
        if before is not None and leans(context.sentences[before].text):
            # "Leaders are committed to ... As a result, the strategy ... Consequently, this has reduced ...": a
            # chain is read whole from a sentence already shown, or not at all
            head = previous_sentence(context, before)
            if head is not None and (head in out or head in chosen) and not leans(context.sentences[head].text) \
                    and before not in out:
                if head not in out:
                    out.append(head)
                out.insert(out.index(head) + 1, before)
        if before is None or (leans(context.sentences[before].text) and before not in out):
            continue  # its antecedent was not gathered (or leans itself): shown alone it would mislead
        if before in out:
            out.insert(out.index(before) + 1, sid)
        else:  # brought forward if it was chosen for later: the two are read together
            out += [before, sid]
    # A lead-in none of whose items is shown ("This should include:" last) promises what never comes.
    return [sid for i, sid in enumerate(out) if sid in context.pinned
            or not context.sentences[sid].text.rstrip().endswith(":")
            or (i + 1 < len(out) and lead_in(context, out[i + 1]) == sid)
            or not any(lead_in(context, other) == sid for other in context.sentences)]


def _openings(context: Context, per_document: int = 3) -> list[str]:
    """The first sentences of the named areas' statements and articles: a news article or a statement says its
    main point first."""
    by_doc: dict[str, list[str]] = {}
    for sid, s in sorted(context.sentences.items(), key=lambda item: (item[1].evidence.doc_id, item[1].start)):
        if (s.evidence.area in context.areas and s.evidence.speaker not in ("Ofsted/CQC", "glossary")
                and ends_as_sentence(s.text)):
            by_doc.setdefault(s.evidence.doc_id, []).append(sid)
    return [sid for sids in by_doc.values() for sid in sids[:per_document]]


_SHORT_FORM = re.compile(r"\b(?:is (?:the |a )?(?:usual )?short form of|stands for|is short for|is another name for)\s+"
                         r"(?:an? |the )?(?P<target>[^.,;]{2,60})")  # the glossary's own wording of an alias


def _short_form_of(text: str) -> str | None:
    m = _SHORT_FORM.search(text)
    return m.group("target").strip() if m else None


# A defining sentence opens with what it defines, then says what that is: "An EHC plan is a legal document...",
# "SENDIASS is the SEND information, advice and support service", "the local offer means ...". The verbs are the
# glossary's own fixed forms.
_DEFINITION_SUBJECT = re.compile(rf"^\s*(?P<subject>[^.;:]{{1,60}}?)\s+(?:(?:{_DEFINES})\s+(?:a|an|the|when|where|how|what|for|"
                                 r"used)\b|means\b|refers to\b|is short for\b|stands for\b|is another name for\b|"
                                 r"is the usual short form\b)", re.I)
_TERM_MATCH = 85  # rapidfuzz token-set ratio: a misspelt or longer wording of the term still names it


def _defines(sentence: Sentence, term: str) -> bool:
    """A sentence that says what the term is, however the question spelt the term ("sendias", "ehc plan exactly")."""
    from rapidfuzz import fuzz

    m = _DEFINITION_SUBJECT.match(sentence.text)
    if not m or not term.strip():
        return False
    subject = re.sub(r"^(?:a|an|the)\s+", "", m.group("subject").lower())
    subject = re.sub(r"\s*\([^)]*\)", "", subject)  # "speech and language therapy (SALT)"
    wanted = re.sub(r"^(?:a|an|the)\s+", "", term.lower().strip())
    return fuzz.token_set_ratio(wanted, subject) >= _TERM_MATCH or fuzz.ratio(wanted, subject) >= _TERM_MATCH


def _briefing(context: Context) -> list[str]:
    """Outcome (pinned already), the best-matching strengths, then the report's first actions."""
    strengths = [sid for sid, s in context.sentences.items()
                 if s.evidence.kind == "inspection report" and s.evidence.area in context.areas
                 and (s.evidence.section or "").lower() == SECTION_EFFECTIVE and starts_item(s)]
    strengths.sort(key=lambda sid: context.scores.get(sid, 0), reverse=True)
    return sorted(strengths[:3], key=lambda sid: context.sentences[sid].start) + report_actions(context, cap=4)


# An action a report sets: "Leaders should ...", "The partnership must ...". Reports often run two actions together
# in one paragraph, so a directive counts as an item wherever it stands.
_DIRECTIVE = re.compile(r"\b(?:should|must)\b")


def report_actions(context: Context, cap: int = 16) -> list[str]:
    """The items a report lists under its priority-action and improvement sections, in report order."""
    items = [sid for sid, s in context.sentences.items()
             if s.evidence.kind == "inspection report" and s.evidence.area in context.areas
             and (s.evidence.section or "").lower() in ACTION_SECTIONS and (starts_item(s) or _DIRECTIVE.search(s.text))]
    items.sort(key=lambda sid: (ACTION_SECTIONS[(context.sentences[sid].evidence.section or "").lower()],
                                context.sentences[sid].start))
    return items[:cap]


SHORT_LIST = 5  # items a list may have and still be shown whole when one of them is (the default key points)


def items_of(context: Context, lead: str) -> list[str]:
    """The bullet items a lead-in ending ':' introduces, in order, as far as they were gathered."""
    here = context.sentences[lead]
    following = sorted((sid for sid, s in context.sentences.items()
                        if s.evidence.chunk_id == here.evidence.chunk_id and s.position > here.position),
                       key=lambda sid: context.sentences[sid].position)
    items: list[str] = []
    for sid in following:
        if context.sentences[sid].position != here.position + 1 + len(items) or not is_bullet(context.sentences[sid]):
            break
        items.append(sid)
    return items


def _expand_lists(context: Context, chosen: list[str], limit: int, skip: set[str] = frozenset()) -> list[str]:
    """A chosen lead-in ending in ':' brings its bullet items (the best lead-in per document only; not those in
    `skip`)."""
    best_lead: dict[str, str] = {}
    for sid in chosen:
        sentence = context.sentences[sid]
        if sid in skip:
            continue
        if sentence.text.rstrip().endswith(":") and sentence.evidence.doc_id not in best_lead:
            best_lead[sentence.evidence.doc_id] = sid
    out = list(chosen)
    for sid in best_lead.values():
        for item_id in items_of(context, sid):
            if len(out) >= limit:
                break
            if item_id not in out:
                out.append(item_id)
    return out


def _order(context: Context, chosen: list[str], lead: list[str] = ()) -> list[str]:
    """Pinned first, then `lead` as given; then documents in order of their best sentence, sentences in document
    order."""
    # "what did they get, and when?": the outcome answers first, its dates after it (they come first in the report);
    # "when will they be inspected again?": the report's sentence on its next inspection, then the outcome
    next_asked = "next_inspection" in context.check.slots and "outcome" not in context.check.slots

    def pinned_rank(sid: str) -> int:
        sentence = context.sentences[sid]
        if states_outcome(sentence):
            return 1
        return 0 if next_asked and says_next_inspection(sentence) else 2

    pinned = sorted((sid for sid in context.pinned if sid in chosen), key=pinned_rank)
    pinned += [sid for sid in lead if sid in chosen and sid not in pinned]
    rest = [sid for sid in chosen if sid not in pinned]
    doc_rank: dict[str, int] = {}
    for sid in pinned + rest:
        doc_rank.setdefault(context.sentences[sid].evidence.doc_id, len(doc_rank))
    rest.sort(key=lambda sid: (doc_rank[context.sentences[sid].evidence.doc_id], context.sentences[sid].start))
    ordered = []
    for doc in dict.fromkeys(context.sentences[sid].evidence.doc_id for sid in pinned):
        ordered += [sid for sid in pinned if context.sentences[sid].evidence.doc_id == doc]
        ordered += [r for r in rest if context.sentences[r].evidence.doc_id == doc]
    ordered += [r for r in rest if r not in ordered]
    return ordered


def starts_item(sentence: Sentence) -> bool:
    """First sentence of a paragraph, or a bullet item."""
    ev = sentence.evidence
    offset = sentence.start - ev.start
    before = ev.text[:offset].rstrip(" •")
    return offset == 0 or before.endswith("\n") or before == ""


