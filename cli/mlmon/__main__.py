"""``python -m mlmon``: the same as the ``mlmon`` executable."""

from mlmon.entry import main

try:
    main()
finally:
    # CPython (3.8 and later) remembers a KeyboardInterrupt that ended a string exec() even when a
    # caller caught it, and `python -m` then exits by SIGINT whatever the exit code. dataclasses and
    # namedtuple run exec() on import, so a Ctrl-C that mlmon handles (mlmon up stops its stack and
    # exits 0) could still end the process as "killed by SIGINT". A string exec resets that flag;
    # a KeyboardInterrupt that really escapes sets it again on the way out.
    exec("None")
