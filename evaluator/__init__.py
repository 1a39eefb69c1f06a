"""The evaluator (sandboxed verification, equivalence, benchmarking): built by the evaluator issue."""
