"""The claim reviewers' use cases: queue, claim view, decisions, recommendations, deadlines,
exports."""
