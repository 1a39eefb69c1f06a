"""Overnight runs, studies and reports: built by a later issue."""
