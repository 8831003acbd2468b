"""Running many cases at once: the worker pool that streams rendered records.

Sits above `render` because workers render their records before sending them back. It may
import every layer below; only the CLI imports it.
"""
