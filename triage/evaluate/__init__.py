"""Evaluating answers against a knowledge base.

Owns the Experta engine compiled from the knowledge base (every use of Experta's internals
kept in `experta_patches`), the plain-Python reference evaluator that the engine is tested
against, three-valued (partial) evaluation used by the interview and the prover, and the
answer space of representative values. It may import `triage.model` only: nothing here reads
files or prints.
"""
