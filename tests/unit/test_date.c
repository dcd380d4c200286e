/* test_date.c - fk_date_parse, fk_date_parse_iso, fk_date_format and the
 * calendar arithmetic under them. */
#include "feedkeep/date.h"

#include <stdbool.h>
#include <stdlib.h>

#include "harness.h"

struct date_case {
    const char *input;
    const char *expected; /* UTC as fk_date_format prints it, NULL for "no date" */
};

/* The 61 cases of the shared conformance suite (conformance/dates.json),
 * each as it stands there. */
static const struct date_case conformance_cases[] = {
    {"", NULL},
    {"-0312", "2003-12-01T00:00:00Z"},
    {"031231", "2003-12-31T00:00:00Z"},
    {"03-12-31", "2003-12-31T00:00:00Z"},
    {"-03-12", "2003-12-01T00:00:00Z"},
    {"03335", "2003-12-01T00:00:00Z"},
    {"2003-12-31T10:14:55.1234Z", "2003-12-31T10:14:55Z"},
    {"2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z"},
    {"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"},
    {"Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00Z"},
    {"Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00Z"},
    {"Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z"},
    {"Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z"},
    {"Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z"},
    {"Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z"},
    {"Wed, 19 Feb 2012 22:40:00 -01:01", "2012-02-19T23:41:00Z"},
    {"Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z"},
    {"Thu, 01 Jan 2004 00:00 GMT", "2004-01-01T00:00:00Z"},
    {"Thu, 01 Jan 2004", "2004-01-01T00:00:00Z"},
    {"Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z"},
    {"Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"},
    {"Mon, 26 January 2004 16:31:00 CT", "2004-01-26T22:31:00Z"},
    {"Mon, 26 January 2004 16:31:00 MT", "2004-01-26T23:31:00Z"},
    {"Mon, 26 January 2004 16:31:00 PT", "2004-01-27T00:31:00Z"},
    {"Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z"},
    {"Fri,24 Nov 2023 18:28:36 -0000", "2023-11-24T18:28:36Z"},
    {"Sun, 16 Dec 2012 1:2:3:4 GMT", NULL},
    {"Sun, 16 zzz 2012 11:47:32 GMT", NULL},
    {"Sun, Dec x 2012 11:47:32 GMT", NULL},
    {"Sun, 16 Dec zz 11:47:32 GMT", NULL},
    {"Sun, 16 Dec 2012 11:47:32 +zz:00", NULL},
    {"Sun, 16 Dec 2012 11:47:32 +00:zz", NULL},
    {"Sun, 99 Jun 2009 12:00:00 GMT", NULL},
    {"Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"},
    {"Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z"},
    {"2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z"},
    {"2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55Z"},
    {"2003-12-31T18:14:55+08:00", "2003-12-31T10:14:55Z"},
    {"2007-04-23T23:25:47.538+10:00", "2007-04-23T13:25:47Z"},
    {"2003-12-31", "2003-12-31T00:00:00Z"},
    {"2003-12", "2003-12-01T00:00:00Z"},
    {"2003", "2003-01-01T00:00:00Z"},
    {"2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55Z"},
    {"2003-02-28T18:14:55-08:00", "2003-03-01T02:14:55Z"},
    {"2000-02-28T18:14:55-08:00", "2000-02-29T02:14:55Z"},
    {"9999-12-31T23:59:59-99:99", NULL},
    {"2003-12-31T25:14:55Z", NULL},
    {"2003-12-31T10:61:55Z", NULL},
    {"2003-12-31T10:14:61Z", NULL},
    {"22013", NULL},
    {"013", NULL},
    {"2013-01-27-01", NULL},
    {"2013-01-28T11:30:00-06:00Textra", NULL},
    {"2013-xx-27", NULL},
    {"2013-01-28T09:xx:00Z", NULL},
    {"2013-01-28T09:00:00+00:xx", NULL},
    {"2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z"},
    {"2004-07-08 23:56:58", "2004-07-08T23:56:58Z"},
    {"2004-07-08 23:56:58.0", "2004-07-08T23:56:58Z"},
};

