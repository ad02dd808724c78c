"""Per-item scores for one answer, and their aggregation."""

from __future__ import annotations

import re
import statistics
from dataclasses import asdict, dataclass

from evals.dataset import EvalItem
from sendqa.domain import OUTCOME_MENTION

_TAG = re.compile(r"^\[[^\]]*\]\s*")
_CITE = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_OUTCOMES = OUTCOME_MENTION  # any wording of an outcome counts as stating it
# An Ofsted grade asserted of an area or its SEND services ("Bury was rated inadequate"); area SEND inspections give none.
_GRADES = re.compile(r"\b(rated|graded|judged|was|were|is|are|been|put into|placed in)\s+(as\s+)?"
                     r"(inadequate|outstanding|requires improvement|special measures)\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|don't|doesn't|do not|does not)\b", re.I)


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


@dataclass
class ItemScore:
    id: str
    kind: str
    backend: str
    should_abstain: bool
    abstained: bool
    hit1: float | None
    hit5: float | None
    rr10: float | None
    key_fact_recall: float | None
    citation_validity: float | None
    faithfulness: float | None
    critical_error: bool
    latency_ms: float
    first_sentence_ms: float | None = None
    drafted: int = 0  # sentences an LLM backend wrote, and what the verifier did with them
    supported: int = 0
    dropped: int = 0
    replaced: int = 0
    reading_ease: float | None = None  # Flesch reading ease (textstat) of what a person reads
    words: int | None = None
    gold_early: float | None = None  # 1.0 when a key fact is in the first two sentences read

    def as_dict(self) -> dict:
        return asdict(self)


def ranking(contract: dict, retrieved: list[str]) -> list[str]:
    """Cited documents first (in citation order), then the rest of the retrieved ones."""
    cited = [c["doc_id"] for c in contract["citations"]]
    return list(dict.fromkeys(cited + list(retrieved)))


def score_item(item: EvalItem, contract: dict, retrieved: list[str], doc_text, doc_outcome) -> ItemScore:
    """doc_text(doc_id) -> canonical text or None; doc_outcome(doc_id) -> 2023-framework outcome or None."""
    answer = contract["answer"]
    citations = contract["citations"]
    abstained = bool(contract["abstained"])
    gold = {s.doc_id for s in item.gold_sources}
    hit1 = hit5 = rr = recall = faith = None
    if not item.should_abstain:
        ranked = ranking(contract, retrieved)[:10]
        first = next((i + 1 for i, d in enumerate(ranked) if d in gold), None)
        hit1 = float(first == 1)
        hit5 = float(bool(first) and first <= 5)
        rr = 1.0 / first if first else 0.0
        if item.key_facts:
            norm = normalise(answer)
            recall = sum(normalise(f) in norm for f in item.key_facts) / len(item.key_facts)
    validity = None
    if citations:
        valid = 0
        for c in citations:
            text = doc_text(c["doc_id"])
            valid += bool(text) and bool(c["quote"]) and c["quote"] in text
        validity = valid / len(citations)
    claims = claim_sentences(contract)
    if not abstained and claims:
        faith = faithfulness_of(claims)
    read = readable_sentences(contract) if not abstained else []
    ease, words = reading(read) if read else (None, None)
    if words is not None:
        words += heading_words(contract)
    early = None
    if read and item.key_facts and not item.should_abstain:
        first_two = normalise(" ".join(read[:2]))
        early = float(any(normalise(f) in first_two for f in item.key_facts))
    return ItemScore(
        id=item.id, kind=item.kind, backend=contract["backend"], should_abstain=item.should_abstain,
        abstained=abstained, hit1=hit1, hit5=hit5, rr10=rr, key_fact_recall=recall, citation_validity=validity,
        faithfulness=faith, critical_error=critical_error_of(claims, doc_outcome, abstained),
        latency_ms=float(contract.get("timings_ms", {}).get("total", 0.0)),
        first_sentence_ms=contract.get("timings_ms", {}).get("first_sentence"),
        reading_ease=ease, words=words, gold_early=early,
        **{k: int((contract.get("verification") or {}).get(v, 0))
           for k, v in (("drafted", "sentences"), ("supported", "supported"), ("dropped", "dropped"),
                        ("replaced", "replaced"))},
    )


def claim_sentences(contract: dict) -> list[tuple[str, list[dict]]]:
    """(sentence, cited citations) pairs: from the structured `sentences` when present, else from the text."""
    by_n = {c["n"]: c for c in contract["citations"]}
    if contract.get("sentences"):
        return [(s["text"], [by_n[n] for n in s["citations"] if n in by_n])
                for s in contract["sentences"] if s.get("origin") != "message"]
    return [(_CITE.sub("", sentence).strip(), [by_n[int(n)] for n in _CITE.findall(sentence) if int(n) in by_n])
            for sentence in answer_sentences(contract["answer"])]


