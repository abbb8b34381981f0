"""Persistence: typed models, engine and sessions, repositories and read-side queries.

Never imports Streamlit; pages reach this package only through ``services`` and ``ui``.
"""
