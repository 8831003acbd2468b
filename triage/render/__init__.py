"""Every renderer: text, JSON, JSONL, CSV, JUnit, Mermaid, DOT and the questionnaire's screens.

Owns how results, outcomes and the tools' data look to a person or a program. It may import
every layer below it (`model` to `tools`) and never the worker pool or the CLI.
"""