def readable_sentences(contract: dict) -> list[str]:
    """What a person reads, sentence by sentence: the answer without its [n] marks and source labels. An answer
    shaped into a lead and key points is read from its shown sentences: its headings are labels, not sentences
    (their words are counted, see heading_words)."""
    if contract.get("lead") or contract.get("points"):
        return [s["text"] for s in contract["sentences"] if s.get("shown", True) and s["text"].strip()]
    return [text for text in (_CITE.sub("", s).strip() for s in answer_sentences(contract["answer"])) if text]


def heading_words(contract: dict) -> int:
    """Words in the headings shown above an answer's key points (each heading once)."""
    headings = dict.fromkeys(p["heading"] for p in contract.get("points") or [] if p.get("shown", True))
    return sum(len(h.split()) for h in headings)


def reading(sentences: list[str]) -> tuple[float, int]:
    """(Flesch reading ease, words) of what is read: textstat's formula, not one written here. Each unit shown on
    its own (a list's lead-in, an item ending in ';' or nothing) is read as one sentence, as its own line is: joined
    as they come, textstat counted a list of items as one long sentence."""
    import textstat

    text = " ".join(s if s.rstrip().endswith((".", "!", "?")) else s.rstrip().rstrip(",;:") + "."
                    for s in sentences)
    return round(float(textstat.flesch_reading_ease(text)), 1), int(textstat.lexicon_count(text))


def answer_sentences(answer: str) -> list[str]:
    """Answer lines split into sentences (the project's one splitter), attribution tags removed."""
    from sendqa.sentences import split_sentences

    out = []
    for line in answer.splitlines():
        line = _TAG.sub("", line.strip())
        for part in re.split(r"(?<=\])\s+(?=[A-Z“\"])", line):
            out += [piece for piece in split_sentences(part, min_chars=1)]
    return out


def faithfulness(answer: str, citations: list[dict]) -> float:
    """Share of answer sentences whose numbers, names and outcome phrases all appear in their cited quotes."""
    return faithfulness_of(claim_sentences({"answer": answer, "citations": citations}))


def faithfulness_of(claims: list[tuple[str, list[dict]]]) -> float:
    if not claims:
        return 0.0
    supported = 0
    for claim, cited in claims:
        if not cited:
            continue
        evidence = normalise(" ".join(c["quote"] for c in cited))
        checks = _NUMBER.findall(claim) + _names(claim)
        checks += [m.group(0) for p in _OUTCOMES.values() for m in p.finditer(claim)]
        if all(normalise(c) in evidence for c in checks):
            supported += 1
    return supported / len(claims)


def _names(text: str) -> list[str]:
    """Capitalised words that are not sentence-initial: the names and places a sentence asserts."""
    words = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'’-]{2,}\b", text.strip())
    return [w for w in words if w not in {"The", "This", "These", "SEND", "EHC"}]


def critical_error(answer: str, citations: list[dict], doc_outcome, abstained: bool) -> bool:
    """An outcome stated that no cited report gives, or an Ofsted grade asserted as an area SEND result."""
    return critical_error_of(claim_sentences({"answer": answer, "citations": citations}), doc_outcome, abstained)


def critical_error_of(claims: list[tuple[str, list[dict]]], doc_outcome, abstained: bool) -> bool:
    for sentence, cited in claims:
        actual = {doc_outcome(c["doc_id"]) for c in cited} - {None}
        for label, pattern in _OUTCOMES.items():
            if pattern.search(sentence) and actual and label not in actual:
                return True
        if not abstained and _GRADES.search(sentence) and not _NEGATION.search(sentence):
            return True
    return False


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.fmean(values), 3) if values else None


def aggregate(scores: list[ItemScore]) -> dict:
    answerable = [s for s in scores if not s.should_abstain]
    refusable = [s for s in scores if s.should_abstain]
    latencies = sorted(s.latency_ms for s in scores)

    def pct(p: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else None

    return {
        "n": len(scores),
        "hit@1": _mean(s.hit1 for s in answerable),
        "hit@5": _mean(s.hit5 for s in answerable),
        "mrr@10": _mean(s.rr10 for s in answerable),
        "key_fact_recall": _mean(s.key_fact_recall for s in answerable),
        "citation_validity": _mean(s.citation_validity for s in scores),
        "faithfulness": _mean(s.faithfulness for s in scores),
        "abstention": _mean(float(s.abstained) for s in refusable),
        "false_refusal": _mean(float(s.abstained) for s in answerable),
        "critical_errors": sum(s.critical_error for s in scores),
        "latency_p50_ms": pct(0.5),
        "latency_p95_ms": pct(0.95),
        "first_sentence_p50_ms": _percentile([s.first_sentence_ms for s in scores if s.first_sentence_ms], 0.5),
        "reading_ease_p50": _median(s.reading_ease for s in scores),
        "words_p50": _median(s.words for s in scores),
        "gold_early": _mean(s.gold_early for s in scores),
        "drafted": sum(s.drafted for s in scores),
        "verified_share": round(sum(s.supported for s in scores) / max(1, sum(s.drafted for s in scores)), 3)
        if any(s.drafted for s in scores) else None,
    }


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(float(statistics.median(values)), 1) if values else None


def _percentile(values: list[float], p: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))], 1) if values else None
