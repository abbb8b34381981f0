"""Demo data: generated rows (``data``) and the use case that seeds them (``seed``)."""
