"""Importing this lowers the importing process's CPU priority, and nothing else.

It is named only as the first module the render processes' fork server preloads
(`folio.content.bounded`), so that the fork server's own start, which imports the
renderer (~0.5 s of CPU), runs below the workers loading the catalogue beside it, as
the render processes forked from it do. Nothing else may import it.
"""

import contextlib
import os

#: As `folio.content.bounded.NICENESS` (a test holds them equal).
NICENESS = 10

with contextlib.suppress(OSError):
    os.nice(NICENESS)
