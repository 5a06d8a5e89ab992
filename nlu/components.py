"""Rasa graph components that put finnish into the NLU pipeline.

- FinnishTokenizer: word tokens with Voikko lemmas; a municipality, region or phone number
  gets a placeholder lemma ("kunta", "maakunta", "puhelinnumero") so that the classifier
  learns "asun X:ssä" once for all 309 municipalities.
- FinnishEntityExtractor: municipality, region, topic and phone_number with normalized values.
- FinnishWordVectors: the static word vectors of spaCy's Finnish model (spacy-fi), looked up
  by word form and then by lemma; the sentence vector is their mean.
- FinnishIntentClassifier: a linear SVM over the TF-IDF weighted sparse features and the word
  vectors, with calibrated confidences for the fallback;
  gibberish (no word it or Voikko knows) gets no confidence, so the fallback asks again.
- SafetyGuard: emergency and crisis win over everything, before the fallback threshold.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional

import joblib
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    FEATURE_TYPE_SENTENCE,
    FEATURE_TYPE_SEQUENCE,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import finnish
from bot import privacy
from bot.intents import ASKING
from finnish.asking import asks_about_calling, asks_for_a_call
from finnish.typos import deletions

logger = logging.getLogger(__name__)

PLACEHOLDER_LEMMAS = {
    "municipality": "kunta",
    "region": "maakunta",
    "phone_number": "puhelinnumero",
}


class _ConfigOnlyComponent(GraphComponent):
    """A component that needs only its config: nothing trained, nothing stored."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FinnishTokenizer(Tokenizer):
    """Splits Finnish text into words and lemmatizes them with Voikko."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FinnishTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        words = finnish.tokenize(text)
        if not words:
            return [Token(text, 0, len(text), lemma=text.lower())] if text.strip() else []
        placeholders: dict[int, str] = {}
        if attribute == TEXT:
            for ent in finnish.extract_entities(text):
                if ent.entity in PLACEHOLDER_LEMMAS:
                    for start, end, _ in words:
                        if start >= ent.start and end <= ent.end:
                            placeholders[start] = PLACEHOLDER_LEMMAS[ent.entity]
        tokens = []
        for start, end, word in words:
            if privacy.PHONE_TAG.fullmatch(word):  # a number kept out of Rasa by the gateway
                placeholders[start] = PLACEHOLDER_LEMMAS["phone_number"]
            lemma = placeholders.get(start) or finnish.lemma(word)
            tokens.append(Token(word, start, end, lemma=lemma))
        return self._apply_token_pattern(tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class FinnishEntityExtractor(_ConfigOnlyComponent, EntityExtractorMixin):
    """Finds municipality, region, topic and phone_number with normalized values."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["municipality", "region", "topic", "phone_number"]}

    def process(self, messages: list[Message]) -> list[Message]:
        wanted = set(self._config["entities"])
        for message in messages:
            text = message.get(TEXT) or ""
            found = [
                {
                    "entity": e.entity,
                    "value": e.value,
                    "start": e.start,
                    "end": e.end,
                    "confidence": 1.0,
                }
                for e in finnish.extract_entities(text)
                if e.entity in wanted
            ]
            if "phone_number" in wanted:  # a number the gateway kept out of Rasa
                found += [
                    {
                        "entity": "phone_number",
                        "value": m.group(0),
                        "start": m.start(),
                        "end": m.end(),
                        "confidence": 1.0,
                    }
                    for m in privacy.PHONE_TAG.finditer(text)
                ]
            found = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class FinnishWordVectors(DenseFeaturizer, GraphComponent):
    """Dense features from spacy-fi's static word vectors (no spaCy pipeline run per message)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model": "spacy_fi_experimental_web_md"}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        import spacy

        nlp = spacy.load(
            self._config["model"],
            exclude=[
                "tok2vec",
                "tagger",
                "morphologizer",
                "parser",
                "attribute_ruler",
                "lemmatizer",
                "ner",
                "senter",
            ],
        )
        self._vocab = nlp.vocab
        self._dim = nlp.vocab.vectors_length

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FinnishWordVectors:
        return cls(config, execution_context.node_name)

    def _vector(self, token: Token) -> np.ndarray:
        for key in (token.text.lower(), token.lemma):
            if key and self._vocab.has_vector(key):
                return self._vocab.get_vector(key)
        return np.zeros(self._dim, dtype=np.float32)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                tokens = message.get(TOKENS_NAMES[attribute])
                if not tokens:
                    continue
                seq = np.array([self._vector(t) for t in tokens], dtype=np.float32)
                sentence = seq.mean(axis=0, keepdims=True)
                norm = np.linalg.norm(sentence)
                sentence = sentence / norm if norm > 0 else sentence
                alias = self._config["alias"]
                message.add_features(Features(seq, FEATURE_TYPE_SEQUENCE, attribute, alias))
                message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, attribute, alias))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FinnishIntentClassifier(GraphComponent, IntentClassifier):
    """Linear SVM on TF-IDF weighted sparse and dense features, with calibrated confidences."""

    MODEL_FILE = "finnish_intent_classifier.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 0.5,
            "dense_weight": 1.0,
            "ranking_length": 10,
            "calibration_folds": 3,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[dict[str, Any]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._tfidf = model["tfidf"] if model else None
        self._near_vocabulary: set[str] | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FinnishIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(
        messages: list[Message],
    ) -> tuple[list[scipy.sparse.csr_matrix], np.ndarray | None]:
        """Per featurizer, the sentence-level sparse counts of each message; and dense vectors.

        Featurizers are told apart by the order they appear in (their pipeline order).
        """
        blocks: list[list[scipy.sparse.csr_matrix]] = []
        dense_rows = []
        for message in messages:
            sparse_seen = 0
            dense_parts = []
            for feature in message.features:
                if feature.attribute != TEXT or feature.type != FEATURE_TYPE_SENTENCE:
                    continue
                if feature.is_sparse():
                    if len(blocks) <= sparse_seen:
                        blocks.append([])
                    blocks[sparse_seen].append(scipy.sparse.csr_matrix(feature.features))
                    sparse_seen += 1
                else:
                    dense_parts.append(np.asarray(feature.features).reshape(1, -1))
            if dense_parts:
                dense_rows.append(np.hstack(dense_parts))
        x_blocks = [scipy.sparse.vstack(rows).tocsr() for rows in blocks]
        x_dense = np.vstack(dense_rows) if len(dense_rows) == len(messages) else None
        return x_blocks, x_dense

    def _matrix(self, messages: list[Message], fit: bool = False) -> scipy.sparse.csr_matrix:
        """Each featurizer's counts TF-IDF weighted and L2-normalized on its own (so letters and
        lemmas weigh the same), beside the L2-normalized word vectors."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.preprocessing import normalize

        x_blocks, x_dense = self._features(messages)
        if fit:
            self._tfidf = [TfidfTransformer(sublinear_tf=True).fit(x) for x in x_blocks]
        pairs = zip(self._tfidf, x_blocks, strict=True)
        parts = [normalize(tfidf.transform(x)) for tfidf, x in pairs]
        if x_dense is not None:
            parts.append(scipy.sparse.csr_matrix(normalize(x_dense) * self._config["dense_weight"]))
        return scipy.sparse.hstack(parts).tocsr()

    def _estimator(self, n_per_class: int) -> Any:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=self._config["C"])
        folds = min(self._config["calibration_folds"], n_per_class)
        if folds < 2:
            return svm
        return CalibratedClassifierCV(svm, cv=folds, method="sigmoid", ensemble=False)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.warning("FinnishIntentClassifier: no training examples, skipping training.")
            return self._resource
        labels = np.asarray([e.get(INTENT) for e in examples])
        x = self._matrix(examples, fit=True)
        counts = np.unique(labels, return_counts=True)[1]
        estimator = self._estimator(int(counts.min()))
        estimator.fit(x, labels)
        vocabulary = {
            key
            for e in examples
            for t in e.get(TOKENS_NAMES[TEXT]) or []
            for key in (t.lemma, t.text.lower())
        }
        self._model = {"tfidf": self._tfidf, "estimator": estimator, "vocabulary": vocabulary}
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / self.MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FinnishIntentClassifier:
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / cls.MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("FinnishIntentClassifier: no trained model found.")
        return cls(config, model_storage, resource, model)

    def _scores(self, x: scipy.sparse.csr_matrix) -> np.ndarray:
        estimator = self._model["estimator"]
        if hasattr(estimator, "predict_proba"):
            return estimator.predict_proba(x)
        decision = estimator.decision_function(x) * 3.0
        decision = np.exp(decision - decision.max(axis=1, keepdims=True))
        return decision / decision.sum(axis=1, keepdims=True)

    def _knows_a_word(self, message: Message) -> bool:
        """False for gibberish: no word known to Voikko or to the training data, no entity."""
        if message.get(ENTITIES):
            return True
        vocabulary = self._model.get("vocabulary", set())
        if self._near_vocabulary is None:
            self._near_vocabulary = {d for word in vocabulary for d in deletions(word)}
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            word = token.text.lower()
            if token.lemma in vocabulary or word in vocabulary or finnish.is_known_word(word):
                return True
            if len(word) >= 3 and (  # one letter off a word we know ("heii", "kiitoss")
                word in self._near_vocabulary or not deletions(word).isdisjoint(vocabulary)
            ):
                return True
        return False

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        texts = [m for m in messages if (m.get(TEXT) or "").strip()]
        for message in messages:
            if not (message.get(TEXT) or "").strip():  # nothing said: let the fallback answer
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not texts:
            return messages
        x = self._matrix(texts)
        scores = self._scores(x)
        classes = self._model["estimator"].classes_
        for message, row in zip(texts, scores, strict=False):
            if not self._knows_a_word(message):
                row = row * 0.0  # not a word we know: the fallback asks again
            order = np.argsort(row)[::-1]
            ranking = [
                {"name": str(classes[i]), "confidence": float(row[i])}
                for i in order[: self._config["ranking_length"]]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class WordingGuard(_ConfigOnlyComponent, IntentClassifier):
    """Three mistakes the classifier makes on wording alone:

    - "milloin niille voi soittaa", "voiko heille soittaa" ask about calling someone: a question
      about the person or place just named (request_human, which answers it from the record),
      not a request to be called back, though the words are a callback's;
    - "voisko joku soittaa hänelle", "voisitteko soittaa äidilleni", "soittakaa minulle, en
      saa videopuhelua toimimaan" ask for a call: a callback request (for another, or with
      the need it is about), not a question about whom to call nor a search;
    - "hei onko tyrnävällä laulupiiriä" is a question that starts with a greeting: the
      classifier's next choice answers it.
    """

    ASKING = ASKING

    QUESTION = re.compile(
        r"\b(onko|onks|mistä|missä|miten|mitä|kuka|voiko|voisiko|löytyykö|"
        r"löytyyks|tarvitsen|tarviin|tarvis|etsin|haluaisin)\b",
        re.I,
    )

    def _asks(self, message: Message, text: str) -> bool:
        """More than a greeting: a question word and something asked about."""
        entities = message.get(ENTITIES) or []
        return bool(self.QUESTION.search(text)) and bool(entities or finnish.content_words(text))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT)
            ranking = message.get(INTENT_RANKING_KEY) or []
            if not text or not intent:
                continue
            if intent.get("name") == "request_callback" and asks_about_calling(text):
                top = {"name": "request_human", "confidence": intent.get("confidence", 1.0)}
            elif (
                intent.get("name") in self.ASKING
                and intent.get("name") != "request_callback"
                and asks_for_a_call(text)
            ):
                # "voisko joku soittaa hänelle, hän asuu Kuopiossa": a callback, for another;
                # "soittakaa numeroon …, en saa videopuhelua toimimaan": a callback with a need
                top = {"name": "request_callback", "confidence": intent.get("confidence", 1.0)}
            elif intent.get("name") == "greet" and self._asks(message, text):
                top = next(
                    (
                        r
                        for r in ranking[1:3]
                        if r["name"] in self.ASKING and r["confidence"] >= 0.1
                    ),
                    None,
                )
                if top is None:
                    continue
            else:
                continue
            others = [r for r in ranking if r["name"] not in (top["name"], intent["name"])]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + others, add_to_output=True)
        return messages


