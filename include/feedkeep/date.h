/* date.h - parsing the dates feeds send, and printing them as ISO 8601.
 *
 * Times are seconds since 1970-01-01T00:00:00Z in an int64_t, always UTC.
 * FK_TIME_NONE stands for "no date" (absent or unparseable), never "now".
 */
#ifndef FEEDKEEP_DATE_H
#define FEEDKEEP_DATE_H

#include <stddef.h>
#include <stdint.h>

#define FK_TIME_NONE INT64_MIN

/* Parse a feed date: RFC 822 and its real-world variants (named and military
 * zones, GMT+hh:mm, missing seconds or weekday, two-digit years, full month
 * names), RFC 3339 / W3C-DTF / ISO 8601 (fractions, offsets, reduced
 * precision, ordinal dates), asctime. Leading and trailing space is ignored.
 * Returns the UTC time, or FK_TIME_NONE when s is NULL or not a date. */
int64_t fk_date_parse(const char *s);

/* Parse a date given by a user on the command line: an ISO 8601 date
 * ("2026-06-01", taken as 00:00:00Z) or date-time ("2026-06-01T10:00:00Z",
 * "2026-06-01 10:00", "2026-06-01T10:00:00+02:00"; no offset means UTC).
 * Only the full YYYY-MM-DD form of the date is taken, so a value of ten
 * characters is always a date alone. Returns FK_TIME_NONE when it is not
 * one. */
int64_t fk_date_parse_iso(const char *s);

/* Days since 1970-01-01 (negative before) of a proleptic Gregorian date.
 * day is not checked against the month, so day 0 or 32 count on into the
 * neighbouring month. Returns FK_TIME_NONE when month is not 1-12 or year is
 * beyond +-1,000,000,000. */
int64_t fk_date_days_from_civil(int64_t year, int month, int day);

/* Write t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least FK_DATE_BUFSIZE
 * bytes), the year zero-padded to four digits ("0099"); every time
 * fk_date_parse returns has a year of 0000-9999. FK_TIME_NONE writes "".
 * Returns out. */
#define FK_DATE_BUFSIZE 32
char *fk_date_format(int64_t t, char *out);

#endif
