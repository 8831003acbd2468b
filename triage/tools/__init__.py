"""What trainers use to check the logic: explain, coverage, diff, graph, verify (check).

Owns computing those answers and judging case outcomes against their `expect` blocks; it returns
data, never text. It may import `model`, `evaluate`, `files` and `interview`; rendering the
data is `triage.render`'s job.
"""
