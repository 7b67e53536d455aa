"""The spec's ``storage`` section: where Prometheus keeps metrics for the long term, and the
series budget lint enforces.

``schema`` holds the fragment and every default, ``model`` the compiled settings, ``compile`` the
pass that checks them (once for the whole spec, in any one file). ``render.storage`` turns them
into ``remote_write`` blocks of ``prometheus.yml`` and Thanos' ``objstore.yml``.
"""
