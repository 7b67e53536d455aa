"""The spec's Kubernetes deployment: ``deploy.kubernetes`` (where and how the prometheus-operator
objects go) and each model's ``serving.kubernetes`` (how its pods are scraped).

``schema`` holds the fragments and every default, ``names`` the Kubernetes naming rules,
``model`` the compiled settings, ``compile`` the pass that resolves them after the models are
compiled, and ``traps`` the warnings about prometheus-operator behaviour that silently drops
alerts or rules.
"""
