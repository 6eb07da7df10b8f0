"""Dates, times and numbers in Filipino as people in Manila write them
(docs/glossary-fil.md): "9 Ene 2027", "Sabado, 9 Enero", "9:00 n.u." on a
12-hour clock (Django's "a" is translated: a.m. → n.u., p.m. → n.h.), and
₱1,234.50. Month and day names come from locale_libraries/fil."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = "j M Y, g:i a"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, g:i a"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 0  # Linggo
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
