"""Groups of the contract's intents that more than one package decides on."""

# Intents that ask for something the directory or a person answers (a search, a person, a
# callback): the NLU's wording guard prefers them, and the phone line reads their results.
ASKING = (
    "find_association",
    "find_service",
    "digital_help",
    "ask_events",
    "ask_grants",
    "ask_spaces",
    "ask_training",
    "volunteer",
    "join_cooperation",
    "request_human",
    "request_callback",
)
