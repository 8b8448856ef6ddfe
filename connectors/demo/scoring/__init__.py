"""Scoring the warehouse against the truth of the world it was loaded from (`connectors.demo`).

`identities`: how well people resolution recovers the world's persons; `awaiting`: how well
`awaiting_reply` recovers the threads that wait on a reply; `metrics`: how well the relationship
metrics recover the latent tie strengths. Each takes an open warehouse connection and the world's
truth file. Used by the quality tests (which assert the floors) and the benchmark scripts (which
print the figures); the pipeline itself never sees the truth.
"""
