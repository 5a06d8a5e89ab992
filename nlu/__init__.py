"""Apuri's NLU: the Rasa graph components that put the Finnish language package into the
pipeline (components.py, named in config.yml) and the measure of NLU quality that the tests and
`make bench` share (evaluate.py)."""
