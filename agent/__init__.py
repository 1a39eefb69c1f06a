"""The search agent (LangGraph loop, providers, strategies): built by the search-loop and LLM issues."""
