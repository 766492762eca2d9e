"""Renderers: pure functions from findings/results (plain data classes) to text formats.
No renderer logic lives anywhere else; the exit code never comes from a renderer."""
