/* date.c - the dates feeds send, to UTC seconds; and UTC seconds to ISO 8601.
 *
 * Two readers share one set of helpers: an ISO 8601 / W3C-DTF / RFC 3339
 * reader and a reader for RFC 822 and the textual variants that grew around
 * it (asctime, "Jan 4, 2004", Perforce's "2006/09/15"). Each works on the
 * string with a cursor that only moves forward over bytes it has seen not to
 * be NUL, and reads numbers by counting digits first, so no input can make it
 * read past the end or overflow.
 *
 * Calendar arithmetic is our own on int64_t, not time_t/timegm: feeds carry
 * years like 0099, and the result must not depend on the C library or the
 * local time zone. Nothing here looks at the clock: a date that needs "this
 * year" to be complete ("--12-31") is not a date.
 */
#include "feedkeep/date.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "feedkeep/ascii.h" /* the locale must not change what a date means */
#include "feedkeep/utf8.h"

#define SECONDS_PER_DAY 86400
/* The years a parsed date may land in: what "YYYY" can print. */
#define YEAR_MIN 0
#define YEAR_MAX 9999
/* fk_date_days_from_civil refuses years beyond this, which keeps its
 * arithmetic far from int64_t overflow. */
#define CIVIL_YEAR_LIMIT INT64_C(1000000000)
/* Longest word we try to recognise (month, weekday, zone); longer words are
 * read over but match nothing. */
#define WORD_MAX 16

/* Month names, lower case, in UTF-8: English, and the languages of Europe
 * that feeds are written in with their own month names (French, German,
 * Spanish, Italian, Portuguese, Dutch, Danish, Norwegian, Swedish). A word
 * is a month when it is one of these or a prefix of three letters or more
 * of one: "Sept", "janv.", "févr.", "Mär", "okt", "dic". A prefix that would
 * name two months ("jui": juin or juillet) names none. */
static const struct {
    const char *name;
    int month;
} month_names[] = {
    /* English */
    {"january", 1},
    {"february", 2},
    {"march", 3},
    {"april", 4},
    {"may", 5},
    {"june", 6},
    {"july", 7},
    {"august", 8},
    {"september", 9},
    {"october", 10},
    {"november", 11},
    {"december", 12},
    /* French */
    {"janvier", 1},
    {"f\xc3\xa9vrier", 2},
    {"fevrier", 2},
    {"mars", 3},
    {"avril", 4},
    {"mai", 5},
    {"juin", 6},
    {"juillet", 7},
    {"ao\xc3\xbbt", 8},
    {"aout", 8},
    {"septembre", 9},
    {"octobre", 10},
    {"novembre", 11},
    {"d\xc3\xa9"
     "cembre",
     12},
    {"decembre", 12},
    /* German */
    {"januar", 1},
    {"j\xc3\xa4nner", 1},
    {"februar", 2},
    {"m\xc3\xa4rz", 3},
    {"maerz", 3},
    {"mrz", 3},
    {"juni", 6},
    {"juli", 7},
    {"oktober", 10},
    {"dezember", 12},
    /* Spanish */
    {"enero", 1},
    {"febrero", 2},
    {"marzo", 3},
    {"abril", 4},
    {"mayo", 5},
    {"junio", 6},
    {"julio", 7},
    {"agosto", 8},
    {"septiembre", 9},
    {"setiembre", 9},
    {"octubre", 10},
    {"noviembre", 11},
    {"diciembre", 12},
    /* Italian */
    {"gennaio", 1},
    {"febbraio", 2},
    {"aprile", 4},
    {"maggio", 5},
    {"giugno", 6},
    {"luglio", 7},
    {"settembre", 9},
    {"ottobre", 10},
    {"dicembre", 12},
    /* Portuguese */
    {"janeiro", 1},
    {"fevereiro", 2},
    {"mar\xc3\xa7o", 3},
    {"marco", 3},
    {"maio", 5},
    {"junho", 6},
    {"julho", 7},
    {"setembro", 9},
    {"outubro", 10},
    {"dezembro", 12},
    /* Dutch */
    {"januari", 1},
    {"februari", 2},
    {"maart", 3},
    {"mrt", 3},
    {"mei", 5},
    {"augustus", 8},
    /* Danish, Norwegian, Swedish */
    {"marts", 3},
    {"maj", 5},
    {"augusti", 8},
    {"desember", 12},
};

