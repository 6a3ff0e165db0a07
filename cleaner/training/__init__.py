"""Training: corpus builders, the shipped model's recipe, training, scores and pre-labelling.

Never imported when cleaning (tests/test_layout.py checks it): `cleaner clean`
needs only readers/, features/, model/ and batch/.
"""
