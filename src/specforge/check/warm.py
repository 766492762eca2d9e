"""Imported by the check workers' fork server (``set_forkserver_preload``): fills hypothesis'
per-process caches once, so that every forked worker inherits them instead of filling its own.

Measured in a fresh folder (no ``.hypothesis/unicode_data`` yet): the ``utf-8`` character table
costs 2.7 CPU-s and the constants hypothesis collects from specforge's own modules 1.3 CPU-s, in
*each* process that generates its first string. A table already on disk loads in milliseconds;
the scan of modules is per process either way.
"""

from __future__ import annotations

from specforge.check.engine import warm_generation

warm_generation()
