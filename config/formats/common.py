"""What both languages share: one format per kind (a date, a moment, a time of day), so that a
table and a sentence show the same day alike, and dates are typed and read year first (ISO
8601) whatever the language: no month-first order, and the value a date input needs."""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
