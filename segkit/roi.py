"""Former name of :mod:`segkit.campaign` (campaign ROI), kept only until its last importer moves.

Everything that lived here is now in the subpackage :mod:`segkit.campaign`, one module per job.
``tests/test_corpus.py`` still imports ``segkit.roi``; once it imports :mod:`segkit.campaign`,
delete this file.
"""

from segkit.campaign import *  # noqa: F401,F403
from segkit.campaign import __all__  # noqa: F401
