"""The phone line: a SIP agent (PJSIP) that answers calls in Finnish and puts callers through
to a person, or takes a callback."""
