"""Working-time units shared by the mechanisms, each with its source."""

# NHS Agenda for Change full-time week (also NHS Digital's workforce FTE: 1.0 FTE = 37.5 hours a week)
FULL_TIME_HOURS_PER_WEEK = 37.5
# Monday to Friday: the in-hours working week of general practice
WORKING_DAYS_PER_WEEK = 5.0
# minutes of one full-time working day: 37.5 h / 5 days x 60 = 450 minutes (7.5 hours)
FULL_TIME_MINUTES_PER_DAY = FULL_TIME_HOURS_PER_WEEK / WORKING_DAYS_PER_WEEK * 60.0
# mean length of a calendar month in days (Gregorian year / 12)
DAYS_PER_MONTH = 365.25 / 12
