# The same shapes as English ("5 Dic 2026, 16:57"; within this year "5 Dic, 16:57"), not Django's "05/12/2026
# 16:57": one format per language, the same on every page (mutualaid/core/dates.py picks the short one this year).
from mutualaid.formats.en.formats import *  # noqa: F403