static const char *const weekday_names[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

struct zone {
    const char *name;
    int minutes;       /* east of UTC */
    bool takes_offset; /* "GMT+01:00", "UTC-5": the name is only a prefix */
};

/* Zone names as feeds write them, in lower case. Ambiguous abbreviations
 * (IST: India, Ireland or Israel) are left out on purpose and fall to the
 * unknown-abbreviation rule in parse_zone. */
static const struct zone zones[] = {
    /* Universal time */
    {"z", 0, false},
    {"ut", 0, true},
    {"utc", 0, true},
    {"gmt", 0, true},
    {"uct", 0, false},
    {"zulu", 0, false},
    {"etc/gmt", 0, false},
    {"etc/utc", 0, false},
    {"etc/uct", 0, false},
    {"etc/zulu", 0, false},
    {"etc/universal", 0, false},
    /* North America; RFC 822 names plus the daylight-neutral ones feeds use */
    {"est", -300, false},
    {"edt", -240, false},
    {"et", -300, false},
    {"cst", -360, false},
    {"cdt", -300, false},
    {"ct", -360, false},
    {"mst", -420, false},
    {"mdt", -360, false},
    {"mt", -420, false},
    {"pst", -480, false},
    {"pdt", -420, false},
    {"pt", -480, false},
    {"ast", -240, false},
    {"adt", -180, false},
    {"at", -240, false},
    {"nst", -210, false},
    {"ndt", -150, false},
    {"akst", -540, false},
    {"akdt", -480, false},
    {"hst", -600, false},
    /* Europe */
    {"wet", 0, false},
    {"west", 60, false},
    {"bst", 60, false},
    {"cet", 60, false},
    {"cest", 120, false},
    {"met", 60, false},
    {"mest", 120, false},
    {"mez", 60, false},
    {"mesz", 120, false},
    {"eet", 120, false},
    {"eest", 180, false},
    {"msk", 180, false},
    /* Asia and Oceania */
    {"hkt", 480, false},
    {"sgt", 480, false},
    {"jst", 540, false},
    {"kst", 540, false},
    {"awst", 480, false},
    {"acst", 570, false},
    {"acdt", 630, false},
    {"aest", 600, false},
    {"aedt", 660, false},
    {"nzst", 720, false},
    {"nzdt", 780, false},
    /* Military zones, with the signs RFC 822 gives them (A is -1, N is +1).
     * RFC 1123 says those signs are backwards and RFC 2822 says to read the
     * letters as -0000; we keep RFC 822's table because that is what the
     * programs writing these letters followed, and it is what feedparser
     * does. J (local time) is not a zone. */
    {"a", -60, false},
    {"b", -120, false},
    {"c", -180, false},
    {"d", -240, false},
    {"e", -300, false},
    {"f", -360, false},
    {"g", -420, false},
    {"h", -480, false},
    {"i", -540, false},
    {"k", -600, false},
    {"l", -660, false},
    {"m", -720, false},
    {"n", 60, false},
    {"o", 120, false},
    {"p", 180, false},
    {"q", 240, false},
    {"r", 300, false},
    {"s", 360, false},
    {"t", 420, false},
    {"u", 480, false},
    {"v", 540, false},
    {"w", 600, false},
    {"x", 660, false},
    {"y", 720, false},
};

/* A date as read, before it is checked. */
struct fields {
    int64_t year;
    int month;
    int day;
    bool is_ordinal; /* written as a year and a day of the year */
    int ordinal;     /* that day, 1-366, in place of month and day */
    int hour;
    int minute;
    int second;
    int offset; /* minutes east of UTC */
};

static void skip_space(const char **p)
{
    while (fk_is_space(**p))
        (*p)++;
}

/* Between the parts of a textual date: "Thu,  5 Apr 2012", "Fri,24 Nov",
 * "Mon, 13 Feb, 2012". */
static void skip_date_separators(const char **p)
{
    while (fk_is_space(**p) || **p == ',')
        (*p)++;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Read a run of digits, returning its length. The value of a run of nine
 * digits or fewer is stored in *value; callers reject longer runs, so the
 * value of those never matters and never overflows. */
static int read_digits(const char **p, int *value)
{
    int count = 0;
    int v = 0;
    while (fk_is_digit(**p)) {
        if (count < 9)
            v = v * 10 + (**p - '0');
        count++;
        (*p)++;
    }
    *value = v;
    return count;
}

/* Read exactly n digits (no more follow) into *value. */
static bool read_fixed(const char **p, int n, int *value)
{
    return read_digits(p, value) == n;
}

/* Whether c is a byte of a UTF-8 sequence: month names outside English
 * have letters beyond ASCII ("févr", "Mär"). */
static bool is_high(char c)
{
    return (unsigned char)c >= 0x80;
}

/* Read a word into out, lower-cased. Letters and bytes of UTF-8 sequences
 * (of which the capitals of Latin-1, "É", are lower-cased too), or for zone
 * names also '/' and '_' after the first letter ("Etc/GMT"). Returns the
 * word's length in bytes; a word of WORD_MAX bytes or more is read over but
 * left empty in out. */
static size_t read_word(const char **p, char out[WORD_MAX], bool zone_chars)
{
    size_t len = 0;
    bool capital_next = false; /* the last byte was 0xC3 */
    while (fk_is_alpha(**p) || is_high(**p) ||
           (zone_chars && len > 0 && (**p == '/' || **p == '_'))) {
        unsigned char c = (unsigned char)**p;
        /* U+00C0..U+00DE but U+00D7 (x): 0xC3 0x80..0x9E, lower case 0x20 on */
        if (capital_next && c >= 0x80 && c <= 0x9E && c != 0x97)
            c = (unsigned char)(c + 0x20);
        capital_next = c == 0xC3;
        if (len < WORD_MAX - 1)
            out[len] = fk_ascii_lower((char)c);
        len++;
        (*p)++;
    }
    out[len < WORD_MAX ? len : 0] = '\0';
    return len < WORD_MAX ? len : 0;
}

/* Index of the name that word abbreviates (three letters or more), or -1. */
static int match_name(const char *const *names, int count, const char *word, size_t len)
{
    if (len < 3)
        return -1;
    for (int i = 0; i < count; i++)
        if (strlen(names[i]) >= len && memcmp(names[i], word, len) == 0)
            return i;
    return -1;
}

/* The month (1-12) a word names, or 0: see month_names. */
static int month_of(const char *word, size_t len)
{
    int month = 0;
    if (fk_utf8_count(word, len) < 3)
        return 0;
    for (size_t i = 0; i < sizeof month_names / sizeof month_names[0]; i++) {
        const char *name = month_names[i].name;
        if (strlen(name) < len || memcmp(name, word, len) != 0)
            continue;
        if (strlen(name) == len)
            return month_names[i].month; /* a whole name is never ambiguous */
        if (month && month != month_names[i].month)
            return 0;
        month = month_names[i].month;
    }
    return month;
}

/* A month name, and the period of an abbreviation ("janv."). */
static int read_month(const char **p)
{
    char word[WORD_MAX];
    size_t len = read_word(p, word, false);
    int month = month_of(word, len);
    if (month && **p == '.')
        (*p)++;
    return month;
}

static const struct zone *find_zone(const char *word)
{
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (strcmp(zones[i].name, word) == 0)
            return &zones[i];
    return NULL;
}

/* "+hh", "+hhmm", "+hh:mm" (and "+h", "+h:mm", seen after "GMT"), at a sign. */
static bool parse_numeric_offset(const char **p, int *minutes)
{
    int sign = (**p == '-') ? -1 : 1;
    int hours, mins = 0, n;

    (*p)++;
    n = read_digits(p, &hours);
    if (n == 4) {
        mins = hours % 100;
        hours /= 100;
    } else if (n == 1 || n == 2) {
        if (**p == ':') {
            (*p)++;
            if (!read_fixed(p, 2, &mins))
                return false;
        }
    } else {
        return false;
    }
    if (hours > 23 || mins > 59)
        return false;
    *minutes = sign * (hours * 60 + mins);
    return true;
}

/* Read a time zone at *p: a numeric offset, or (when names is set) a name
 * from zones[], possibly followed by an offset ("GMT-01:01"). Returns false
 * when what is there is not a zone, which makes the whole date invalid. */
static bool parse_zone(const char **p, int *minutes, bool names)
{
    char word[WORD_MAX];
    const struct zone *zone;
    size_t len;

    if (**p == '+' || **p == '-')
        return parse_numeric_offset(p, minutes);
    if (!fk_is_alpha(**p))
        return false;
    len = read_word(p, word, true);
    if (len == 0)
        return false;
    if (!names && strcmp(word, "z") != 0)
        return false;
    zone = find_zone(word);
    if (zone) {
        if (zone->takes_offset && (**p == '+' || **p == '-'))
            return parse_numeric_offset(p, minutes);
        *minutes = zone->minutes;
        return true;
    }
    /* An abbreviation we do not know ("IST", "SAST") still ends a date whose
     * day is right; reading it as UTC, as feedparser does, costs hours at
     * most, while giving up would lose the date (the raw string is kept
     * either way). Longer words are not zone abbreviations. */
    for (size_t i = 0; i < len; i++)
        if (!fk_is_alpha(word[i]))
            return false;
    if (len < 2 || len > 5)
        return false;
    *minutes = 0;
    return true;
}

static bool is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (month == 2 && is_leap(year)) ? 29 : days[month - 1];
}

/* RFC 2822 section 4.3: two-digit years below 50 are 20xx, the others 19xx.
 * ISO 8601's truncated years get the same rule, so the answer does not
 * depend on the clock. */
static int64_t expand_two_digit_year(int yy)
{
    return yy < 50 ? 2000 + yy : 1900 + yy;
}

/* Check the fields and turn them into seconds since the epoch, or
 * FK_TIME_NONE. */
static int64_t fields_to_time(const struct fields *f)
{
    int64_t days, t;

    if (f->year < YEAR_MIN || f->year > YEAR_MAX)
        return FK_TIME_NONE;
    if (f->is_ordinal) {
        if (f->ordinal < 1 || f->ordinal > (is_leap(f->year) ? 366 : 365))
            return FK_TIME_NONE;
        days = fk_date_days_from_civil(f->year, 1, 1) + f->ordinal - 1;
    } else {
        if (f->month < 1 || f->month > 12 || f->day < 1 ||
            f->day > days_in_month(f->year, f->month))
            return FK_TIME_NONE;
        days = fk_date_days_from_civil(f->year, f->month, f->day);
    }
    /* 24:00:00 is ISO 8601's end of the day; second 60 is a leap second,
     * which rolls over into the next minute like feedparser's does. */
    if (f->hour < 0 || f->hour > 24 || f->minute < 0 || f->minute > 59 || f->second < 0 ||
        f->second > 60)
        return FK_TIME_NONE;
    if (f->hour == 24 && (f->minute != 0 || f->second != 0))
        return FK_TIME_NONE;
    t = days * SECONDS_PER_DAY + f->hour * 3600 + f->minute * 60 + f->second -
        (int64_t)f->offset * 60;
    if (t < fk_date_days_from_civil(YEAR_MIN, 1, 1) * SECONDS_PER_DAY ||
        t >= fk_date_days_from_civil(YEAR_MAX + 1, 1, 1) * SECONDS_PER_DAY)
        return FK_TIME_NONE;
    return t;
}

/* --- ISO 8601, W3C-DTF, RFC 3339 ------------------------------------------ */

/* "hh:mm:ss", "hh:mm", "hh", "hhmmss", "hhmm", each with an optional
 * fraction of the last part, which is dropped. */
static bool parse_iso_time(const char **p, struct fields *f)
{
    int v, n;

    n = read_digits(p, &v);
    if (n == 6) {
        f->hour = v / 10000;
        f->minute = v / 100 % 100;
        f->second = v % 100;
    } else if (n == 4) {
        f->hour = v / 100;
        f->minute = v % 100;
    } else if (n == 2) {
        f->hour = v;
        if (**p == ':') {
            (*p)++;
            if (!read_fixed(p, 2, &f->minute))
                return false;
            if (**p == ':') {
                (*p)++;
                if (!read_fixed(p, 2, &f->second))
                    return false;
            }
        }
    } else {
        return false;
    }
    if ((**p == '.' || **p == ',') && fk_is_digit((*p)[1])) {
        (*p)++;
        while (fk_is_digit(**p))
            (*p)++;
    }
    return true;
}

/* The date part of an ISO 8601 string. Sets *complete when the day is known,
 * the only case where a time may follow. With user set, only the extended
 * calendar date YYYY-MM-DD is taken. */
static bool parse_iso_date(const char **p, struct fields *f, bool user, bool *complete)
{
    const char *run = *p;
    int v, n;

    f->month = 1;
    f->day = 1;
    *complete = false;

    if (**p == '-') {
        /* Truncated forms with a two-digit year: "-YY", "-YYMM", "-YY-MM".
         * The forms without a year ("--MM-DD", "-DDD") would need today's
         * year, and a date never comes from the clock. */
        if (user)
            return false;
        (*p)++;
        n = read_digits(p, &v);
        if (n == 4) {
            f->year = expand_two_digit_year(v / 100);
            f->month = v % 100;
        } else if (n == 2) {
            f->year = expand_two_digit_year(v);
            if (**p == '-' && fk_is_digit((*p)[1])) {
                (*p)++;
                if (!read_fixed(p, 2, &f->month))
                    return false;
            }
        } else {
            return false;
        }
        return true;
    }

    n = read_digits(p, &v);
    if (user && n != 4)
        return false;
    switch (n) {
    case 8: /* YYYYMMDD */
        f->year = v / 10000;
        f->month = v / 100 % 100;
        f->day = v % 100;
        break;
    case 7: /* YYYYDDD */
        f->year = v / 1000;
        f->is_ordinal = true;
        f->ordinal = v % 1000;
        break;
    case 6: /* YYMMDD */
        f->year = expand_two_digit_year(v / 10000);
        f->month = v / 100 % 100;
        f->day = v % 100;
        break;
    case 5:
        /* YYDDD, or a five-digit year ("22013"), which is out of range.
         * A leading zero can only be the padding of a two-digit year, so
         * only then is it read as an ordinal date. */
        if (run[0] != '0')
            return false;
        f->year = expand_two_digit_year(v / 1000);
        f->is_ordinal = true;
        f->ordinal = v % 1000;
        break;
    case 4: /* YYYY, YYYY-MM, YYYY-MM-DD, YYYY-DDD, YYYY-0MM-DD */
        f->year = v;
        if (**p != '-' || !fk_is_digit((*p)[1]))
            return !user;
        (*p)++;
        run = *p;
        n = read_digits(p, &v);
        if (n == 3 && run[0] == '0' && **p == '-' && !user) {
            /* "2003-012-31": a month padded to three digits */
            f->month = v;
        } else if (n == 3 && !user) {
            f->is_ordinal = true;
            f->ordinal = v;
            *complete = true;
            return true;
        } else if (n == 2) {
            f->month = v;
        } else {
            return false;
        }
        if (**p != '-' || !fk_is_digit((*p)[1]))
            return !user;
        (*p)++;
        if (!read_fixed(p, 2, &f->day))
            return false;
        *complete = true;
        return true;
    case 2: /* YY-MM-DD, YY-DDD */
        f->year = expand_two_digit_year(v);
        if (**p != '-')
            return false;
        (*p)++;
        n = read_digits(p, &v);
        if (n == 3) {
            f->is_ordinal = true;
            f->ordinal = v;
            break;
        }
        if (n != 2 || **p != '-')
            return false;
        f->month = v;
        (*p)++;
        if (!read_fixed(p, 2, &f->day))
            return false;
        break;
    default:
        return false;
    }
    *complete = true;
    return true;
}

static int64_t parse_iso(const char *p, bool user)
{
    struct fields f = {0};
    bool complete;

    skip_space(&p);
    if (!parse_iso_date(&p, &f, user, &complete))
        return FK_TIME_NONE;
    if (complete) {
        const char *q = p;
        bool timed = false;
        if (*q == 'T' || *q == 't') {
            q++;
            timed = fk_is_digit(*q);
        } else if (fk_is_space(*q)) {
            /* "2004-07-08 23:56:58", as SQL databases print it */
            skip_space(&q);
            timed = fk_is_digit(*q);
        }
        if (timed) {
            p = q;
            if (!parse_iso_time(&p, &f))
                return FK_TIME_NONE;
            q = p;
            skip_space(&q);
            if (*q == '+' || *q == '-' || fk_is_alpha(*q)) {
                p = q;
                if (!parse_zone(&p, &f.offset, !user))
                    return FK_TIME_NONE;
            }
        }
    }
    skip_space(&p);
    if (*p != '\0')
        return FK_TIME_NONE;
    return fields_to_time(&f);
}

/* --- RFC 822 and its relatives ------------------------------------------- */

/* A year in a textual date: four digits as written, three digits + 1900
 * and two digits by the RFC 2822 rule (section 4.3). */
static bool parse_text_year(const char **p, int64_t *year)
{
    int v;
    int n = read_digits(p, &v);
    if (n == 4)
        *year = v;
    else if (n == 3)
        *year = 1900 + v;
    else if (n == 2)
        *year = expand_two_digit_year(v);
    else
        return false;
    return true;
}

/* "h:m", "h:m:s", each part one or two digits, with an optional fraction of
 * the seconds. A fourth part ("1:2:3:4") is left behind and fails the date. */
static bool parse_text_time(const char **p, struct fields *f)
{
    int n = read_digits(p, &f->hour);
    if (n < 1 || n > 2 || **p != ':')
        return false;
    (*p)++;
    n = read_digits(p, &f->minute);
    if (n < 1 || n > 2)
        return false;
    if (**p == ':' && fk_is_digit((*p)[1])) {
        (*p)++;
        n = read_digits(p, &f->second);
        if (n < 1 || n > 2)
            return false;
        if (**p == '.' && fk_is_digit((*p)[1])) {
            (*p)++;
            while (fk_is_digit(**p))
                (*p)++;
        }
    }
    return true;
}

/* "AM" or "PM" after a time: a 12-hour clock. Returns false on a clock
 * reading that cannot be a 12-hour one. */
static bool apply_meridiem(const char **p, struct fields *f)
{
    char word[WORD_MAX];
    const char *q = *p;
    bool pm;

    if (!fk_is_alpha(*q))
        return true;
    read_word(&q, word, false);
    if (strcmp(word, "am") == 0)
        pm = false;
    else if (strcmp(word, "pm") == 0)
        pm = true;
    else
        return true;
    if (f->hour < 1 || f->hour > 12)
        return false;
    f->hour = f->hour % 12 + (pm ? 12 : 0);
    *p = q;
    return true;
}

/* The day, month and year of a textual date, in any of the orders feeds
 * use:
 *   "13 Feb 2012", "13-Feb-2012" (RFC 822, RFC 850)
 *   "2006/09/15"                 (Perforce)
 *   "Aug 30 2012", "January 26, 2004"
 *   "Jan  4 16:29:06 2004"       (asctime: the year comes after the time)
 * Sets *year_later for the last one. */
static bool parse_text_date(const char **p, struct fields *f, bool *year_later)
{
    const char *q;
    int v, n;

    *year_later = false;
    if (fk_is_digit(**p)) {
        n = read_digits(p, &v);
        if (n == 4 && **p == '/') {
            f->year = v;
            (*p)++;
            n = read_digits(p, &f->month);
            if (n < 1 || n > 2 || **p != '/')
                return false;
            (*p)++;
            n = read_digits(p, &f->day);
            return n >= 1 && n <= 2;
        }
        if (n < 1 || n > 2)
            return false;
        f->day = v;
        if (**p == '-')
            (*p)++;
        else
            skip_date_separators(p);
        f->month = read_month(p);
        if (f->month == 0)
            return false;
        if (**p == '-')
            (*p)++;
        else
            skip_date_separators(p);
        return parse_text_year(p, &f->year);
    }

    f->month = read_month(p);
    if (f->month == 0)
        return false;
    skip_date_separators(p);
    n = read_digits(p, &f->day);
    if (n < 1 || n > 2)
        return false;
    skip_date_separators(p);
    q = *p;
    read_digits(&q, &v);
    if (*q == ':') {
        *year_later = true;
        return true;
    }
    return parse_text_year(p, &f->year);
}

/* Skip an RFC 822 comment, "(PDT)", as JavaScript's Date.toString() and some
 * mailers add after the zone. */
static bool skip_comment(const char **p)
{
    int depth = 0;
    do {
        if (**p == '(')
            depth++;
        else if (**p == ')')
            depth--;
        else if (**p == '\0')
            return false;
        (*p)++;
    } while (depth > 0);
    return true;
}

/* A textual date after its weekday. */
static int64_t parse_text_after_weekday(const char *p)
{
    struct fields f = {0};
    bool year_later;

    if (!parse_text_date(&p, &f, &year_later))
        return FK_TIME_NONE;

    skip_date_separators(&p);
    if (fk_is_digit(*p)) {
        if (!parse_text_time(&p, &f))
            return FK_TIME_NONE;
        skip_space(&p);
        if (!apply_meridiem(&p, &f))
            return FK_TIME_NONE;
        skip_space(&p);
    }
    if (*p == '+' || *p == '-' || fk_is_alpha(*p)) {
        if (!parse_zone(&p, &f.offset, true))
            return FK_TIME_NONE;
        skip_space(&p);
    }
    if (year_later) {
        /* asctime, or date(1) and Twitter's "Sun Jul 15 01:16:00 +0000 2012" */
        if (!parse_text_year(&p, &f.year))
            return FK_TIME_NONE;
        skip_space(&p);
    }
    if (*p == '(') {
        if (!skip_comment(&p))
            return FK_TIME_NONE;
        skip_space(&p);
    }
    if (*p != '\0')
        return FK_TIME_NONE;
    return fields_to_time(&f);
}

static int64_t parse_text(const char *p)
{
    char word[WORD_MAX];
    const char *q;
    size_t len;

    skip_space(&p);
    /* The weekday is optional and never checked against the date: feeds get
     * it wrong more often than the date itself. An English one is known by
     * name. In other languages ("mer", "Di.", "sáb") it is any word before a
     * comma, which may be a month too ("mar." is mardi in French, or March):
     * the date is read without the word, and if that fails, with it
     * ("January, 26 2004"). */
    q = p;
    len = read_word(&q, word, false);
    if (*q == '.')
        q++;
    if (match_name(weekday_names, 7, word, len) >= 0) {
        skip_date_separators(&q);
        return parse_text_after_weekday(q);
    }
    if (len > 0 && *q == ',') {
        skip_date_separators(&q);
        int64_t t = parse_text_after_weekday(q);
        if (t != FK_TIME_NONE)
            return t;
    }
    return parse_text_after_weekday(p);
}

/* --- public functions -------------------------------------------------------- */

int64_t fk_date_parse(const char *s)
{
    int64_t t;

    if (!s)
        return FK_TIME_NONE;
    t = parse_iso(s, false);
    if (t == FK_TIME_NONE)
        t = parse_text(s);
    return t;
}

int64_t fk_date_parse_iso(const char *s)
{
    if (!s)
        return FK_TIME_NONE;
    return parse_iso(s, true);
}

int64_t fk_date_days_from_civil(int64_t year, int month, int day)
{
    int64_t y, era, year_of_era, day_of_year, day_of_era;
    int month_from_march;

    if (month < 1 || month > 12 || year < -CIVIL_YEAR_LIMIT || year > CIVIL_YEAR_LIMIT)
        return FK_TIME_NONE;
    /* Count years from March 1st, so that February's leap day is the last
     * day of a year and does not shift the months after it. The calendar
     * repeats every 400 years (146097 days), an "era". */
    y = month <= 2 ? year - 1 : year;
    era = floor_div(y, 400);
    year_of_era = y - era * 400;
    month_from_march = (month + 9) % 12;
    /* Month lengths from March run 31 30 31 30 31 31 30 31 30 31 31 (28):
     * (153 * m + 2) / 5 gives the days before month m. */
    day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    /* 719468 days from 0000-03-01 to 1970-01-01 */
    return era * 146097 + day_of_era - 719468;
}

char *fk_date_format(int64_t t, char *out)
{
    int64_t days, secs, z, era, day_of_era, year_of_era, day_of_year, m, year;
    int month, day;

    if (t == FK_TIME_NONE) {
        out[0] = '\0';
        return out;
    }
    days = floor_div(t, SECONDS_PER_DAY);
    /* not t - days * SECONDS_PER_DAY, which overflows near INT64_MIN */
    secs = t % SECONDS_PER_DAY;
    if (secs < 0)
        secs += SECONDS_PER_DAY;
    /* The inverse of fk_date_days_from_civil, with the same March-based
     * years and 400-year eras. */
    z = days + 719468;
    era = floor_div(z, 146097);
    day_of_era = z - era * 146097;
    year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    m = (5 * day_of_year + 2) / 153;
    day = (int)(day_of_year - (153 * m + 2) / 5 + 1);
    month = (int)(m < 10 ? m + 3 : m - 9);
    year = year_of_era + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) {
        snprintf(out, FK_DATE_BUFSIZE, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
                 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
        return out;
    }
    /* The common case by hand: listings print a date on every line. */
    const int parts[7] = {(int)year / 100,    (int)year % 100,       month,           day,
                          (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60)};
    static const char before[7] = {0, 0, '-', '-', 'T', ':', ':'};
    char *p = out;
    for (int i = 0; i < 7; i++) {
        if (before[i])
            *p++ = before[i];
        *p++ = (char)('0' + parts[i] / 10);
        *p++ = (char)('0' + parts[i] % 10);
    }
    *p++ = 'Z';
    *p = '\0';
    return out;
}
