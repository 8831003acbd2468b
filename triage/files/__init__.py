"""Reading and writing files: the only layer that touches the disk for knowledge and cases.

Owns the safe YAML reader (locations, limits), schema validation, the rules loader that builds a
`KnowledgeBase`, case files (reading, expanding folders, writing) and atomic output. It may
import `triage.model` (and `triage.evaluate` where a file format needs it), never a layer above.
"""
