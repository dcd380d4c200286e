/* fuzz_date.c - libFuzzer harness: the date parsers on the input as a
 * string, and the calendar arithmetic on the input as numbers.
 *
 * Checked for every input (date.h's promises):
 *   - a parsed time prints as "YYYY-MM-DDTHH:MM:SSZ" with a year of
 *     0000-9999, and that text parses back to the same time, with both
 *     parsers;
 *   - space around a date does not change it;
 *   - fk_date_days_from_civil counts days one by one (day 0 and day 32 run
 *     on into the next month) and a 400-year cycle has 146097 days.
 */
#include <string.h>

#include "feedkeep/date.h"
#include "fuzz.h"

static void check_round_trip(int64_t t)
{
    char out[FK_DATE_BUFSIZE];
    if (t == FK_TIME_NONE)
        return;
    fk_date_format(t, out);
    FUZZ_CHECK(strlen(out) == 20 && out[4] == '-' && out[10] == 'T' && out[19] == 'Z');
    FUZZ_CHECK(fk_date_parse(out) == t);
    FUZZ_CHECK(fk_date_parse_iso(out) == t);
}

static void check_calendar(const uint8_t *data, size_t size)
{
    int64_t year = 0;
    if (size < sizeof year + 2)
        return;
    memcpy(&year, data, sizeof year);
    year %= 1000000000; /* the range the function takes */
    int month = 1 + data[sizeof year] % 12;
    int day = data[sizeof year + 1] % 33;
    int64_t days = fk_date_days_from_civil(year, month, day);
    FUZZ_CHECK(days != FK_TIME_NONE);
    FUZZ_CHECK(fk_date_days_from_civil(year, month, day + 1) == days + 1);
    if (year < 1000000000 - 400)
        FUZZ_CHECK(fk_date_days_from_civil(year + 400, month, day) == days + 146097);
    FUZZ_CHECK(fk_date_days_from_civil(year, 0, day) == FK_TIME_NONE);
    FUZZ_CHECK(fk_date_days_from_civil(year, 13, day) == FK_TIME_NONE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    int64_t t = fk_date_parse(s);
    check_round_trip(t);
    int64_t iso = fk_date_parse_iso(s);
    check_round_trip(iso);

    char *padded = malloc(size + 3);
    if (!padded)
        abort();
    padded[0] = ' ';
    memcpy(padded + 1, s, strlen(s));
    memcpy(padded + 1 + strlen(s), " ", 2);
    FUZZ_CHECK(fk_date_parse(padded) == t);
    FUZZ_CHECK(fk_date_parse_iso(padded) == iso);
    free(padded);
    free(s);

    check_calendar(data, size);
    return 0;
}