_NUMBER_ONLY = re.compile(r"[\d\s+()./-]+")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyGuard(_ConfigOnlyComponent, IntentClassifier):
    """Makes emergency and crisis win: clear danger words, or a safety intent near the top."""

    # A need with a place ("lapsi on kipeä. rääkkylä lääkäri") that the classifier only leans
    # towards calling an emergency is a search: the search answers it with "soita 112" first
    # (actions.directory_actions.DirectorySearchAction). Danger words always win.
    SEARCHES = ("find_service", "find_association", "digital_help")

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"runner_up_threshold": 0.3, "unsure_emergency": 0.7, "search_at_least": 0.25}

    def _a_search_with_a_place(
        self, message: Message, ranking: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The search intent an unsure emergency with a place really is, or None."""
        emergency = next((r for r in ranking[:2] if r["name"] == "emergency"), None)
        if emergency is None or emergency["confidence"] >= self._config["unsure_emergency"]:
            return None
        if any(r["name"] == "crisis" and r["confidence"] >= 0.1 for r in ranking):
            return None
        if not any(
            e.get("entity") in ("municipality", "region") for e in message.get(ENTITIES) or []
        ):
            return None
        search = next((r for r in ranking if r["name"] not in finnish.SAFETY_INTENTS), None)
        if search is None or search["name"] not in self.SEARCHES:
            return None
        return search if search["confidence"] >= self._config["search_at_least"] else None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r["confidence"] > 0]
            chosen = finnish.safety_intent(text)
            runner_up = ranking[1] if len(ranking) > 1 else {"name": None, "confidence": 0.0}
            close = runner_up["confidence"] >= self._config["runner_up_threshold"]
            if chosen is None and _NUMBER_ONLY.fullmatch(text) and "112" not in text:
                # "123" answers "Mihin numeroon?": a number, not a danger
                safe = [r for r in ranking if r["name"] not in finnish.SAFETY_INTENTS]
                if safe and ranking[0]["name"] in finnish.SAFETY_INTENTS:
                    message.set(INTENT, safe[0], add_to_output=True)
                    message.set(INTENT_RANKING_KEY, safe, add_to_output=True)
                continue
            search = self._a_search_with_a_place(message, ranking) if chosen is None else None
            if search is not None:
                others = [r for r in ranking if r is not search]
                search = {
                    "name": search["name"],
                    "confidence": 1.0,
                    "classifier_confidence": search["confidence"],
                }
                message.set(INTENT, search, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [search] + others, add_to_output=True)
                continue
            if chosen is None and ranking:
                if ranking[0]["name"] == "emergency" and runner_up["name"] == "crisis" and close:
                    chosen = "crisis"  # the crisis answer names both the crisis line and 112
                elif ranking[0]["name"] in finnish.SAFETY_INTENTS:
                    chosen = ranking[0]["name"]
                elif runner_up["name"] in finnish.SAFETY_INTENTS and close:
                    chosen = runner_up["name"]
            if chosen is None:
                continue
            others = [r for r in ranking if r["name"] != chosen]
            top = {
                "name": chosen,
                "confidence": 1.0,
                "classifier_confidence": next(
                    (r["confidence"] for r in ranking if r["name"] == chosen), 0.0
                ),
            }
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + others, add_to_output=True)
        return messages
