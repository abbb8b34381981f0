"""The programme policy as an ops manager manages it: stored versions, drafts, four-eyes
activation and the what-if simulation of a draft over past claims."""
