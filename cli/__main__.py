"""`python -m cli …`, the same as `assurance …`."""

from cli import main

main()
