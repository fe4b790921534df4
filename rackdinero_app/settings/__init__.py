"""The settings pages' pure side: what the lists hold, form parsing, rules, suggestions, diffs.

Everything here takes plain data and returns plain data; the embedded views do the I/O.
"""
