"""The evaluation protocol: the conventions behind a published number, as pure functions.

Profiles name the choices (GT crop, LR resize, channel, border, SR rounding); resize, colour and
metrics reproduce MATLAB; pairs make the cached HR/LR pairs a profile prescribes.
"""
