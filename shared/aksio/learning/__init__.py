"""Learning: study plans, study sessions and progress.

The plan's domain core is pure (no I/O): ``planning`` turns a ``PlanRequest``
into a ``Plan``, ``effort`` says how long each section takes, ``calendar``
which days can hold sessions, and ``constraints`` re-checks any plan against
its request independently of how it was made.
"""
