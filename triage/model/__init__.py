"""The product's vocabulary and data model: the lowest layer.

Owns the fact and urgency vocabulary, the condition language, the immutable knowledge base
(questions, rules, recommendations, invariants), the `Result` of a consultation with the one
function that concludes it, and the error types with their locations. It imports nothing else
from `triage`, so every other layer can rely on it without cycles.
"""
