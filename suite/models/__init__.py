"""Models: architectures, the zoo of published checkpoints, and getting verified weights in.

Nothing here knows about datasets or metrics: a model is built, its checkpoint found, checked
against the recorded sha256 and loaded strictly.
"""
