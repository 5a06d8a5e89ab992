"""Finnish language knowledge for Apuri, shared by the NLU components, the actions and the
importers. One module per job; word lists are data files in data/.

- morphology: Voikko lemmas, cases and compound parts
- forms: generated case forms of place names
- municipalities: the 309 municipalities and 19 regions, any word form → official name
- places: names that are also ordinary words or first names, decided in context
- topics: topic keys, also inside compounds
- phones: phone numbers written or spoken → E.164, and back for reading aloud
- entities: all entities of a message
- safety: emergency and crisis words
- words: content words for free-text search
- synonyms: search words that mean the same, and the words of topics and sorts
"""

from finnish.entities import Entity, entity_values, extract_entities
from finnish.morphology import compound_boundaries, is_known_word, lemma, place_lemma
from finnish.municipalities import Gazetteer, Municipality, gazetteer, iter_municipalities
from finnish.phones import format_phone_for_speech, normalize_phone, number_word
from finnish.safety import SAFETY_INTENTS, safety_intent
from finnish.synonyms import sort_words, synonyms
from finnish.times import When, parse_time  # noqa: F401 - re-exported
from finnish.tokens import tokenize
from finnish.topics import TOPICS, topic, topic_of_word
from finnish.words import content_words

__all__ = [
    "SAFETY_INTENTS",
    "TOPICS",
    "Entity",
    "Gazetteer",
    "Municipality",
    "compound_boundaries",
    "content_words",
    "entity_values",
    "extract_entities",
    "format_phone_for_speech",
    "gazetteer",
    "is_known_word",
    "iter_municipalities",
    "lemma",
    "normalize_phone",
    "number_word",
    "place_lemma",
    "safety_intent",
    "sort_words",
    "synonyms",
    "tokenize",
    "topic",
    "topic_of_word",
]
