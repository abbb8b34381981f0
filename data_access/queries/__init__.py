"""Read-side queries: aggregate in SQL, return pandas DataFrames of plain values."""