/* Our own cases, one group per family of formats. */
static const struct date_case extra_cases[] = {
    /* North American zones */
    {"Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 EDT", "2004-01-01T23:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 CDT", "2004-01-02T00:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 MST", "2004-01-02T02:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 MDT", "2004-01-02T01:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 PDT", "2004-01-02T02:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 AST", "2004-01-01T23:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 NST", "2004-01-01T23:18:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 HST", "2004-01-02T05:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 est", "2004-01-02T00:48:21Z"},
    /* Universal time under its names */
    {"Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 UTC", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 gmt", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 Etc/UTC", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 -0000", "2004-01-01T19:48:21Z"},
    /* GMT or UTC with an offset, and bare offsets in their three shapes */
    {"Thu, 01 Jan 2004 19:48:21 GMT+01:00", "2004-01-01T18:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 GMT+1", "2004-01-01T18:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 UTC+05:30", "2004-01-01T14:18:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 GMT-0500", "2004-01-02T00:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 +05", "2004-01-01T14:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 +0530", "2004-01-01T14:18:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 -09:30", "2004-01-02T05:18:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 +2400", NULL},
    {"Thu, 01 Jan 2004 19:48:21 +0160", NULL},
    {"Thu, 01 Jan 2004 19:48:21 +123", NULL},
    {"Thu, 01 Jan 2004 19:48:21 +01:0", NULL},
    {"Thu, 01 Jan 2004 19:48:21 +", NULL},
    {"Thu, 01 Jan 2004 19:48:21 GMT+", NULL},
    /* European zones */
    {"Thu, 01 Jan 2004 19:48:21 WET", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 BST", "2004-01-01T18:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 CET", "2004-01-01T18:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 CEST", "2004-01-01T17:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 MEZ", "2004-01-01T18:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 EET", "2004-01-01T17:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 EEST", "2004-01-01T16:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 MSK", "2004-01-01T16:48:21Z"},
    /* Asia and Oceania */
    {"Thu, 01 Jan 2004 19:48:21 JST", "2004-01-01T10:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 ACST", "2004-01-01T10:18:21Z"},
    {"Thu, 01 Jan 2004 09:48:21 NZDT", "2003-12-31T20:48:21Z"},
    /* Military zones, with RFC 822's signs */
    {"Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T20:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 M", "2004-01-02T07:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 N", "2004-01-01T18:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T07:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 J", NULL},
    /* Unknown abbreviations are read as UTC; other words are not zones */
    {"Thu, 01 Jan 2004 19:48:21 IST", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 19:48:21 Europe/Paris", NULL},
    {"Thu, 01 Jan 2004 19:48:21 garbage", NULL},
    {"Thu, 01 Jan 2004 19:48:21 GMT garbage", NULL},
    {"Thu, 01 Jan 2004 19:48:21 GMT 2004", NULL},
    /* A comment after the zone, as JavaScript prints dates */
    {"Mon Aug 27 2012 12:13:35 GMT-0700 (PDT)", "2012-08-27T19:13:35Z"},
    {"Mon Aug 27 2012 12:13:35 GMT-0700 (PDT", NULL},
    {"Mon Aug 27 2012 12:13:35 GMT-0700 (PDT) x", NULL},
    /* 12-hour clocks */
    {"Apr 26, 2013 11:30:00 AM EST", "2013-04-26T16:30:00Z"},
    {"Apr 26, 2013 11:30:00 PM EST", "2013-04-27T04:30:00Z"},
    {"Apr 26, 2013 12:00 AM GMT", "2013-04-26T00:00:00Z"},
    {"Apr 26, 2013 12:00 pm GMT", "2013-04-26T12:00:00Z"},
    {"Apr 26, 2013 13:00 PM GMT", NULL},
    {"Apr 26, 2013 0:00 AM GMT", NULL},
    /* Weekdays and months, abbreviated or not, any case */
    {"Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Tues, 3 Feb 2004 10:00 GMT", "2004-02-03T10:00:00Z"},
    {"Thurs, 30 Sept 2004 10:00 GMT", "2004-09-30T10:00:00Z"},
    {"THU, 01 JAN 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Thu., 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"1 Jan 2004", "2004-01-01T00:00:00Z"},
    {"January 26, 2004", "2004-01-26T00:00:00Z"},
    {"January 26, 2004 4:31 PM PST", "2004-01-27T00:31:00Z"},
    {"Thu, 01 Ja 2004 19:48:21 GMT", NULL},
    {"Thu, 01 Janvier 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"}, /* French */
    {"Thu, 01 Januaryyyyyyyyyyyyyyyyyy 2004 19:48:21 GMT", NULL},
    {"Foo, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"}, /* a weekday we do not know */
    {"Foo 01 Jan 2004 19:48:21 GMT", NULL},                    /* without a comma, not a weekday */
    /* Commas in odd places, or none */
    {"Thu, 01 Jan 2004, 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Thu 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
    {"Thursday, January 1, 2004 19:48 EST", "2004-01-02T00:48:00Z"},
    {"Jan 1, 04", "2004-01-01T00:00:00Z"},
    /* RFC 850 */
    {"Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
    /* Years: RFC 2822's two- and three-digit rules, four digits as written */
    {"Thu, 01 Jan 49 00:00:00 GMT", "2049-01-01T00:00:00Z"},
    {"Thu, 01 Jan 50 00:00:00 GMT", "1950-01-01T00:00:00Z"},
    {"Thu, 01 Jan 99 00:00:00 GMT", "1999-01-01T00:00:00Z"},
    {"Thu, 01 Jan 00 00:00:00 GMT", "2000-01-01T00:00:00Z"},
    {"Sat, 01 Jan 104 00:00:00 GMT", "2004-01-01T00:00:00Z"},
    {"Thu, 01 Jan 0099 12:00:00 GMT", "0099-01-01T12:00:00Z"},
    {"Thu, 01 Jan 4 00:00:00 GMT", NULL},
    {"Thu, 01 Jan 20044 00:00:00 GMT", NULL},
    /* Seconds: absent, present, with a fraction; and bad clocks */
    {"Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z"},
    {"Thu, 01 Jan 2004 19:48:21.123 GMT", "2004-01-01T19:48:21Z"},
    {"Thu, 01 Jan 2004 9:05:01 GMT", "2004-01-01T09:05:01Z"},
    {"Thu, 01 Jan 2004 25:00:00 GMT", NULL},
    {"Thu, 01 Jan 2004 23:60:00 GMT", NULL},
    {"Thu, 01 Jan 2004 23:59:61 GMT", NULL},
    {"Thu, 01 Jan 2004 123:00:00 GMT", NULL},
    {"Thu, 01 Jan 2004 19: GMT", NULL},
    {"Thu, 01 Jan 2004 19:48: GMT", NULL},
    /* Days that the month does not have */
    {"Sat, 31 Apr 2004 00:00:00 GMT", NULL},
    {"Sun, 29 Feb 2004 00:00:00 GMT", "2004-02-29T00:00:00Z"},
    {"Sat, 29 Feb 2003 00:00:00 GMT", NULL},
    {"Thu, 29 Feb 1900 00:00:00 GMT", NULL},
    {"Tue, 29 Feb 2000 00:00:00 GMT", "2000-02-29T00:00:00Z"},
    {"Thu, 0 Jan 2004 00:00:00 GMT", NULL},
    {"Thu, 001 Jan 2004 00:00:00 GMT", NULL},
    /* Offsets that move the date across a day, a month, a year */
    {"Fri, 31 Dec 1999 23:00:00 -0100", "2000-01-01T00:00:00Z"},
    {"Sat, 01 Jan 2000 00:30:00 +0100", "1999-12-31T23:30:00Z"},
    {"Sat, 01 Jan 2000 00:30:00 A", "2000-01-01T01:30:00Z"},
    {"2003-12-31T23:30:00-01:00", "2004-01-01T00:30:00Z"},
    {"2004-01-01T00:30:00+01:00", "2003-12-31T23:30:00Z"},
    {"2004-03-01T00:30:00+01:00", "2004-02-29T23:30:00Z"},
    {"2004-02-29T23:30:00-01:00", "2004-03-01T00:30:00Z"},
    /* asctime and date(1) */
    {"Sun Jan 4 16:29:06 2004", "2004-01-04T16:29:06Z"},
    {"Sat Aug 28 02:29:34 JST 1999", "1999-08-27T17:29:34Z"},
    {"Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"},
    {"Sun Jan  4 16:29:06", NULL},
    {"Sun Jan  4 16:29:06 +0000", NULL},
    /* Perforce */
    {"2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"},
    {"2006/9/5", "2006-09-05T00:00:00Z"},
    {"2006/13/15", NULL},
    {"2006/09", NULL},
    /* ISO 8601 and its profiles */
    {"2003-12-31t10:14:55z", "2003-12-31T10:14:55Z"},
    {"2003-12-31T10:14:55,5Z", "2003-12-31T10:14:55Z"},
    {"2003-12-31T10:14:55.999999999999999999999Z", "2003-12-31T10:14:55Z"},
    {"2003-12-31T10:14:55+0800", "2003-12-31T02:14:55Z"},
    {"2003-12-31T10:14:55+08", "2003-12-31T02:14:55Z"},
    {"2003-12-31T10:14:55 UTC", "2003-12-31T10:14:55Z"},
    {"2003-12-31T10:14:55 EST", "2003-12-31T15:14:55Z"},
    {"2003-12-31T10:14Z", "2003-12-31T10:14:00Z"},
    {"2003-12-31T10Z", "2003-12-31T10:00:00Z"},
    {"2003-12-31T10:14:55", "2003-12-31T10:14:55Z"},
    {"20031231T101455Z", "2003-12-31T10:14:55Z"},
    {"20031231T1014Z", "2003-12-31T10:14:00Z"},
    {"20031231", "2003-12-31T00:00:00Z"},
    {"2003335", "2003-12-01T00:00:00Z"},
    {"2003-335", "2003-12-01T00:00:00Z"},
    {"2003-335T10:00Z", "2003-12-01T10:00:00Z"},
    {"2004-366", "2004-12-31T00:00:00Z"},
    {"03-335", "2003-12-01T00:00:00Z"},
    {"99-12-31", "1999-12-31T00:00:00Z"},
    {"991231", "1999-12-31T00:00:00Z"},
    {"-99", "1999-01-01T00:00:00Z"},
    {"  2003-12-31T10:14:55Z \n", "2003-12-31T10:14:55Z"},
    {"0099-12-31T23:59:59Z", "0099-12-31T23:59:59Z"},
    {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
    {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
    /* Leap second and end of day roll over */
    {"2003-12-31T23:59:60Z", "2004-01-01T00:00:00Z"},
    {"2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"},
    {"2016-12-31T23:59:60+01:00", "2016-12-31T23:00:00Z"},
    {"2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z"},
    {"2003-12-31T24:00:01Z", NULL},
    /* Not ISO dates */
    {"2003-366", NULL},
    {"2003-000", NULL},
    {"03000", NULL},
    {"2003-13-01", NULL},
    {"2003-00-01", NULL},
    {"2003-12-32", NULL},
    {"2003-02-29", NULL},
    {"2003-04-31", NULL},
    {"2003-12-31T", NULL},
    {"2003-12-31T10:14:5Z", NULL},
    {"2003-12-31T10:1", NULL},
    {"2003-12-31T10:14:55Zulu5", NULL},
    {"2003-12-31T10:14:55+01:00:00", NULL},
    {"2003-12T10:00:00Z", NULL},
    {"2003-1-31", NULL},
    {"--12-31", NULL},
    {"-335", NULL},
    {"20", NULL},
    {"0000-01-01T00:00:00+00:01", NULL},
    {"9999-12-31T23:59:59-00:01", NULL},
    {"10000-01-01", NULL},
    /* Hostile and empty */
    {"   ", NULL},
    {"garbage", NULL},
    {"T10:00:00Z", NULL},
    {"99999999999999999999-01-01", NULL},
    {"2003-99999999999999999999-01", NULL},
    {"2003-12-31T99999999999999999999:00Z", NULL},
    {"Thu, 99999999999999999999 Jan 2004 00:00:00 GMT", NULL},
    {"Thu, 01 Jan 99999999999999999999 00:00:00 GMT", NULL},
    {"Thu, 01 Jan 2004 99999999999999999999:00 GMT", NULL},
    {"Thu, 01 Jan 2004 00:00:00 +99999999999999999999", NULL},
    {"Thu, 01 Jan 2004 00:00:00 -2147483648", NULL},
    {"Thu, 01 Jan 2004\x01 00:00:00 GMT", NULL},
    {"\xff\xfe 01 Jan 2004", NULL},
    {",,,", NULL},
    {"(", NULL},
};

/* Dates in other languages than English: any word before the comma is
 * the weekday, and month names are read in the languages of Europe. */
static const struct date_case language_cases[] = {
    /* weekdays */
    {"mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
    {"Mi, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
    {"Di., 15 Nov 2022 10:00:00 +0100", "2022-11-15T09:00:00Z"},
    {"s\xc3\xa1"
     "b, 19 nov 2022 10:00:00 +0100",
     "2022-11-19T09:00:00Z"},
    {"\xd0\xa1\xd1\x80, 16 Nov 2022 00:38:15 +0300", "2022-11-15T21:38:15Z"},
    {"zo, 20 nov 2022 10:00:00 +0100", "2022-11-20T09:00:00Z"},
    {"January, 26 2004", "2004-01-26T00:00:00Z"}, /* a month, not a weekday */
    {"mer 16 nov 2022 00:38:15 +0100", NULL},     /* no comma: not a weekday */
    {", 16 nov 2022 00:38:15 +0100", NULL},
    /* French */
    {"lun., 10 janv. 2022 08:00:00 +0100", "2022-01-10T07:00:00Z"},
    {"mar., 15 f\xc3\xa9vr. 2022 08:00:00 +0100", "2022-02-15T07:00:00Z"},
    {"15 F\xc3\x89VR. 2022 08:00:00 +0100", "2022-02-15T07:00:00Z"},
    {"1 avr. 2022 08:00:00 +0200", "2022-04-01T06:00:00Z"},
    {"1 juin 2022", "2022-06-01T00:00:00Z"},
    {"1 juil. 2022", "2022-07-01T00:00:00Z"},
    {"15 ao\xc3\xbbt 2022", "2022-08-15T00:00:00Z"},
    {"24 d\xc3\xa9"
     "c. 2022",
     "2022-12-24T00:00:00Z"},
    {"1 jui 2022", NULL}, /* juin or juillet */
    /* German */
    {"Mo, 07 M\xc3\xa4r 2022 08:00:00 +0100", "2022-03-07T07:00:00Z"},
    {"7. M\xc3\xa4rz 2022", NULL}, /* a day with a period is not read */
    {"07 M\xc3\xa4rz 2022", "2022-03-07T00:00:00Z"},
    {"07 Mrz 2022", "2022-03-07T00:00:00Z"},
    {"Do, 05 Mai 2022 08:00:00 +0200", "2022-05-05T06:00:00Z"},
    {"Mo, 03 Okt 2022 08:00:00 +0200", "2022-10-03T06:00:00Z"},
    {"Sa, 24 Dez 2022 08:00:00 +0100", "2022-12-24T07:00:00Z"},
    /* Spanish, Italian, Portuguese */
    {"lun, 02 ene 2023 10:00:00 +0100", "2023-01-02T09:00:00Z"},
    {"mi\xc3\xa9, 14 dic 2022 10:00:00 +0100", "2022-12-14T09:00:00Z"},
    {"gio, 12 gen 2023 10:00:00 +0100", "2023-01-12T09:00:00Z"},
    {"ven, 10 giu 2022 10:00:00 +0200", "2022-06-10T08:00:00Z"},
    {"15 ago 2022", "2022-08-15T00:00:00Z"},
    {"12 ott 2022", "2022-10-12T00:00:00Z"},
    {"12 set 2022", "2022-09-12T00:00:00Z"},
    {"ter, 15 fev 2022 10:00:00 -0300", "2022-02-15T13:00:00Z"},
    {"1 out 2022", "2022-10-01T00:00:00Z"},
    {"1 mar\xc3\xa7o 2022", "2022-03-01T00:00:00Z"},
    /* Dutch and Scandinavian */
    {"1 mrt 2022", "2022-03-01T00:00:00Z"},
    {"1 mei 2022", "2022-05-01T00:00:00Z"},
    {"1 maj 2022", "2022-05-01T00:00:00Z"},
    {"1 okt 2022", "2022-10-01T00:00:00Z"},
    {"1 des 2022", "2022-12-01T00:00:00Z"},
    /* still not months */
    {"1 ma 2022", NULL},
    {"1 m\xc3\xa4 2022", NULL},
    {"1 \xc3\xa4\xc3\xa4\xc3\xa4 2022", NULL},
    {"1 \xc3 2022", NULL},
};

/* Print a parsed time the way the tables hold it. */
static const char *show(int64_t t, char *out)
{
    return t == FK_TIME_NONE ? NULL : fk_date_format(t, out);
}

static void check_table(const struct date_case *cases, size_t count)
{
    char out[FK_DATE_BUFSIZE];
    for (size_t i = 0; i < count; i++)
        harness_check_str(__FILE__, __LINE__, cases[i].input,
                          show(fk_date_parse(cases[i].input), out), cases[i].expected);
}

static void test_conformance(void)
{
    CHECK_INT(sizeof conformance_cases / sizeof conformance_cases[0], 61);
    check_table(conformance_cases, sizeof conformance_cases / sizeof conformance_cases[0]);
}

static void test_extra(void)
{
    check_table(extra_cases, sizeof extra_cases / sizeof extra_cases[0]);
}

static void test_languages(void)
{
    check_table(language_cases, sizeof language_cases / sizeof language_cases[0]);
}

static void test_null(void)
{
    CHECK_INT(fk_date_parse(NULL), FK_TIME_NONE);
    CHECK_INT(fk_date_parse_iso(NULL), FK_TIME_NONE);
}

/* Every prefix of every case, each in a buffer of its own exact size, so
 * that a sanitizer build catches any read past the terminating NUL. */
static void parse_prefixes(const struct date_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(cases[i].input);
        for (size_t n = 0; n <= len; n++) {
            char *copy = malloc(n + 1);
            CHECK(copy != NULL);
            if (!copy)
                return;
            memcpy(copy, cases[i].input, n);
            copy[n] = '\0';
            int64_t t = fk_date_parse(copy);
            char out[FK_DATE_BUFSIZE];
            /* whatever a prefix means, it prints as a four-digit year */
            if (t != FK_TIME_NONE)
                CHECK(strlen(fk_date_format(t, out)) == 20);
            fk_date_parse_iso(copy);
            free(copy);
        }
    }
}

static void test_prefixes(void)
{
    parse_prefixes(conformance_cases, sizeof conformance_cases / sizeof conformance_cases[0]);
    parse_prefixes(extra_cases, sizeof extra_cases / sizeof extra_cases[0]);
    parse_prefixes(language_cases, sizeof language_cases / sizeof language_cases[0]);
}

static void test_parse_iso(void)
{
    static const struct date_case cases[] = {
        {"2026-06-01", "2026-06-01T00:00:00Z"},
        {"2026-06-01T10:00:00Z", "2026-06-01T10:00:00Z"},
        {"2026-06-01T10:00:00+02:00", "2026-06-01T08:00:00Z"},
        {"2026-06-01T10:00:00-0130", "2026-06-01T11:30:00Z"},
        {"2026-06-01T10:00:00.250Z", "2026-06-01T10:00:00Z"},
        {"2026-06-01T10:00", "2026-06-01T10:00:00Z"},
        {"2026-06-01 10:00:00", "2026-06-01T10:00:00Z"},
        {"2026-06-01t10:00:00z", "2026-06-01T10:00:00Z"},
        {" 2026-06-01 ", "2026-06-01T00:00:00Z"},
        {"2024-02-29", "2024-02-29T00:00:00Z"},
        {"0099-01-01", "0099-01-01T00:00:00Z"},
        {"", NULL},
        {"2026", NULL},
        {"2026-06", NULL},
        {"2026-152", NULL},
        {"20260601", NULL},
        {"26-06-01", NULL},
        {"-2606", NULL},
        {"2026-06-31", NULL},
        {"2025-02-29", NULL},
        {"2026-6-1", NULL},
        {"2026-06-01T25:00:00Z", NULL},
        {"2026-06-01T10:00:00 EST", NULL},
        {"2026-06-01T10:00:00 GMT", NULL},
        {"2026-06-01x", NULL},
        {"2026-06-01T", NULL},
        {"Mon, 01 Jun 2026 10:00:00 GMT", NULL},
        {"7d", NULL},
        {"yesterday", NULL},
    };
    char out[FK_DATE_BUFSIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        harness_check_str(__FILE__, __LINE__, cases[i].input,
                          show(fk_date_parse_iso(cases[i].input), out), cases[i].expected);
}

static void test_days_from_civil(void)
{
    CHECK_INT(fk_date_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(fk_date_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(fk_date_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(fk_date_days_from_civil(2038, 1, 19), 24855);
    CHECK_INT(fk_date_days_from_civil(0, 1, 1), -719528);
    CHECK_INT(fk_date_days_from_civil(-1, 12, 31), -719529);
    CHECK_INT(fk_date_days_from_civil(2004, 1, 32), fk_date_days_from_civil(2004, 2, 1));
    CHECK_INT(fk_date_days_from_civil(2004, 3, 0), fk_date_days_from_civil(2004, 2, 29));
    CHECK_INT(fk_date_days_from_civil(2004, 0, 1), FK_TIME_NONE);
    CHECK_INT(fk_date_days_from_civil(2004, 13, 1), FK_TIME_NONE);
    CHECK_INT(fk_date_days_from_civil(INT64_C(10000000000), 1, 1), FK_TIME_NONE);
    CHECK_INT(fk_date_days_from_civil(INT64_MIN, 1, 1), FK_TIME_NONE);

    /* Walk every day of years 0-9999 with a plain month-length table and
     * check that the formula counts them one by one. */
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t expected = fk_date_days_from_civil(0, 1, 1);
    int mismatches = 0;
    for (int64_t year = 0; year <= 9999; year++) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        for (int month = 1; month <= 12; month++) {
            int days = month_days[month - 1] + (month == 2 && leap);
            for (int day = 1; day <= days; day++, expected++)
                if (fk_date_days_from_civil(year, month, day) != expected)
                    mismatches++;
        }
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(expected, fk_date_days_from_civil(10000, 1, 1));
}

static void test_format(void)
{
    char out[FK_DATE_BUFSIZE];
    CHECK_STR(fk_date_format(0, out), "1970-01-01T00:00:00Z");
    CHECK_STR(fk_date_format(-1, out), "1969-12-31T23:59:59Z");
    CHECK_STR(fk_date_format(951782400, out), "2000-02-29T00:00:00Z");
    CHECK_STR(fk_date_format(2147483647, out), "2038-01-19T03:14:07Z");
    CHECK_STR(fk_date_format(FK_TIME_NONE, out), "");
    CHECK_STR(fk_date_format(-62135596800, out), "0001-01-01T00:00:00Z");
    CHECK_STR(fk_date_format(-59042995200, out), "0099-01-01T00:00:00Z");
    CHECK_STR(fk_date_format(-62167219200, out), "0000-01-01T00:00:00Z");
    CHECK_STR(fk_date_format(253402300799, out), "9999-12-31T23:59:59Z");
    CHECK_STR(fk_date_format(253402300800, out), "10000-01-01T00:00:00Z");
    CHECK_STR(fk_date_format(1796407375, out), "2026-12-04T18:02:55Z");
    /* Far outside what a parse returns, it still prints, and within the
     * buffer. */
    CHECK_STR(fk_date_format(INT64_MAX, out), "292277026596-12-04T15:30:07Z");
    CHECK_STR(fk_date_format(INT64_MIN + 1, out), "-292277022657-01-27T08:29:53Z");
    CHECK(fk_date_format(0, out) == out);
}

/* fk_date_format then fk_date_parse (and fk_date_parse_iso) give back the
 * same time, across the whole range a parse can return. */
static void test_round_trip(void)
{
    char out[FK_DATE_BUFSIZE];
    int64_t first = fk_date_days_from_civil(0, 1, 1) * 86400;
    int64_t last = fk_date_days_from_civil(10000, 1, 1) * 86400 - 1;
    int failures = 0;
    /* a step that is not a whole number of days, minutes or hours */
    for (int64_t t = first; t <= last; t += 86400 * 7 + 3661) {
        fk_date_format(t, out);
        if (fk_date_parse(out) != t || fk_date_parse_iso(out) != t) {
            if (failures++ == 0)
                fprintf(stderr, "round trip failed at %s\n", out);
        }
    }
    CHECK_INT(failures, 0);
    CHECK_INT(fk_date_parse(fk_date_format(first, out)), first);
    CHECK_INT(fk_date_parse(fk_date_format(last, out)), last);
    CHECK_INT(fk_date_parse(fk_date_format(last + 1, out)), FK_TIME_NONE);
    CHECK_INT(fk_date_parse(fk_date_format(first - 1, out)), FK_TIME_NONE);
}

int main(void)
{
    RUN(test_conformance);
    RUN(test_extra);
    RUN(test_languages);
    RUN(test_null);
    RUN(test_prefixes);
    RUN(test_parse_iso);
    RUN(test_days_from_civil);
    RUN(test_format);
    RUN(test_round_trip);
    return DONE();
}
