"""Demo data: generated rows (``data``, with one module per stage it runs) and the use case
that seeds them (``seed``)."""
