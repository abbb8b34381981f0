"""Streamlit-side helpers: wiring, shared widgets and pure plotly chart builders."""
