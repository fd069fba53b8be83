"""简体中文: "2026年12月4日", "2026年12月4日 21:37", "21:37" (config/formats/common.py says why)."""

from config.formats.common import *  # noqa: F403

DATE_FORMAT = SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
