"""The line classifier and its files: estimators, model folders and cards, routing.

Training (scikit-learn): classifier.py (`LineClassifier`, two stacked passes),
paired.py (`PairedModel`, one for text dumps and one for HTML), site.py
(`SiteModel`, a base model refitted on a few pages of one site); each
`export()`s its trees as arrays. Cleaning (no scikit-learn): trees.py (packed
trees, walked by the `_treewalk` extension or numpy), stacking.py, predictor.py
(the models a file describes), files.py (model folders: `model.npz` and the
`model.json` card, loaded once per process), routing.py (each page to the site
model bound to its host, `cleaner clean --models`).
"""
