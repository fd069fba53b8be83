"""English: "4 Dec 2026", "4 Dec 2026, 21:37", "21:37" (config/formats/common.py says why)."""

from config.formats.common import *  # noqa: F403

DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
