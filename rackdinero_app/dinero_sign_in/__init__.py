"""Signing in to Dinero with Visma Connect (DESIGN §2 b), for any flow that needs it.

``flow`` is the sign-in and its seam (``register``/``begin``/``start_url`` → a continuation
receives the verified company and tokens), ``pending`` keeps a sign-in in Redis, ``window`` is
the top-level window it runs in, ``messages`` says what went wrong. The API-key sign-in lives
with activation (``embedded/activation``), which is also the first user of this one.
"""
