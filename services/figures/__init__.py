"""The figures of DESIGN.md §5, one module per family: ``rates`` (late-shipment and dispute),
``claims`` (open, overdue, pending liability, refunds), ``reviewers``, ``suppliers``, ``tiers``,
``exposure`` and ``stress``; ``headline`` gathers the overview's tiles and ``report`` what
``assurance figures --json`` prints. Their SQL lives in ``data_access.queries``, one module per
family, so each predicate is written once."""
