/* feed.c - the feed parser: RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and 1.0,
 * and CDF, read with libxml2's SAX2 push parser a chunk at a time.
 *
 * Why SAX and not xmlTextReader: in libxml2 2.9 the reader gives up at the
 * first well-formedness error even with XML_PARSE_RECOVER (it checks
 * ctxt->wellFormed after every chunk), so one stray '&' in the third item
 * would lose every item after it. The push parser in recovery mode goes on,
 * builds no tree, and is fed 64 KiB at a time, so memory stays flat whatever
 * the size of the feed. What it is fed comes from decode.c: clean UTF-8,
 * since libxml2 stops the document at a bad byte in CDATA or a conversion
 * error, which recovery does not cover.
 *
 * How elements become fields: the parser keeps a short stack of containers
 * (document root, channel, item, author, image, media:group and content).
 * A direct child of the innermost container is looked up in tags[] by
 * vocabulary (its namespace), container and local name; the row says which
 * field it fills (enclosures are read from attributes at once). Anything not
 * in the table is skipped with its whole subtree, so an <image><title> never
 * becomes a title. Inside a field, text is collected and child elements are
 * written back as markup (inline XHTML, or HTML left unescaped in an RSS
 * description).
 *
 * Safety: no XML_PARSE_NOENT, no DTD loading, no network, and no entity
 * loader or external subset handler in the SAX table, so external entities
 * are never read. Internal entities reach us through the SAX callbacks (that
 * is how libxml2 delivers them without NOENT); libxml2 stops nested
 * expansion loops itself, and we stop the document when flat expansion
 * passes ENTITY_TEXT_MAX. Every field is capped at FK_FEED_FIELD_MAX (an
 * item says so in its warning); runs of text and CDATA sections longer than
 * that are cut before libxml2 sees them (fk_run_scan, decode.h), and a run
 * that cannot be cut is refused at FK_XML_MARKUP_GAP_MAX (xml.h).
 *
 * End tags: libxml2 closes one element per end tag, even a mismatched one;
 * the parser keeps the names of the open elements and closes what the
 * document means (see on_end), so naked HTML with a <br> left open in one
 * RSS description does not swallow every later item. An element left open
 * at channel level is closed by the next item (see unclosed_before_item).
 *
 * Namespaces as feeds write them: names compared without case or a
 * trailing slash, and the usual prefixes used without a declaration read
 * as declared (see namespaces[] and undeclared_prefixes[]).
 */
#include "feedkeep/feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "feedkeep/ascii.h"
#include "feedkeep/buf.h"
#include "feedkeep/content.h"
#include "feedkeep/date.h"
#include "feedkeep/decode.h"
#include "feedkeep/url.h"
#include "feedkeep/utf8.h"
#include "feedkeep/xml.h"
#include "feed_int.h"
#include "libxml.h" /* last: it turns libxml2 calls into loaded ones */

/* Text produced by expanding internal entities, per document. Real feeds
 * use a few bytes of it (&id; in a DOCTYPE); a "quadratic blowup" document
 * uses gigabytes. */
#define ENTITY_TEXT_MAX ((size_t)32 << 20)
/* Nesting kept track of inside a field's markup; libxml2 refuses documents
 * deeper than 256 without XML_PARSE_HUGE. */
#define MARKUP_DEPTH 300
/* Open elements whose names are kept, for matching end tags; deeper ones
 * (past libxml2's own limit of 256, reached only through recovery) are
 * closed by position only. */
#define NAMES_DEPTH 1024
/* Attributes serialised per element inside a field. */
#define MARKUP_ATTRS 64
/* Containers open at once: root, channel, item, then an author, or a
 * media:group and a media:content in it. */
#define STACK_DEPTH 8

#define NS_XML    "http://www.w3.org/XML/1998/namespace"
#define NS_XHTML  "http://www.w3.org/1999/xhtml"
#define NS_RDF    "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_ATOM03 "http://purl.org/atom/ns#"

enum format { FMT_NONE, FMT_RSS, FMT_RDF, FMT_ATOM03, FMT_ATOM10, FMT_CDF };

/* A vocabulary is a namespace, or the set of namespaces that mean the same
 * thing (RSS 1.0, 0.90 and the userland RSS 2 namespace are all "the feed's
 * own elements"). */
enum vocab { V_OTHER, V_RSS, V_ATOM, V_DC, V_DCTERMS, V_CONTENT, V_MEDIA, V_ITUNES, V_XHTML };

/* C_MEDIA: inside an item's media:group or media:content. */
enum context { C_ROOT, C_FEED, C_ITEM, C_PERSON, C_IMAGE, C_MEDIA };

enum field {
    /* containers */
    F_CHANNEL,
    F_ITEM,
    F_PERSON,
    F_IMAGE,
    F_MEDIA_GROUP,
    F_MEDIA_CONTENT, /* an enclosure, and a container of thumbnails */
    /* enclosures: attributes only */
    F_ENCLOSURE,
    F_THUMBNAIL,
    F_ITUNES_IMAGE, /* the feed's image, or an item's thumbnail */
    /* text constructs: plain text, HTML or inline XHTML */
    F_TITLE,
    F_SUMMARY,
    F_CONTENT,
    F_BODY, /* xhtml:body: inline XHTML content */
    F_DESCRIPTION,
    /* plain values */
    F_LINK,
    F_ATOM_LINK,
    F_GUID,
    F_ATOM_ID,
    F_AUTHOR,
    F_NAME,
    F_EMAIL,
    F_PUBLISHED,
    F_UPDATED,
    F_DATE, /* dc:date: both published and updated */
    F_CATEGORY,
    F_ATOM_CATEGORY,
    F_ITUNES_CATEGORY,
    F_TAG_LIST, /* "a, b, c" */
    F_LANGUAGE,
    F_IMAGE_URL,
};

/* Priorities: a value fills a field unless one of higher priority is there;
 * among equals the later one wins (feedparser's rule, and what
 * entry_updated_multiple_values expects), except links where the first
 * alternate wins. */
enum { PRIO_NONE = 0, PRIO_FALLBACK = 1, PRIO_NORMAL = 2 };

struct tag {
    enum vocab vocab;
    enum context context;
    const char *name; /* local name, matched without regard to case */
    enum field field;
    int prio;
};

/* The element table (sfeed's rsstags[]/atomtags[] idea). Local names are
 * matched case-insensitively because feedparser does and feeds rely on it
 * (<TiTlE> in iTunes feeds, upper-case CDF). */
static const struct tag tags[] = {
    /* structure */
    {V_RSS, C_ROOT, "channel", F_CHANNEL, PRIO_NORMAL},
    {V_RSS, C_ROOT, "item", F_ITEM, PRIO_NORMAL}, /* RSS 1.0, 0.90: siblings of the channel */
    {V_RSS, C_ROOT, "image", F_IMAGE, PRIO_NORMAL},
    {V_RSS, C_FEED, "item", F_ITEM, PRIO_NORMAL},
    {V_RSS, C_FEED, "image", F_IMAGE, PRIO_NORMAL},
    {V_RSS, C_IMAGE, "url", F_IMAGE_URL, PRIO_NORMAL},
    {V_ATOM, C_FEED, "entry", F_ITEM, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "author", F_PERSON, PRIO_NORMAL},
    {V_ATOM, C_PERSON, "name", F_NAME, PRIO_NORMAL},
    {V_ATOM, C_PERSON, "email", F_EMAIL, PRIO_NORMAL},

    /* the feed */
    {V_RSS, C_FEED, "title", F_TITLE, PRIO_NORMAL},
    {V_RSS, C_FEED, "link", F_LINK, PRIO_NORMAL},
    {V_RSS, C_FEED, "description", F_DESCRIPTION, PRIO_NORMAL},
    {V_RSS, C_FEED, "language", F_LANGUAGE, PRIO_NORMAL},
    {V_RSS, C_FEED, "lastBuildDate", F_UPDATED, PRIO_NORMAL},
    {V_RSS, C_FEED, "pubDate", F_UPDATED, PRIO_FALLBACK},
    {V_ATOM, C_FEED, "link", F_ATOM_LINK, PRIO_NORMAL}, /* also atom:link rel=self in RSS */
    {V_ATOM, C_FEED, "title", F_TITLE, PRIO_NORMAL},
    {V_ATOM, C_FEED, "subtitle", F_DESCRIPTION, PRIO_NORMAL},
    {V_ATOM, C_FEED, "tagline", F_DESCRIPTION, PRIO_NORMAL}, /* Atom 0.3 */
    {V_ATOM, C_FEED, "updated", F_UPDATED, PRIO_NORMAL},
    {V_ATOM, C_FEED, "modified", F_UPDATED, PRIO_NORMAL}, /* Atom 0.3 */
    {V_ATOM, C_FEED, "logo", F_IMAGE_URL, PRIO_NORMAL},
    {V_ATOM, C_FEED, "icon", F_IMAGE_URL, PRIO_FALLBACK},
    {V_DC, C_FEED, "title", F_TITLE, PRIO_FALLBACK},
    {V_DC, C_FEED, "description", F_DESCRIPTION, PRIO_FALLBACK},
    {V_DC, C_FEED, "language", F_LANGUAGE, PRIO_FALLBACK},
    {V_DC, C_FEED, "date", F_UPDATED, PRIO_NORMAL},
    {V_ITUNES, C_FEED, "image", F_ITUNES_IMAGE, PRIO_FALLBACK},

    /* items */
    {V_RSS, C_ITEM, "title", F_TITLE, PRIO_NORMAL},
    {V_RSS, C_ITEM, "link", F_LINK, PRIO_NORMAL},
    {V_RSS, C_ITEM, "guid", F_GUID, PRIO_NORMAL},
    {V_RSS, C_ITEM, "description", F_SUMMARY, PRIO_NORMAL},
    {V_RSS, C_ITEM, "summary", F_SUMMARY, PRIO_NORMAL},
    {V_RSS, C_ITEM, "abstract", F_SUMMARY, PRIO_NORMAL}, /* CDF */
    {V_RSS, C_ITEM, "fullitem", F_CONTENT, PRIO_NORMAL},
    {V_RSS, C_ITEM, "body", F_BODY, PRIO_NORMAL},
    {V_RSS, C_ITEM, "author", F_AUTHOR, PRIO_NORMAL},
    {V_RSS, C_ITEM, "pubDate", F_PUBLISHED, PRIO_NORMAL},
    {V_RSS, C_ITEM, "category", F_CATEGORY, PRIO_NORMAL},
    {V_RSS, C_ITEM, "tags", F_TAG_LIST, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "title", F_TITLE, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "id", F_ATOM_ID, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "link", F_ATOM_LINK, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "summary", F_SUMMARY, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "content", F_CONTENT, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "published", F_PUBLISHED, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "issued", F_PUBLISHED, PRIO_NORMAL},    /* Atom 0.3 */
    {V_ATOM, C_ITEM, "created", F_PUBLISHED, PRIO_FALLBACK}, /* Atom 0.3 */
    {V_ATOM, C_ITEM, "updated", F_UPDATED, PRIO_NORMAL},
    {V_ATOM, C_ITEM, "modified", F_UPDATED, PRIO_NORMAL}, /* Atom 0.3 */
    {V_ATOM, C_ITEM, "category", F_ATOM_CATEGORY, PRIO_NORMAL},
    {V_DC, C_ITEM, "title", F_TITLE, PRIO_FALLBACK},
    {V_DC, C_ITEM, "creator", F_AUTHOR, PRIO_NORMAL},
    {V_DC, C_ITEM, "author", F_AUTHOR, PRIO_NORMAL},
    {V_DC, C_ITEM, "date", F_DATE, PRIO_NORMAL},
    {V_DC, C_ITEM, "subject", F_CATEGORY, PRIO_NORMAL},
    {V_DC, C_ITEM, "description", F_SUMMARY, PRIO_FALLBACK},
    {V_DCTERMS, C_ITEM, "issued", F_PUBLISHED, PRIO_NORMAL},
    {V_DCTERMS, C_ITEM, "created", F_PUBLISHED, PRIO_FALLBACK},
    {V_DCTERMS, C_ITEM, "modified", F_UPDATED, PRIO_NORMAL},
    {V_CONTENT, C_ITEM, "encoded", F_CONTENT, PRIO_NORMAL},
    {V_XHTML, C_ITEM, "body", F_BODY, PRIO_NORMAL},
    {V_MEDIA, C_ITEM, "title", F_TITLE, PRIO_FALLBACK},
    {V_MEDIA, C_ITEM, "description", F_SUMMARY, PRIO_FALLBACK},
    {V_MEDIA, C_ITEM, "category", F_CATEGORY, PRIO_NORMAL},
    {V_ITUNES, C_ITEM, "author", F_AUTHOR, PRIO_FALLBACK},
    {V_ITUNES, C_ITEM, "summary", F_SUMMARY, PRIO_FALLBACK},
    {V_ITUNES, C_ITEM, "category", F_ITUNES_CATEGORY, PRIO_NORMAL},

    /* enclosures and media (Atom's are links, see F_ATOM_LINK) */
    {V_RSS, C_ITEM, "enclosure", F_ENCLOSURE, PRIO_NORMAL},
    {V_MEDIA, C_ITEM, "group", F_MEDIA_GROUP, PRIO_NORMAL},
    {V_MEDIA, C_ITEM, "content", F_MEDIA_CONTENT, PRIO_NORMAL},
    {V_MEDIA, C_ITEM, "thumbnail", F_THUMBNAIL, PRIO_NORMAL},
    /* a YouTube entry has its text only in media:group */
    {V_MEDIA, C_MEDIA, "title", F_TITLE, PRIO_FALLBACK},
    {V_MEDIA, C_MEDIA, "description", F_SUMMARY, PRIO_FALLBACK},
    {V_MEDIA, C_MEDIA, "content", F_MEDIA_CONTENT, PRIO_NORMAL},
    {V_MEDIA, C_MEDIA, "thumbnail", F_THUMBNAIL, PRIO_NORMAL},
    {V_ITUNES, C_ITEM, "image", F_ITUNES_IMAGE, PRIO_NORMAL},
};

/* Where each kind of enclosure keeps its URL, type and length (NULL: it
 * has none). */
static const struct {
    enum field field;
    const char *url, *type, *length;
    const char *kind;
} enclosure_attributes[] = {
    {F_ENCLOSURE, "url", "type", "length", "file"},
    {F_ATOM_LINK, "href", "type", "length", "file"}, /* rel="enclosure" */
    {F_MEDIA_CONTENT, "url", "type", "fileSize", "file"},
    {F_THUMBNAIL, "url", NULL, NULL, "thumbnail"},
    {F_ITUNES_IMAGE, "href", NULL, NULL, "thumbnail"},
};

/* Namespace names are compared without regard to case and to one trailing
 * slash (see same_namespace): feeds declare iTunes' as ".../DTDs/Podcast-1.0.dtd"
 * and Media RSS's without its slash, and mean the same vocabulary. */
static const struct {
    const char *uri;
    enum vocab vocab;
} namespaces[] = {
    {"http://www.w3.org/2005/Atom", V_ATOM},
    {NS_ATOM03, V_ATOM},
    {"http://purl.org/rss/1.0/", V_RSS},
    {"http://my.netscape.com/rdf/simple/0.9/", V_RSS},
    {"http://backend.userland.com/rss2", V_RSS},
    {"http://backend.userland.com/rss", V_RSS},
    {"http://purl.org/rss/1.0/modules/content/", V_CONTENT},
    {"http://purl.org/dc/elements/1.1/", V_DC},
    {"http://purl.org/dc/elements/1.0/", V_DC},
    {"http://purl.org/dc/terms/", V_DCTERMS},
    {"http://search.yahoo.com/mrss/", V_MEDIA},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", V_ITUNES},
    {NS_XHTML, V_XHTML},
};

/* Prefixes feeds use without declaring them ("<content:encoded>" in a
 * hand-written RSS 2.0 file), and the namespace each conventionally
 * stands for. An element with an undeclared prefix reaches us from libxml2
 * with its prefix and no namespace (and a namespace error); it is read as
 * if the prefix were declared so. Prefixes not listed stay unknown. */
static const struct {
    const char *prefix;
    const char *uri;
} undeclared_prefixes[] = {
    {"atom", "http://www.w3.org/2005/Atom"},
    {"content", "http://purl.org/rss/1.0/modules/content/"},
    {"dc", "http://purl.org/dc/elements/1.1/"},
    {"dcterms", "http://purl.org/dc/terms/"},
    {"feedburner", "http://rssnamespace.org/feedburner/ext/1.0"},
    {"georss", "http://www.georss.org/georss"},
    {"itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"},
    {"media", "http://search.yahoo.com/mrss/"},
    {"rdf", NS_RDF},
    {"slash", "http://purl.org/rss/1.0/modules/slash/"},
    {"sy", "http://purl.org/rss/1.0/modules/syndication/"},
    {"thr", "http://purl.org/syndication/thread/1.0"},
    {"wfw", "http://wellformedweb.org/CommentAPI/"},
    {"xhtml", NS_XHTML},
};

/* Attributes that hold a URL, by element: relative ones in HTML fields are
 * resolved against the xml:base in effect (feedparser's list). srcset is
 * left alone: it holds several URLs with descriptors. */
static const struct {
    const char *element;
    const char *attribute;
} uri_attributes[] = {
    {"a", "href"},          {"applet", "codebase"}, {"area", "href"},       {"audio", "src"},
    {"blockquote", "cite"}, {"body", "background"}, {"del", "cite"},        {"embed", "src"},
    {"form", "action"},     {"frame", "longdesc"},  {"frame", "src"},       {"iframe", "longdesc"},
    {"iframe", "src"},      {"head", "profile"},    {"img", "longdesc"},    {"img", "src"},
    {"img", "usemap"},      {"input", "src"},       {"input", "usemap"},    {"ins", "cite"},
    {"link", "href"},       {"object", "classid"},  {"object", "codebase"}, {"object", "data"},
    {"object", "usemap"},   {"q", "cite"},          {"script", "src"},      {"source", "src"},
    {"track", "src"},       {"video", "poster"},    {"video", "src"},
};

/* Schemes a base URL may have; see usable_base. */
static const char *const base_schemes[] = {"http", "https", "ftp", "file"};

/* HTML elements that have no end tag: written "<br />" when serialising. */
static const char *const void_elements[] = {
    "area",  "base",   "basefont", "br",   "col",   "embed",  "frame", "hr",  "img",
    "input", "keygen", "link",     "meta", "param", "source", "track", "wbr",
};

/* End tags that make an RSS title "look like HTML" (feedparser's test):
 * a title is text unless it carries one of these or an entity reference,
 * because "1 < 2" and "<div> considered harmful" are real titles. */
static const char *const title_markup[] = {
    "a",    "abbr",   "b",      "big", "cite", "code", "del", "div",  "em",
    "font", "i",      "ins",    "kbd", "p",    "q",    "s",   "samp", "small",
    "span", "strike", "strong", "sub", "sup",  "tt",   "u",   "var",
};

enum kind { K_TEXT, K_HTML, K_XHTML };

struct container {
    enum context context;
    int depth;
    const char *base; /* the base in effect: own_base or an outer one */
    char *own_base;
};

/* The field element being read. */
struct field_state {
    const struct tag *tag; /* NULL when not inside a field */
    enum context context;
    int depth;
    char *own_base;
    const char *base;
    enum kind kind;
    bool base64;
    bool markup;      /* child elements are written back as markup */
    bool strip_div;   /* Atom 1.0: drop a <div> that wraps everything */
    bool saw_element; /* markup found inside */
    bool truncated;
    bool cut;         /* a run of its text was cut before the parser (fk_run_scan) */
    int top_elements; /* direct child elements */
    bool top_text;    /* non-blank text directly inside */
    size_t div_inner_start, div_inner_end;
    char *href, *rel; /* Atom link attributes */
    bool permalink;   /* RSS guid isPermaLink */
    bool has_term;    /* Atom category: the tag came from term/label, not the text */
};

struct item_state {
    struct fk_item item;
    int title_prio, url_prio, guid_prio, author_prio, published_prio, updated_prio;
    int summary_prio, content_prio;
    bool guid_is_link;
    size_t tags_cap, enclosures_cap;
    char warning[80]; /* item.warning points here */
};

struct parser {
    xmlParserCtxtPtr ctxt;
    struct fk_decoder *decoder;
    const struct fk_parse_options *opts;
    const struct fk_feed_handler *handler;
    enum format format;
    enum vocab core; /* what the feed's own (unprefixed) elements are */
    const xmlChar *root_ns;
    /* last namespace looked up, and its vocabulary: SAX2 namespace names
     * are interned in the parser's dictionary, so the pointer identifies it */
    const xmlChar *cached_ns;
    enum vocab cached_vocab;

    int depth; /* of the innermost open element; the root is 1 */
    int skip;  /* > 0 inside an element we ignore */
    /* names and namespaces of the open elements, by depth, as the document
     * has them (see on_end); libxml2's dictionary owns the strings */
    const xmlChar *names[NAMES_DEPTH], *uris[NAMES_DEPTH];
    char end_tag[64]; /* the end tag libxml2 just reported mismatched */
    struct container stack[STACK_DEPTH];
    int nstack;
    struct field_state field;
    const xmlChar *markup_ns[MARKUP_DEPTH];
    /* xml:base of the markup element at each depth inside the field,
     * resolved; NULL where the element has none */
    char *markup_base[MARKUP_DEPTH];
    int markup_bases;      /* how many of them are set */
    struct fk_buf value;   /* the field's text */
    struct fk_buf scratch; /* a second buffer for rewriting the value */

    bool in_item;
    struct item_state item;
    char *person_name, *person_email;

    struct fk_feed_info info;
    int title_prio, site_prio, description_prio, language_prio, image_prio, updated_prio;
    bool announced;

    /* the thread's libxml2 error handlers before this parse */
    xmlStructuredErrorFunc outer_serror;
    void *outer_sctx;
    xmlGenericErrorFunc outer_gerror;
    void *outer_gctx;

    size_t entity_text;
    /* attributes per start tag and text without markup given to libxml2
     * (see xml.h) */
    struct fk_xml_guard guard;
    /* runs of text too long for libxml2, cut before it (see decode.h) */
    struct fk_run_scan runs;
    struct fk_buf runs_out;
    bool stopped;   /* no more events wanted: see cancelled and not_feed */
    bool cancelled; /* a callback asked to stop */
    bool not_feed;  /* the root element is not a feed's */
    bool saw_root;
    bool saw_data; /* a byte other than whitespace in the input */
    char head[32]; /* the input's first bytes, to tell an HTML page */
    size_t head_len;
    int first_error_code;
    char root_name[64];
};

/* ---- small string helpers ------------------------------------------------ */

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!fk_is_space((unsigned char)s[i]))
            return false;
    return true;
}

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* True for s = "scheme:..." (RFC 3986 scheme syntax). */
static bool has_scheme(const char *s, size_t len)
{
    if (len == 0 || !fk_is_alpha((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':')
            return true;
        if (!fk_is_alpha(c) && !fk_is_digit(c) && c != '+' && c != '-' && c != '.')
            return false;
    }
    return false;
}

static bool is_web_url(const char *s)
{
    return s && (has_prefix_nocase(s, "http://") || has_prefix_nocase(s, "https://"));
}

static bool name_in(const char *name, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncasecmp(name, list[i], len) == 0)
            return true;
    return false;
}

#define NAME_IN(name, len, list) name_in((name), (len), (list), sizeof(list) / sizeof(list[0]))

/* Whether url may serve as a base: a relative one, or one of base_schemes
 * (feedparser's rule: a "javascript:" base would make every relative link
 * in the feed run code). */
static bool usable_base(const char *url)
{
    if (!url || !*url)
        return false;
    size_t len = strcspn(url, ":/?#");
    return url[len] != ':' || NAME_IN(url, len, base_schemes);
}

static void replace(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

/* Store value in *slot when prio beats the priority already there (ties go
 * to the later value unless first_wins). Takes ownership of value. */
static void assign(char **slot, int *slot_prio, int prio, char *value, bool first_wins)
{
    if (!value)
        return;
    if (!*slot || prio > *slot_prio || (prio == *slot_prio && !first_wins)) {
        replace(slot, value);
        *slot_prio = prio;
    } else {
        free(value);
    }
}

/* assign for a date string (ties go to the later value), except that a
 * date that can be read beats one that cannot, whatever their priorities
 * and order: a "1518478934" in dc:date must not wipe out a good pubDate. */
static void assign_date(char **slot, int *slot_prio, int prio, char *value)
{
    if (!value)
        return;
    if (*slot) {
        bool readable = fk_date_parse(value) != FK_TIME_NONE;
        if (readable != (fk_date_parse(*slot) != FK_TIME_NONE)) {
            if (readable) {
                replace(slot, value);
                *slot_prio = prio;
            } else {
                free(value);
            }
            return;
        }
    }
    assign(slot, slot_prio, prio, value, false);
}

/* ---- errors -------------------------------------------------------------- */

/* Keep the first error as "line N: message" on one line: libxml2's
 * messages can span two ("...indicate encoding !\nBytes: ..."), and the
 * CLI prints this as one warning line. */
static void first_error(struct parser *p, long line, const char *msg)
{
    p->info.well_formed = false;
    if (p->info.error)
        return;
    struct fk_buf b = FK_BUF_INIT;
    if (line > 0)
        fk_buf_printf(&b, "line %ld: ", line);
    size_t start = b.len;
    bool gap = false;
    for (const char *c = msg; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch <= ' ' || ch == 0x7F) {
            gap = true;
            continue;
        }
        if (gap && b.len > start)
            fk_buf_addc(&b, ' ');
        gap = false;
        fk_buf_addc(&b, (char)ch);
    }
    p->info.error = fk_buf_detach(&b);
}

/* The decoder's first repair, when it comes before line (0: wherever it
 * is). The decoder runs ahead of libxml2, so this is asked each time
 * libxml2 reports an error, to keep the first error the earliest. */
static void decoder_problem(struct parser *p, int line)
{
    long at = 0;
    const char *problem = p->decoder ? fk_decode_problem(p->decoder, &at) : NULL;
    if (problem && (line <= 0 || at <= line))
        first_error(p, at, problem);
}

static void record_error(struct parser *p, const xmlError *e)
{
    if (!e || e->level < XML_ERR_ERROR)
        return;
    if (!p->first_error_code)
        p->first_error_code = e->code;
    decoder_problem(p, e->line);
    first_error(p, e->line, e->message ? e->message : "XML error");
}

static void set_error(struct parser *p, const char *message)
{
    p->info.well_formed = false;
    if (!p->info.error)
        p->info.error = fk_xstrdup(message);
}

/* The parser context behind a SAX callback: the document's, or the one
 * libxml2 makes to expand an entity (which inherits _private). */
static struct parser *parser_of(void *ctx)
{
    return ctx ? ((xmlParserCtxtPtr)ctx)->_private : NULL;
}

/* For errors libxml2 raises outside any parser context (I/O, encoding
 * setup): installed for the duration of a parse so nothing goes to stderr. */
static void on_global_error(void *ctx, xmlErrorPtr e)
{
    if (ctx)
        record_error(ctx, e);
}

static void on_generic_error(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
}

/* While we parse, libxml2's per-thread error handlers are ours, so that
 * nothing reaches stderr. Code we call out to (the content stage parses
 * HTML with libxml2; the caller's callbacks may do anything) must see the
 * handlers it would see without us. */
static void handlers_ours(struct parser *p)
{
    xmlSetStructuredErrorFunc(p, on_global_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);
}

static void handlers_outer(struct parser *p)
{
    xmlSetStructuredErrorFunc(p->outer_sctx, p->outer_serror);
    xmlSetGenericErrorFunc(p->outer_gctx, p->outer_gerror);
}

/* libxml2 2.9 stops substituting entity references (even &amp; and &lt;)
 * once ctxt->wellFormed is 0, so after one stray '&' every later
 * "&lt;p&gt;" in an RSS description would lose its tags. We keep our own
 * record (info.well_formed) and raise libxml2's flag again at each event. */
static void keep_references(struct parser *p, void *ctx)
{
    if (ctx == p->ctxt)
        p->ctxt->wellFormed = 1;
}

static void stop(struct parser *p)
{
    p->stopped = true;
    xmlStopParser(p->ctxt);
}

/* ---- namespaces and the table ---------------------------------------------- */

/* Whether two namespace names mean the same namespace: equal but for
 * ASCII case and a trailing slash. */
static bool same_namespace(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '/')
        la--;
    if (lb && b[lb - 1] == '/')
        lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

static enum vocab vocab_of(struct parser *p, const xmlChar *uri)
{
    if (!uri || !*uri || uri == p->root_ns)
        return p->core;
    if (uri == p->cached_ns)
        return p->cached_vocab;
    enum vocab v = V_OTHER;
    if (p->root_ns && strcmp((const char *)uri, (const char *)p->root_ns) == 0) {
        v = p->core;
    } else {
        for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
            if (same_namespace((const char *)uri, namespaces[i].uri)) {
                v = namespaces[i].vocab;
                break;
            }
        }
    }
    p->cached_ns = uri;
    p->cached_vocab = v;
    return v;
}

/* The vocabulary of an element: that of its namespace, or for a prefix the
 * document did not declare (libxml2 then gives no namespace), that of the
 * namespace the prefix conventionally stands for. */
static enum vocab element_vocab(struct parser *p, const xmlChar *prefix, const xmlChar *uri)
{
    if (uri || !prefix)
        return vocab_of(p, uri);
    for (size_t i = 0; i < sizeof undeclared_prefixes / sizeof undeclared_prefixes[0]; i++)
        if (strcasecmp((const char *)prefix, undeclared_prefixes[i].prefix) == 0)
            return vocab_of(p, (const xmlChar *)undeclared_prefixes[i].uri);
    return V_OTHER;
}

static const struct tag *lookup(enum vocab vocab, enum context context, const xmlChar *local)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        const struct tag *t = &tags[i];
        if (t->vocab == vocab && t->context == context &&
            strcasecmp(t->name, (const char *)local) == 0)
            return t;
    }
    return NULL;
}

/* ---- attributes ------------------------------------------------------------- */

/* Attribute values reach SAX2 with every '&' written as "&#38;" when
 * entities are not substituted (libxml2 keeps them for a tree builder to
 * re-parse); turn them back. Returns a new string. */
static char *attribute_value(const xmlChar *value, const xmlChar *end)
{
    size_t len = (size_t)(end - value);
    char *out = fk_xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (value[i] == '&' && len - i >= 5 && memcmp(value + i, "&#38;", 5) == 0) {
            out[o++] = '&';
            i += 5;
        } else {
            out[o++] = (char)value[i++];
        }
    }
    out[o] = '\0';
    return out;
}

/* The value of attribute local (no namespace when uri is NULL) as a new
 * string, or NULL. */
static char *attribute(int nattrs, const xmlChar **attrs, const char *local, const char *uri)
{
    for (int i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        bool same_ns = uri ? (a[2] && strcmp((const char *)a[2], uri) == 0) : a[2] == NULL;
        if (same_ns && strcasecmp((const char *)a[0], local) == 0)
            return attribute_value(a[3], a[4]);
    }
    return NULL;
}

/* ---- value buffer -------------------------------------------------------------- */

/* Append to the field value, truncating at FK_FEED_FIELD_MAX on a UTF-8
 * character boundary. */
static void value_add(struct parser *p, const char *s, size_t len)
{
    if (p->field.truncated)
        return;
    size_t room = FK_FEED_FIELD_MAX - p->value.len;
    if (len > room) {
        len = fk_utf8_boundary(s, room);
        p->field.truncated = true;
    }
    struct fk_buf *b = &p->value;
    if (b->len + len < b->cap) {
        /* the common case, inline: libxml2 calls back once per entity
         * reference, so an escaped description comes a few bytes at a time */
        memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len] = '\0';
        return;
    }
    fk_buf_add(b, s, len);
}

static void value_adds(struct parser *p, const char *s)
{
    value_add(p, s, strlen(s));
}

/* Append text with &, <, > (and " when quote) escaped. */
static void add_escaped(struct parser *p, struct fk_buf *out, const char *s, size_t len, bool quote)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = quote ? "&quot;" : NULL;
            break;
        default:
            break;
        }
        if (!rep)
            continue;
        if (out == &p->value) {
            value_add(p, s + start, i - start);
            value_adds(p, rep);
        } else {
            fk_buf_add(out, s + start, i - start);
            fk_buf_adds(out, rep);
        }
        start = i + 1;
    }
    if (out == &p->value)
        value_add(p, s + start, len - start);
    else
        fk_buf_add(out, s + start, len - start);
}

/* Swap the value with the scratch buffer after rewriting into scratch. */
static void take_scratch(struct parser *p)
{
    struct fk_buf t = p->value;
    p->value = p->scratch;
    p->scratch = t;
    fk_buf_reset(&p->scratch);
}

static int base64_digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode the value in place; whitespace and stray characters are skipped,
 * decoding ends at '='. */
static void base64_decode(struct fk_buf *b)
{
    if (!b->data)
        return;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < b->len && b->data[i] != '='; i++) {
        int d = base64_digit((unsigned char)b->data[i]);
        if (d < 0)
            continue;
        acc = ((acc << 6) | (unsigned)d) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            b->data[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    b->len = o;
    b->data[o] = '\0';
}

/* Map C1 controls (U+0080..U+009F, which no one means) to their
 * Windows-1252 characters. */
static void fix_c1(struct parser *p)
{
    const char *s = p->value.data;
    size_t len = p->value.len;
    if (!s)
        return;
    const char *hit = NULL;
    for (const char *c = memchr(s, 0xC2, len); c;
         c = memchr(c + 1, 0xC2, len - (size_t)(c + 1 - s))) {
        unsigned char next = c + 1 < s + len ? (unsigned char)c[1] : 0;
        if (next >= 0x80 && next <= 0x9F && fk_decode_cp1252(next)) {
            hit = c;
            break;
        }
    }
    if (!hit)
        return;
    fk_buf_reset(&p->scratch);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp = 0;
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F)
            cp = fk_decode_cp1252((unsigned char)s[i + 1]);
        if (!cp) {
            fk_buf_addc(&p->scratch, (char)c);
            i++;
            continue;
        }
        char enc[FK_UTF8_MAX];
        fk_buf_add(&p->scratch, enc, fk_utf8_encode(cp, enc));
        i += 2;
    }
    take_scratch(p);
}

/* A copy of s[0..len) without leading and trailing whitespace, or NULL
 * when nothing is left. */
static char *trimmed(const char *s, size_t len)
{
    while (len && fk_is_space((unsigned char)*s))
        s++, len--;
    while (len && fk_is_space((unsigned char)s[len - 1]))
        len--;
    return len ? fk_xstrndup(s, len) : NULL;
}

/* ---- links inside HTML ---------------------------------------------------------- */

static bool is_uri_attribute(const char *element, size_t elen, const char *attr, size_t alen)
{
    for (size_t i = 0; i < sizeof uri_attributes / sizeof uri_attributes[0]; i++) {
        if (strlen(uri_attributes[i].element) == elen &&
            strncasecmp(element, uri_attributes[i].element, elen) == 0 &&
            strlen(uri_attributes[i].attribute) == alen &&
            strncasecmp(attr, uri_attributes[i].attribute, alen) == 0)
            return true;
    }
    return false;
}

/* Whether a URL attribute value needs resolving: not empty, not absolute,
 * not a same-document "#fragment" (which must keep pointing into the
 * article, not at the feed). */
static bool is_relative_ref(const char *v, size_t len)
{
    while (len && fk_is_space((unsigned char)*v))
        v++, len--;
    return len && v[0] != '#' && !has_scheme(v, len);
}

/* Rewrite relative URLs of known URL attributes (a href, img src, ...) in
 * html against base. A small tokenizer, not a parser: everything but those
 * attribute values is copied byte for byte, so the content stage sees the
 * HTML as the feed wrote it. Returns a new string, or NULL when nothing
 * changed. */
static char *resolve_html_links(const char *html, size_t len, const char *base)
{
    if (!base || !*base || !html)
        return NULL;
    struct fk_buf out = FK_BUF_INIT;
    const char *end = html + len, *copied = html, *s = html;
    bool changed = false;
    const char *lt;
    while ((lt = memchr(s, '<', (size_t)(end - s))) != NULL) {
        const char *c = lt + 1;
        if (c < end && *c == '!') {
            const char *close = NULL;
            if (end - c >= 3 && memcmp(c, "!--", 3) == 0) {
                for (const char *q = c + 3; q + 2 < end; q++) {
                    if (q[0] == '-' && q[1] == '-' && q[2] == '>') {
                        close = q + 3;
                        break;
                    }
                }
            } else {
                close = memchr(c, '>', (size_t)(end - c));
                if (close)
                    close++;
            }
            s = close ? close : end;
            continue;
        }
        if (c >= end || !fk_is_alpha((unsigned char)*c)) {
            s = c;
            continue;
        }
        const char *name = c;
        while (c < end && (fk_is_alpha((unsigned char)*c) || fk_is_digit((unsigned char)*c) ||
                           *c == '-' || *c == ':'))
            c++;
        size_t name_len = (size_t)(c - name);
        while (c < end && *c != '>') {
            if (fk_is_space((unsigned char)*c) || *c == '/') {
                c++;
                continue;
            }
            const char *attr = c;
            while (c < end && !fk_is_space((unsigned char)*c) && *c != '=' && *c != '>' &&
                   *c != '/')
                c++;
            size_t attr_len = (size_t)(c - attr);
            if (!attr_len) {
                c++;
                continue;
            }
            while (c < end && fk_is_space((unsigned char)*c))
                c++;
            if (c >= end || *c != '=')
                continue;
            c++;
            while (c < end && fk_is_space((unsigned char)*c))
                c++;
            if (c >= end)
                break;
            char quote = 0;
            const char *v = c, *v_end;
            if (*c == '"' || *c == '\'') {
                quote = *c;
                v = c + 1;
                v_end = memchr(v, quote, (size_t)(end - v));
                if (!v_end)
                    v_end = end;
                c = v_end < end ? v_end + 1 : end;
            } else {
                while (c < end && !fk_is_space((unsigned char)*c) && *c != '>')
                    c++;
                v_end = c;
            }
            size_t v_len = (size_t)(v_end - v);
            if (!is_uri_attribute(name, name_len, attr, attr_len) || !is_relative_ref(v, v_len))
                continue;
            char *ref = fk_xstrndup(v, v_len);
            char *abs = fk_url_resolve(base, ref);
            if (abs && strcmp(abs, ref) != 0) {
                /* Replace the value; an unquoted one gets quotes. */
                fk_buf_add(&out, copied, (size_t)(v - copied));
                char q = quote ? quote : '"';
                if (!quote)
                    fk_buf_addc(&out, q);
                for (const char *a = abs; *a; a++) {
                    if (*a == q)
                        fk_buf_adds(&out, q == '"' ? "&quot;" : "&#39;");
                    else
                        fk_buf_addc(&out, *a);
                }
                if (!quote)
                    fk_buf_addc(&out, q);
                copied = v_end;
                changed = true;
            }
            free(ref);
            free(abs);
        }
        s = c < end ? c + 1 : end;
    }
    if (!changed) {
        fk_buf_release(&out);
        return NULL;
    }
    fk_buf_add(&out, copied, (size_t)(end - copied));
    return fk_buf_detach(&out);
}

/* Rewrite character references to U+0080..U+009F ("&#146;", "&#x92;") as
 * references to the Windows-1252 characters feeds mean by them: HTML5
 * reads them so, but an HTML parser that does not (libxml2's) would put C1
 * controls in the text. Returns a new string, or NULL when nothing changed. */
static char *fix_c1_references(const char *html)
{
    const char *amp = strstr(html, "&#");
    if (!amp)
        return NULL;
    struct fk_buf out = FK_BUF_INIT;
    const char *copied = html;
    for (; amp; amp = strstr(amp + 2, "&#")) {
        const char *d = amp + 2;
        bool hex = *d == 'x' || *d == 'X';
        d += hex;
        unsigned long cp = 0;
        const char *start = d;
        while (cp < 0x100 &&
               (hex ? fk_is_xdigit((unsigned char)*d) : fk_is_digit((unsigned char)*d))) {
            int v = fk_is_digit((unsigned char)*d) ? *d - '0' : (*d | 0x20) - 'a' + 10;
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
            d++;
        }
        if (d == start || *d != ';' || cp < 0x80 || cp > 0x9F ||
            !fk_decode_cp1252((unsigned char)cp))
            continue;
        fk_buf_add(&out, copied, (size_t)(amp - copied));
        fk_buf_printf(&out, "&#x%x;", fk_decode_cp1252((unsigned char)cp));
        copied = d + 1;
    }
    if (copied == html) {
        fk_buf_release(&out);
        return NULL;
    }
    fk_buf_adds(&out, copied);
    return fk_buf_detach(&out);
}

/* An HTML field value: links resolved against base, C1 references fixed.
 * Takes value. */
char *fk_feed_html_value(char *value, const char *base)
{
    if (!value)
        return NULL;
    char *resolved = resolve_html_links(value, strlen(value), base);
    if (resolved) {
        free(value);
        value = resolved;
    }
    char *fixed = fix_c1_references(value);
    if (fixed) {
        free(value);
        value = fixed;
    }
    return value;
}

/* feedparser's test for RSS titles: a known end tag, "<br/>", or an entity
 * or character reference. */
static bool looks_like_html(const char *s)
{
    for (const char *c = s; *c; c++) {
        if (c[0] == '<' && c[1] == '/') {
            const char *n = c + 2, *e = n;
            while (fk_is_alpha((unsigned char)*e))
                e++;
            if (*e == '>' && NAME_IN(n, (size_t)(e - n), title_markup))
                return true;
        } else if (c[0] == '<' && has_prefix_nocase(c, "<br")) {
            const char *e = c + 3;
            while (fk_is_space((unsigned char)*e))
                e++;
            if (*e == '>' || (e[0] == '/' && e[1] == '>'))
                return true;
        } else if (c[0] == '&') {
            const char *e = c + 1;
            if (*e == '#') {
                e++;
                if (*e == 'x' || *e == 'X')
                    e++;
            }
            const char *n = e;
            while (fk_is_alpha((unsigned char)*e) || fk_is_digit((unsigned char)*e))
                e++;
            if (e > n && *e == ';')
                return true;
        }
    }
    return false;
}

/* ---- items and the feed ------------------------------------------------------------ */

void fk_feed_add_tag(struct fk_item *item, size_t *cap, char *tag)
{
    if (!tag)
        return;
    if (item->ntags >= FK_FEED_TAGS_MAX)
        goto drop;
    for (size_t i = 0; i < item->ntags; i++)
        if (strcmp(item->tags[i], tag) == 0)
            goto drop;
    if (item->ntags == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        item->tags = fk_xrealloc(item->tags, *cap * sizeof *item->tags);
    }
    item->tags[item->ntags++] = tag;
    return;
drop:
    free(tag);
}

static void add_tag(struct parser *p, const char *s, size_t len)
{
    fk_feed_add_tag(&p->item.item, &p->item.tags_cap, trimmed(s, len));
}

/* An enclosure's length: a decimal number of bytes, else -1. */
static int64_t enclosure_length(const char *s)
{
    if (!s)
        return -1;
    while (fk_is_space((unsigned char)*s))
        s++;
    if (!fk_is_digit((unsigned char)*s))
        return -1;
    int64_t n = 0;
    for (; fk_is_digit((unsigned char)*s); s++) {
        if (n > (INT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*s - '0');
    }
    while (fk_is_space((unsigned char)*s))
        s++;
    return *s ? -1 : n;
}

/* A trimmed attribute value, or NULL when absent or blank. */
static char *trimmed_attribute(int nattrs, const xmlChar **attrs, const char *local)
{
    char *v = local ? attribute(nattrs, attrs, local, NULL) : NULL;
    char *t = v ? trimmed(v, strlen(v)) : NULL;
    free(v);
    return t;
}

/* Add the enclosure described by the attributes of an element of the
 * given field, its URL resolved against base. One URL is one enclosure:
 * feeds give the same file as <enclosure> and as media:content. */
static void add_enclosure(struct parser *p, enum field field, const char *base, int nattrs,
                          const xmlChar **attrs)
{
    size_t row = 0, rows = sizeof enclosure_attributes / sizeof enclosure_attributes[0];
    while (row < rows && enclosure_attributes[row].field != field)
        row++;
    if (row == rows)
        return;
    char *ref = trimmed_attribute(nattrs, attrs, enclosure_attributes[row].url);
    if (!ref)
        return;
    char *url = fk_url_resolve(base, ref);
    free(ref);
    char *type = trimmed_attribute(nattrs, attrs, enclosure_attributes[row].type);
    char *length = trimmed_attribute(nattrs, attrs, enclosure_attributes[row].length);
    int64_t bytes = enclosure_length(length);
    free(length);
    fk_feed_add_enclosure(&p->item.item, &p->item.enclosures_cap, url, type, bytes,
                          enclosure_attributes[row].kind);
}

void fk_feed_add_enclosure(struct fk_item *item, size_t *cap, char *url, char *type, int64_t bytes,
                           const char *kind)
{
    if (!url)
        goto out;
    for (size_t i = 0; i < item->nenclosures; i++) {
        struct fk_enclosure *e = &item->enclosures[i];
        if (strcmp(e->url, url) != 0)
            continue;
        if (!e->type) {
            e->type = type;
            type = NULL;
        }
        if (e->length < 0)
            e->length = bytes;
        if (strcmp(kind, "file") == 0)
            e->kind = kind; /* a thumbnail that is also the media is the media */
        goto out;
    }
    if (item->nenclosures >= FK_FEED_ENCLOSURES_MAX)
        goto out;
    if (item->nenclosures == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        item->enclosures = fk_xrealloc(item->enclosures, *cap * sizeof *item->enclosures);
    }
    item->enclosures[item->nenclosures++] = (struct fk_enclosure){url, type, bytes, kind};
    return;
out:
    free(url);
    free(type);
}

void fk_feed_item_clear(struct fk_item *item)
{
    free(item->guid);
    free(item->url);
    free(item->title);
    free(item->title_html);
    free(item->author);
    free(item->published_raw);
    free(item->updated_raw);
    for (size_t i = 0; i < item->ntags; i++)
        free(item->tags[i]);
    free(item->tags);
    for (size_t i = 0; i < item->nenclosures; i++) {
        free(item->enclosures[i].url);
        free(item->enclosures[i].type);
    }
    free(item->enclosures);
    free(item->summary_html);
    free(item->content_html);
    free(item->api.markdown);
    free(item->api.canonical_url);
    free(item->api.series);
    free(item->api.organization);
    memset(item, 0, sizeof *item);
}

static void item_release(struct item_state *it)
{
    fk_feed_item_clear(&it->item);
    memset(it, 0, sizeof *it);
}

static void announce(struct parser *p)
{
    if (p->announced)
        return;
    p->announced = true;
    p->info.updated = fk_date_parse(p->info.updated_raw);
    if (!p->handler || !p->handler->on_feed)
        return;
    handlers_outer(p);
    int rc = p->handler->on_feed(&p->info, p->handler->ctx);
    handlers_ours(p);
    if (rc != 0) {
        p->cancelled = true;
        stop(p);
    }
}

static void item_start(struct parser *p, int nattrs, const xmlChar **attrs)
{
    item_release(&p->item);
    p->in_item = true;
    struct fk_item *item = &p->item.item;
    item->published = FK_TIME_NONE;
    item->updated = FK_TIME_NONE;
    /* RSS 1.0 names its items by rdf:about; CDF puts link and date in
     * attributes. */
    assign(&item->guid, &p->item.guid_prio, PRIO_FALLBACK,
           attribute(nattrs, attrs, "about", NS_RDF), false);
    if (p->format == FMT_CDF) {
        char *href = attribute(nattrs, attrs, "href", NULL);
        assign(&item->url, &p->item.url_prio, PRIO_NORMAL,
               href ? fk_url_resolve(p->stack[p->nstack - 1].base, href) : NULL, true);
        free(href);
        assign_date(&item->updated_raw, &p->item.updated_prio, PRIO_NORMAL,
                    attribute(nattrs, attrs, "lastmod", NULL));
    }
}

static void item_end(struct parser *p, const char *base)
{
    struct item_state *it = &p->item;
    struct fk_item *item = &it->item;
    p->in_item = false;
    /* An RSS guid is the permalink unless it says otherwise; use it when
     * there is no link, but only when it is a web address. */
    if (!item->url && it->guid_is_link && is_web_url(item->guid))
        item->url = fk_xstrdup(item->guid);
    item->published = fk_date_parse(item->published_raw);
    item->updated = fk_date_parse(item->updated_raw);
    item->base_url = base;
    announce(p);
    if (!p->stopped && p->handler && p->handler->on_item) {
        handlers_outer(p);
        int rc = p->handler->on_item(item, p->handler->ctx);
        handlers_ours(p);
        if (rc != 0) {
            p->cancelled = true;
            stop(p);
        }
    }
    item_release(it);
}

/* ---- fields ---------------------------------------------------------------------------- */

/* How an Atom text construct or content is encoded, from type and mode. */
static void atom_kind(struct parser *p, int nattrs, const xmlChar **attrs)
{
    char *type = attribute(nattrs, attrs, "type", NULL);
    char *mode = attribute(nattrs, attrs, "mode", NULL);
    struct field_state *f = &p->field;
    f->kind = K_TEXT;
    if (!type || !*type || strcasecmp(type, "text") == 0 || strcasecmp(type, "text/plain") == 0) {
        f->kind = K_TEXT;
    } else if (strcasecmp(type, "html") == 0 || strcasecmp(type, "text/html") == 0) {
        f->kind = K_HTML;
    } else if (strcasecmp(type, "xhtml") == 0 || strcasecmp(type, "application/xhtml+xml") == 0) {
        f->kind = K_XHTML;
    } else {
        size_t n = strlen(type);
        bool xml = (n >= 4 && strcasecmp(type + n - 4, "/xml") == 0) ||
                   (n >= 4 && strcasecmp(type + n - 4, "+xml") == 0);
        if (xml)
            f->kind = K_XHTML;
        else if (has_prefix_nocase(type, "text/"))
            f->kind = K_TEXT;
        else if (p->format == FMT_ATOM10)
            f->base64 = true, f->kind = K_HTML; /* RFC 4287 4.1.3.3: other types are base64 */
    }
    if (mode && strcasecmp(mode, "base64") == 0) {
        f->base64 = true;
        if (!type) /* Atom 0.3 says text/plain then; feeds mean HTML */
            f->kind = K_HTML;
    } else if (mode && strcasecmp(mode, "escaped") == 0 && f->kind == K_XHTML)
        f->kind = K_HTML;
    free(type);
    free(mode);
}

static void field_start(struct parser *p, const struct tag *t, enum context context,
                        const char *base, char *own_base, int nattrs, const xmlChar **attrs)
{
    struct field_state *f = &p->field;
    memset(f, 0, sizeof *f);
    f->tag = t;
    f->context = context;
    f->depth = p->depth;
    f->own_base = own_base;
    f->base = own_base ? own_base : base;
    f->permalink = true;
    fk_buf_reset(&p->value);

    switch (t->field) {
    case F_TITLE:
    case F_SUMMARY:
    case F_CONTENT:
    case F_DESCRIPTION:
        f->markup = true;
        if (t->vocab == V_ATOM) {
            atom_kind(p, nattrs, attrs);
            f->strip_div = p->format == FMT_ATOM10;
        } else {
            f->kind = t->field == F_TITLE ? K_TEXT : K_HTML;
        }
        break;
    case F_BODY:
        f->markup = true;
        f->kind = K_XHTML;
        break;
    case F_ATOM_LINK:
        f->href = attribute(nattrs, attrs, "href", NULL);
        f->rel = attribute(nattrs, attrs, "rel", NULL);
        if (context == C_ITEM && f->rel && strcasecmp(f->rel, "enclosure") == 0)
            add_enclosure(p, F_ATOM_LINK, f->base, nattrs, attrs);
        break;
    case F_GUID: {
        char *permalink = attribute(nattrs, attrs, "isPermaLink", NULL);
        f->permalink = !permalink || strcasecmp(permalink, "false") != 0;
        free(permalink);
        break;
    }
    case F_ATOM_CATEGORY: {
        char *term = attribute(nattrs, attrs, "term", NULL);
        if (!term || is_blank(term, strlen(term))) {
            free(term);
            term = attribute(nattrs, attrs, "label", NULL);
        }
        if (term && context == C_ITEM) {
            add_tag(p, term, strlen(term));
            f->has_term = true;
        }
        free(term);
        break;
    }
    case F_ITUNES_CATEGORY: {
        char *text = attribute(nattrs, attrs, "text", NULL);
        if (text && context == C_ITEM)
            add_tag(p, text, strlen(text));
        free(text);
        break;
    }
    default:
        break;
    }
}

/* Order two serialised attributes 'name="value"' by name. */
static int compare_names(const char *a, const char *b)
{
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* The base for an element: its xml:base resolved against the outer one.
 * Returns a new string, or NULL when the element has no xml:base. */
static char *element_base(const char *outer, int nattrs, const xmlChar **attrs)
{
    char *own = attribute(nattrs, attrs, "base", NS_XML);
    if (!own)
        return NULL;
    char *abs = fk_url_resolve(outer, own);
    free(own);
    if (!usable_base(abs)) {
        free(abs);
        return NULL;
    }
    return abs;
}

/* The base in effect at depth rel inside the field (0: the field's). */
static const char *markup_base_at(const struct parser *p, int rel)
{
    for (int r = rel < MARKUP_DEPTH ? rel : MARKUP_DEPTH - 1; r > 0; r--)
        if (p->markup_base[r])
            return p->markup_base[r];
    return p->field.base;
}

/* Set (or clear, with NULL) the xml:base at depth rel; takes base. */
static void set_markup_base(struct parser *p, int rel, char *base)
{
    if (p->markup_base[rel])
        p->markup_bases--;
    free(p->markup_base[rel]);
    p->markup_base[rel] = base;
    if (base)
        p->markup_bases++;
}

static void clear_markup_bases(struct parser *p)
{
    for (int r = 0; r < MARKUP_DEPTH && p->markup_bases > 0; r++)
        set_markup_base(p, r, NULL);
}

static void markup_start(struct parser *p, const xmlChar *local, const xmlChar *uri, int nattrs,
                         const xmlChar **attrs)
{
    struct field_state *f = &p->field;
    int rel = p->depth - f->depth;
    if (f->tag->field == F_ITUNES_CATEGORY) {
        /* nested categories are subcategories: tags too */
        char *text = attribute(nattrs, attrs, "text", NULL);
        if (text && f->context == C_ITEM)
            add_tag(p, text, strlen(text));
        free(text);
        return;
    }
    if (!f->markup)
        return;
    f->saw_element = true;
    const char *name = (const char *)local;
    size_t name_len = strlen(name);
    const xmlChar *parent_ns =
        rel > 1 && rel - 1 < MARKUP_DEPTH ? p->markup_ns[rel - 1] : (const xmlChar *)NS_XHTML;
    /* Markup in no namespace, or in the feed's own (an Atom 0.3 summary
     * with a bare <b> inside), is HTML. */
    const xmlChar *ns =
        uri && *uri && vocab_of(p, uri) != p->core ? uri : (const xmlChar *)NS_XHTML;
    if (rel < MARKUP_DEPTH)
        p->markup_ns[rel] = ns;
    bool html = strcmp((const char *)ns, NS_XHTML) == 0;
    /* xml:base applies inside inline XHTML too (nested, as everywhere):
     * links are resolved here, where the base is known, and the attribute,
     * which HTML does not have, is not written out */
    const char *base = markup_base_at(p, rel - 1);
    if (rel < MARKUP_DEPTH) {
        set_markup_base(p, rel, element_base(base, nattrs, attrs));
        base = markup_base_at(p, rel);
    }
    if (rel == 1) {
        f->top_elements++;
        if (f->top_elements == 1 && html && strcasecmp(name, "div") == 0 && !f->top_text)
            f->div_inner_start = SIZE_MAX; /* set below, after the start tag */
    }

    /* Attributes sorted by name (feedparser's serialisation), namespace
     * declarations dropped and re-made where needed. */
    fk_buf_reset(&p->scratch);
    size_t offsets[MARKUP_ATTRS + 2];
    size_t n = 0;
    if (strcmp((const char *)ns, (const char *)parent_ns) != 0) {
        offsets[n++] = p->scratch.len;
        fk_buf_adds(&p->scratch, "xmlns=\"");
        add_escaped(p, &p->scratch, (const char *)ns, strlen((const char *)ns), true);
        fk_buf_add(&p->scratch, "\"", 2);
    }
    for (int i = 0; i < nattrs && n < MARKUP_ATTRS; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (a[2] && strcmp((const char *)a[2], NS_XML) == 0 &&
            strcmp((const char *)a[0], "base") == 0)
            continue;
        char *v = attribute_value(a[3], a[4]);
        if (html && !a[1] &&
            is_uri_attribute(name, name_len, (const char *)a[0], strlen((const char *)a[0])) &&
            is_relative_ref(v, strlen(v))) {
            char *abs = fk_url_resolve(base, v);
            free(v);
            v = abs;
        }
        offsets[n++] = p->scratch.len;
        if (a[1])
            fk_buf_printf(&p->scratch, "%s:", (const char *)a[1]);
        fk_buf_printf(&p->scratch, "%s=\"", (const char *)a[0]);
        add_escaped(p, &p->scratch, v, strlen(v), true);
        fk_buf_add(&p->scratch, "\"", 2);
        free(v);
        if (a[1] && a[2] && strcmp((const char *)a[1], "xml") != 0 && n < MARKUP_ATTRS) {
            offsets[n++] = p->scratch.len;
            fk_buf_printf(&p->scratch, "xmlns:%s=\"", (const char *)a[1]);
            add_escaped(p, &p->scratch, (const char *)a[2], strlen((const char *)a[2]), true);
            fk_buf_add(&p->scratch, "\"", 2);
        }
    }
    /* insertion sort: a handful of attributes */
    for (size_t i = 1; i < n; i++) {
        size_t o = offsets[i], j = i;
        while (j > 0 && compare_names(p->scratch.data + offsets[j - 1], p->scratch.data + o) > 0) {
            offsets[j] = offsets[j - 1];
            j--;
        }
        offsets[j] = o;
    }
    value_adds(p, "<");
    value_add(p, name, name_len);
    for (size_t i = 0; i < n; i++) {
        const char *attr = p->scratch.data + offsets[i];
        /* skip a duplicate xmlns:prefix made for two attributes */
        if (i > 0 && strcmp(attr, p->scratch.data + offsets[i - 1]) == 0)
            continue;
        value_adds(p, " ");
        value_adds(p, attr);
    }
    value_adds(p, html && NAME_IN(name, name_len, void_elements) ? " />" : ">");
    if (rel == 1 && f->div_inner_start == SIZE_MAX)
        f->div_inner_start = p->value.len;
}

static void markup_end(struct parser *p, const xmlChar *local, const xmlChar *uri)
{
    struct field_state *f = &p->field;
    if (!f->markup)
        return;
    int rel = p->depth - f->depth;
    const char *name = (const char *)local;
    bool html =
        !uri || !*uri || vocab_of(p, uri) == p->core || strcmp((const char *)uri, NS_XHTML) == 0;
    if (rel < MARKUP_DEPTH)
        set_markup_base(p, rel, NULL);
    if (rel == 1 && f->top_elements == 1 && f->div_inner_start)
        f->div_inner_end = p->value.len;
    if (html && NAME_IN(name, strlen(name), void_elements))
        return;
    value_adds(p, "</");
    value_adds(p, name);
    value_adds(p, ">");
}

static void on_characters(void *ctx, const xmlChar *ch, int len)
{
    struct parser *p = parser_of(ctx);
    if (!p || p->stopped)
        return;
    keep_references(p, ctx);
    if (ctx != p->ctxt) {
        /* text from an entity's replacement */
        p->entity_text += (size_t)len;
        if (p->entity_text > ENTITY_TEXT_MAX) {
            set_error(p, "entity expansion too large: document refused past this point");
            xmlStopParser(ctx);
            stop(p);
            return;
        }
    }
    struct field_state *f = &p->field;
    if (p->skip || !f->tag || len <= 0)
        return;
    const char *s = (const char *)ch;
    if (p->depth == f->depth && !f->top_text && !is_blank(s, (size_t)len))
        f->top_text = true;
    if (f->kind == K_XHTML && f->markup)
        add_escaped(p, &p->value, s, (size_t)len, false);
    else
        value_add(p, s, (size_t)len);
}

/* libxml2's recovery drops what it cannot parse as a reference: the
 * "&b" of an unescaped "?a=1&b=2", an HTML "&nbsp;" with no DTD. Those are
 * the most common errors in real feeds, and losing the text corrupts
 * links, so put it back: the error comes while the parser stands right
 * after the bad reference, in content (not in an attribute value). */
static void restore_reference(struct parser *p, xmlParserCtxtPtr ctxt, const xmlError *e)
{
    struct field_state *f = &p->field;
    if (!f->tag || p->skip || ctxt != p->ctxt || ctxt->instate != XML_PARSER_CONTENT ||
        !ctxt->input || !ctxt->input->cur || !ctxt->input->base)
        return;
    bool escape = f->kind == K_XHTML && f->markup;
    if (e->code == XML_ERR_UNDECLARED_ENTITY || e->code == XML_WAR_UNDECLARED_ENTITY) {
        const htmlEntityDesc *ent = e->str1 ? htmlEntityLookup((const xmlChar *)e->str1) : NULL;
        if (ent) {
            xmlChar utf8[8];
            int n = xmlCopyCharMultiByte(utf8, (int)ent->value);
            if (n > 0)
                value_add(p, (const char *)utf8, (size_t)n);
        } else if (e->str1) {
            value_adds(p, escape ? "&amp;" : "&");
            value_adds(p, e->str1);
            value_adds(p, ";");
        }
        return;
    }
    /* "&" then maybe a name, just before the parser's position */
    const xmlChar *cur = ctxt->input->cur, *amp = cur;
    while (amp > ctxt->input->base && cur - amp < 256 && amp[-1] != '&')
        amp--;
    if (amp == ctxt->input->base || amp[-1] != '&')
        return;
    value_adds(p, escape ? "&amp;" : "&");
    value_add(p, (const char *)amp, (size_t)(cur - amp));
}

static void on_sax_error(void *ctx, xmlErrorPtr e)
{
    struct parser *p = parser_of(ctx);
    if (!p || !e)
        return;
    if (!p->stopped &&
        (e->code == XML_ERR_NAME_REQUIRED || e->code == XML_ERR_ENTITYREF_SEMICOL_MISSING ||
         e->code == XML_ERR_UNDECLARED_ENTITY || e->code == XML_WAR_UNDECLARED_ENTITY))
        restore_reference(p, ctx, e);
    if (e->code == XML_ERR_TAG_NAME_MISMATCH && ctx == p->ctxt && e->str2) {
        /* the end event that follows is for libxml2's open element; keep the
         * name the document wrote (without a prefix) for on_end */
        const char *colon = strrchr(e->str2, ':');
        snprintf(p->end_tag, sizeof p->end_tag, "%s", colon ? colon + 1 : e->str2);
    }
    record_error(p, e);
}

/* The value of a plain field, trimmed; NULL when empty. */
static char *plain_value(struct parser *p)
{
    fix_c1(p);
    return p->value.data ? trimmed(p->value.data, p->value.len) : NULL;
}

/* A text construct's value as HTML (is_html true) or plain text. */
static char *construct_value(struct parser *p, bool *is_html)
{
    struct field_state *f = &p->field;
    if (f->base64) {
        base64_decode(&p->value);
    } else if (f->strip_div && f->top_elements == 1 && !f->top_text && f->div_inner_start &&
               f->div_inner_start != SIZE_MAX && f->div_inner_end >= f->div_inner_start) {
        /* Atom 1.0 inline XHTML comes wrapped in one <div>: drop it. */
        size_t n = f->div_inner_end - f->div_inner_start;
        memmove(p->value.data, p->value.data + f->div_inner_start, n);
        p->value.len = n;
        p->value.data[n] = '\0';
    }
    *is_html = f->kind != K_TEXT || f->saw_element;
    char *v = plain_value(p);
    if (v && !*is_html && f->tag->vocab != V_ATOM && f->tag->field == F_TITLE && looks_like_html(v))
        *is_html = true;
    return v;
}

/* Store a title as plain text plus, when it was markup, its HTML. */
static void store_title(struct parser *p, char **title, char **title_html, int *prio)
{
    bool is_html;
    char *v = construct_value(p, &is_html);
    if (!v || p->field.tag->prio < *prio)
        goto out;
    if (is_html) {
        v = fk_feed_html_value(v, p->field.base);
        handlers_outer(p);
        char *line = fk_content_html_to_line(v);
        handlers_ours(p);
        assign(title, prio, p->field.tag->prio, line, false);
        replace(title_html, v);
        v = NULL;
    } else {
        assign(title, prio, p->field.tag->prio, v, false);
        replace(title_html, NULL);
        v = NULL;
    }
out:
    free(v);
}

/* Summary, content, description: always HTML; plain text gets escaped. */
static char *html_construct(struct parser *p)
{
    bool is_html;
    char *v = construct_value(p, &is_html);
    if (v && !is_html) {
        fk_buf_reset(&p->scratch);
        add_escaped(p, &p->scratch, v, strlen(v), false);
        free(v);
        v = fk_buf_detach(&p->scratch);
    }
    return fk_feed_html_value(v, p->field.base);
}

static void store_item_field(struct parser *p)
{
    struct field_state *f = &p->field;
    struct item_state *it = &p->item;
    struct fk_item *item = &it->item;
    int prio = f->tag->prio;
    switch (f->tag->field) {
    case F_TITLE:
        store_title(p, &item->title, &item->title_html, &it->title_prio);
        break;
    case F_SUMMARY: {
        char *v = html_construct(p);
        /* feedparser: a second summary-like element (<description> and
         * <summary> both) becomes the content */
        if (v && item->summary_html && prio == it->summary_prio && !item->content_html)
            assign(&item->content_html, &it->content_prio, prio, v, false);
        else
            assign(&item->summary_html, &it->summary_prio, prio, v, false);
        break;
    }
    case F_CONTENT:
    case F_BODY:
        assign(&item->content_html, &it->content_prio, prio, html_construct(p), false);
        break;
    case F_LINK: {
        char *v = plain_value(p);
        assign(&item->url, &it->url_prio, prio, v ? fk_url_resolve(f->base, v) : NULL, true);
        free(v);
        break;
    }
    case F_ATOM_LINK: {
        char *href = f->href ? trimmed(f->href, strlen(f->href)) : plain_value(p);
        bool alternate = !f->rel || !*f->rel || strcasecmp(f->rel, "alternate") == 0;
        assign(&item->url, &it->url_prio, alternate ? PRIO_NORMAL : PRIO_FALLBACK,
               href ? fk_url_resolve(f->base, href) : NULL, true);
        free(href);
        break;
    }
    case F_GUID: {
        char *v = plain_value(p);
        if (v && prio >= it->guid_prio)
            it->guid_is_link = f->permalink;
        assign(&item->guid, &it->guid_prio, prio, v, false);
        break;
    }
    case F_ATOM_ID: {
        /* An id is an IRI and xml:base applies, but only a path that is
         * plainly meant as a URL is resolved: "12345" stays an id. */
        char *v = plain_value(p);
        if (v && (v[0] == '/' || has_prefix_nocase(v, "./") || has_prefix_nocase(v, "../"))) {
            char *abs = fk_url_resolve(f->base, v);
            free(v);
            v = abs;
        }
        assign(&item->guid, &it->guid_prio, prio, v, false);
        break;
    }
    case F_AUTHOR:
        assign(&item->author, &it->author_prio, prio, plain_value(p), false);
        break;
    case F_PUBLISHED:
        assign_date(&item->published_raw, &it->published_prio, prio, plain_value(p));
        break;
    case F_UPDATED:
        assign_date(&item->updated_raw, &it->updated_prio, prio, plain_value(p));
        break;
    case F_DATE: {
        char *v = plain_value(p);
        assign_date(&item->published_raw, &it->published_prio, prio, v ? fk_xstrdup(v) : NULL);
        assign_date(&item->updated_raw, &it->updated_prio, prio, v);
        break;
    }
    case F_CATEGORY:
    case F_ATOM_CATEGORY:
        if (!f->has_term && p->value.data)
            add_tag(p, p->value.data, p->value.len);
        break;
    case F_TAG_LIST:
        for (const char *s = p->value.data, *e; s; s = e ? e + 1 : NULL) {
            e = strchr(s, ',');
            add_tag(p, s, e ? (size_t)(e - s) : strlen(s));
        }
        break;
    default:
        break;
    }
}

static void store_feed_field(struct parser *p)
{
    struct field_state *f = &p->field;
    struct fk_feed_info *info = &p->info;
    int prio = f->tag->prio;
    switch (f->tag->field) {
    case F_TITLE:
        store_title(p, &info->title, &info->title_html, &p->title_prio);
        break;
    case F_DESCRIPTION:
        assign(&info->description, &p->description_prio, prio, html_construct(p), false);
        break;
    case F_LINK: {
        char *v = plain_value(p);
        assign(&info->site_url, &p->site_prio, prio, v ? fk_url_resolve(f->base, v) : NULL, true);
        free(v);
        break;
    }
    case F_ATOM_LINK: {
        char *href = f->href ? trimmed(f->href, strlen(f->href)) : plain_value(p);
        char *abs = href ? fk_url_resolve(f->base, href) : NULL;
        free(href);
        if (!f->rel || !*f->rel || strcasecmp(f->rel, "alternate") == 0) {
            assign(&info->site_url, &p->site_prio, PRIO_NORMAL, abs, true);
        } else if (strcasecmp(f->rel, "self") == 0 && !info->self_url) {
            info->self_url = abs;
        } else {
            free(abs);
        }
        break;
    }
    case F_LANGUAGE:
        assign(&info->language, &p->language_prio, prio, plain_value(p), false);
        break;
    case F_UPDATED:
        assign_date(&info->updated_raw, &p->updated_prio, prio, plain_value(p));
        break;
    case F_IMAGE_URL: {
        char *v = plain_value(p);
        assign(&info->image_url, &p->image_prio, prio, v ? fk_url_resolve(f->base, v) : NULL,
               false);
        free(v);
        break;
    }
    default:
        break;
    }
}

/* An item field cut at FK_FEED_FIELD_MAX, or before the parser: the item
 * is delivered, and says so. Fields of the feed itself are cut silently. */
static void field_cut(struct parser *p)
{
    struct field_state *f = &p->field;
    if (!p->in_item || p->item.warning[0])
        return;
    enum field field = f->tag->field;
    snprintf(p->item.warning, sizeof p->item.warning, "%s longer than %zu MiB: truncated",
             field == F_CONTENT || field == F_BODY ? "content"
             : field == F_SUMMARY                  ? "summary"
                                                   : f->tag->name,
             FK_FEED_FIELD_MAX >> 20);
    p->item.item.warning = p->item.warning;
}

static void field_end(struct parser *p)
{
    struct field_state *f = &p->field;
    if (f->truncated || f->cut)
        field_cut(p);
    switch (f->context) {
    case C_ITEM:
    case C_MEDIA: /* an item's media:group or media:content */
        store_item_field(p);
        break;
    case C_FEED:
    case C_IMAGE:
        store_feed_field(p);
        break;
    case C_PERSON:
        if (f->tag->field == F_NAME)
            replace(&p->person_name, plain_value(p));
        else if (f->tag->field == F_EMAIL)
            replace(&p->person_email, plain_value(p));
        break;
    default:
        break;
    }
    clear_markup_bases(p);
    free(f->own_base);
    free(f->href);
    free(f->rel);
    memset(f, 0, sizeof *f);
}

/* ---- containers ------------------------------------------------------------------------- */

/* Open a container; false (and the element skipped) when too deep, which
 * tags[] cannot produce but a future row might. */
static bool container_push(struct parser *p, enum context context, const char *base, char *own_base)
{
    if (p->nstack == STACK_DEPTH) {
        free(own_base);
        p->skip = 1;
        return false;
    }
    struct container *c = &p->stack[p->nstack++];
    c->context = context;
    c->depth = p->depth;
    c->own_base = own_base;
    c->base = own_base ? own_base : base;
    return true;
}

static void container_end(struct parser *p)
{
    struct container *c = &p->stack[p->nstack - 1];
    if (c->context == C_ITEM && p->in_item) {
        item_end(p, c->base);
    } else if (c->context == C_PERSON && p->in_item) {
        char *who = p->person_name ? p->person_name : p->person_email;
        if (who)
            assign(&p->item.item.author, &p->item.author_prio, PRIO_NORMAL, fk_xstrdup(who), false);
    }
    free(c->own_base);
    p->nstack--;
}

static void root_start(struct parser *p, const xmlChar *local, const xmlChar *uri, int nattrs,
                       const xmlChar **attrs)
{
    const char *name = (const char *)local;
    p->saw_root = true;
    if (strcasecmp(name, "rss") == 0) {
        p->format = FMT_RSS;
    } else if (strcasecmp(name, "RDF") == 0) {
        p->format = FMT_RDF;
    } else if (strcasecmp(name, "feed") == 0) {
        char *version = attribute(nattrs, attrs, "version", NULL);
        bool v03 = (uri && strcmp((const char *)uri, NS_ATOM03) == 0) ||
                   (version && strncmp(version, "0.", 2) == 0);
        p->format = v03 ? FMT_ATOM03 : FMT_ATOM10;
        free(version);
    } else if (strcasecmp(name, "channel") == 0) {
        p->format = FMT_CDF;
    } else {
        snprintf(p->root_name, sizeof p->root_name, "%s", name);
        p->not_feed = true;
        stop(p);
        return;
    }
    static const char *const format_names[] = {NULL, "rss", "rdf", "atom", "atom", "cdf"};
    p->info.format = format_names[p->format];
    bool atom = p->format == FMT_ATOM03 || p->format == FMT_ATOM10;
    p->core = atom ? V_ATOM : V_RSS;
    p->root_ns = uri;
    const char *doc_base = p->opts && usable_base(p->opts->base_url) ? p->opts->base_url : NULL;
    char *own = element_base(doc_base, nattrs, attrs);
    if (!own && doc_base)
        own = fk_xstrdup(doc_base);
    if (atom || p->format == FMT_CDF) {
        container_push(p, C_FEED, NULL, own);
        if (atom)
            assign(&p->info.language, &p->language_prio, PRIO_FALLBACK,
                   attribute(nattrs, attrs, "lang", NS_XML), false);
        char *href = p->format == FMT_CDF ? attribute(nattrs, attrs, "href", NULL) : NULL;
        if (href)
            assign(&p->info.site_url, &p->site_prio, PRIO_NORMAL,
                   fk_url_resolve(p->stack[0].base, href), true);
        free(href);
    } else {
        container_push(p, C_ROOT, NULL, own);
    }
}

/* Whether an element that starts where it cannot be read is an item (an
 * RSS <item>, an Atom <entry>) of a channel or feed that is still open, with
 * only elements that hold no items open in between: elements skipped as
 * unknown (an <itunes:category> never closed) or an <image>. The document
 * forgot to close those (or nests items where they do not belong, which
 * feedparser reads as items too), and without this every later item would
 * be lost inside them. If so, they are taken as closed, and true is
 * returned with the item's container innermost. The document is not
 * well-formed then, and libxml2 reports that: the warning is its. */
static bool unclosed_before_item(struct parser *p, enum vocab vocab, const xmlChar *local)
{
    if (p->in_item || p->field.tag)
        return false;
    int level = p->nstack - 1;
    while (level >= 0 && p->stack[level].context == C_IMAGE)
        level--;
    const struct tag *t = level >= 0 ? lookup(vocab, p->stack[level].context, local) : NULL;
    if (!t || t->field != F_ITEM || (level == p->nstack - 1 && !p->skip))
        return false;
    while (p->nstack - 1 > level)
        container_end(p);
    p->skip = 0;
    return true;
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                     int nns, const xmlChar **ns, int nattrs, int ndefaulted, const xmlChar **attrs)
{
    (void)nns;
    (void)ns;
    (void)ndefaulted;
    struct parser *p = parser_of(ctx);
    if (!p || p->stopped)
        return;
    keep_references(p, ctx);
    p->end_tag[0] = '\0';
    p->depth++;
    if (p->depth < NAMES_DEPTH) {
        p->names[p->depth] = local;
        p->uris[p->depth] = uri;
    }
    if (p->skip && !unclosed_before_item(p, element_vocab(p, prefix, uri), local)) {
        p->skip++;
        return;
    }
    if (p->field.tag) {
        markup_start(p, local, uri, nattrs, attrs);
        return;
    }
    if (p->format == FMT_NONE) {
        root_start(p, local, uri, nattrs, attrs);
        return;
    }
    if (p->nstack == 0) { /* a second root, seen in recovery */
        p->skip = 1;
        return;
    }
    enum vocab vocab = element_vocab(p, prefix, uri);
    struct container *c = &p->stack[p->nstack - 1];
    const struct tag *t = lookup(vocab, c->context, local);
    if (!t && unclosed_before_item(p, vocab, local)) {
        c = &p->stack[p->nstack - 1];
        t = lookup(vocab, c->context, local);
    }
    if (!t || (t->field == F_PERSON && !p->in_item)) {
        p->skip = 1;
        return;
    }
    char *own = element_base(c->base, nattrs, attrs);
    switch (t->field) {
    case F_CHANNEL:
        container_push(p, C_FEED, c->base, own);
        break;
    case F_IMAGE:
        container_push(p, C_IMAGE, c->base, own);
        break;
    case F_PERSON:
        replace(&p->person_name, NULL);
        replace(&p->person_email, NULL);
        container_push(p, C_PERSON, c->base, own);
        break;
    case F_ITEM:
        if (container_push(p, C_ITEM, c->base, own))
            item_start(p, nattrs, attrs);
        break;
    case F_MEDIA_GROUP:
        container_push(p, C_MEDIA, c->base, own);
        break;
    case F_MEDIA_CONTENT:
        /* a container too: thumbnails of the file may be inside */
        add_enclosure(p, t->field, own ? own : c->base, nattrs, attrs);
        container_push(p, C_MEDIA, c->base, own);
        break;
    case F_ENCLOSURE:
    case F_THUMBNAIL:
    case F_ITUNES_IMAGE:
        /* everything is in the attributes */
        if (c->context == C_FEED) {
            char *href = trimmed_attribute(nattrs, attrs, "href");
            assign(&p->info.image_url, &p->image_prio, t->prio,
                   href ? fk_url_resolve(own ? own : c->base, href) : NULL, false);
            free(href);
        } else {
            add_enclosure(p, t->field, own ? own : c->base, nattrs, attrs);
        }
        free(own);
        p->skip = 1;
        break;
    default:
        field_start(p, t, c->context, c->base, own, nattrs, attrs);
        break;
    }
}

/* Close the innermost open element. */
static void end_element(struct parser *p)
{
    const xmlChar *local = p->depth < NAMES_DEPTH ? p->names[p->depth] : NULL;
    const xmlChar *uri = p->depth < NAMES_DEPTH ? p->uris[p->depth] : NULL;
    if (p->skip) {
        p->skip--;
    } else if (p->field.tag) {
        if (p->depth == p->field.depth)
            field_end(p);
        else if (local)
            markup_end(p, local, uri);
    } else if (p->nstack && p->stack[p->nstack - 1].depth == p->depth) {
        container_end(p);
    }
    p->depth--;
}

/* The depth of the innermost open element called name, or 0. */
static int open_element(const struct parser *p, const char *name)
{
    for (int d = p->depth < NAMES_DEPTH ? p->depth : NAMES_DEPTH - 1; d > 0; d--)
        if (p->names[d] && strcasecmp((const char *)p->names[d], name) == 0)
            return d;
    return 0;
}

/* An end tag. Elements are closed the way the document means, which is not
 * always the way libxml2 does: on a mismatched end tag it closes just its
 * own innermost element, so one unclosed <br> in an RSS description (naked
 * HTML is common there) would leave every later item nested inside the
 * first one, and lost. Here an end tag closes every element up to the one
 * it names, as in HTML; a stray one inside a field that holds markup (an
 * RSS description, Atom content) closes nothing, as in HTML; elsewhere one
 * that names no open element closes the innermost, as libxml2 does. */
static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)prefix;
    (void)uri;
    struct parser *p = parser_of(ctx);
    if (!p || p->stopped)
        return;
    keep_references(p, ctx);
    int target = p->depth;
    if (p->end_tag[0] || (p->depth < NAMES_DEPTH && p->names[p->depth] != local)) {
        int named = open_element(p, p->end_tag[0] ? p->end_tag : (const char *)local);
        if (named)
            target = named;
        else if (p->field.tag && p->field.markup && p->field.kind != K_TEXT)
            target = p->depth + 1; /* a stray end tag in HTML: nothing to close */
    }
    p->end_tag[0] = '\0';
    while (p->depth >= target && p->depth > 0 && !p->stopped)
        end_element(p);
}

/* ---- driving libxml2 ------------------------------------------------------------------------ */

/* Whether a document that is not XML starts like a web page: what a
 * server sends instead of a feed (a login page, an error page). */
static bool is_html_page(const char *head, size_t len)
{
    static const char *const starts[] = {"<!doctype html", "<html"};
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        head += 3, len -= 3;
    while (len && fk_is_space((unsigned char)*head))
        head++, len--;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (len >= strlen(starts[i]) && strncasecmp(head, starts[i], strlen(starts[i])) == 0)
            return true;
    return false;
}

static void parser_release(struct parser *p)
{
    clear_markup_bases(p);
    while (p->nstack)
        free(p->stack[--p->nstack].own_base);
    free(p->field.own_base);
    free(p->field.href);
    free(p->field.rel);
    item_release(&p->item);
    free(p->person_name);
    free(p->person_email);
    fk_buf_release(&p->value);
    fk_buf_release(&p->scratch);
    fk_buf_release(&p->runs_out);
}

/* Give libxml2 the next len bytes of the document (final: the last),
 * unless they pass the limits on what it can take: then the document is
 * refused from there, and false returned. */
static bool give(struct parser *p, const char *text, size_t len, bool final)
{
    enum fk_xml_refusal why = fk_xml_give(&p->guard, p->ctxt, text, len, final);
    if (why == FK_XML_OK)
        return true;
    char message[128];
    set_error(p, fk_xml_refusal_message(why, "document", message, sizeof message));
    stop(p);
    return false;
}

static int parse(struct fk_feed_source *in, const struct fk_parse_options *opts,
                 const struct fk_feed_handler *handler, struct fk_feed_info *final,
                 struct fk_error *err)
{
    struct parser p;
    memset(&p, 0, sizeof p);
    p.opts = opts;
    p.handler = handler;
    p.info.well_formed = true;
    p.info.updated = FK_TIME_NONE;
    fk_buf_init(&p.value, FK_FEED_FIELD_MAX);
    fk_buf_init(&p.scratch, 0);
    fk_buf_init(&p.runs_out, 0);
    p.runs = (struct fk_run_scan)FK_RUN_SCAN_INIT;
    if (final)
        memset(final, 0, sizeof *final);
    int rc = -1;
    p.guard = (struct fk_xml_guard)FK_XML_GUARD_INIT;
    bool started = false;

    xmlInitParser();
    p.outer_serror = xmlStructuredError;
    p.outer_sctx = xmlStructuredErrorContext;
    p.outer_gerror = xmlGenericError;
    p.outer_gctx = xmlGenericErrorContext;
    handlers_ours(&p);

    p.decoder = fk_decode_new(opts ? opts->charset : NULL, opts && opts->charset_is_hint, err);
    if (!p.decoder)
        goto out;

    xmlSAXHandler sax;
    /* Ours: elements and text. libxml2's: the DTD bookkeeping that lets
     * internal entities work. Removed by fk_xml_sax_init: everything that
     * could load something (external subset, entity resolver) or that we
     * ignore. */
    fk_xml_sax_init(&sax);
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_characters;
    sax.cdataBlock = on_characters;
    sax.ignorableWhitespace = on_characters;
    sax.serror = on_sax_error;

    if (!(p.ctxt = fk_xml_push_new(&sax, &p, err)))
        goto out;

    /* libxml2 reads what the decoder makes of the bytes: UTF-8 it can
     * parse to the end, whatever encoding the document declares. */
    for (;;) {
        const char *chunk, *text;
        ssize_t n = fk_feed_source_next(in, &chunk);
        if (n < 0) {
            fk_error_set(err, FK_ERROR_INPUT, "cannot read the feed: %s", strerror(errno));
            goto out;
        }
        size_t keep =
            sizeof p.head - p.head_len < (size_t)n ? sizeof p.head - p.head_len : (size_t)n;
        memcpy(p.head + p.head_len, chunk, keep);
        p.head_len += keep;
        size_t len = fk_decode_push(p.decoder, chunk, (size_t)n, n == 0, &text);
        /* decoded: a byte order mark alone is an empty document */
        if (!p.saw_data && !is_blank(text, len))
            p.saw_data = true;
        if (!started && (len > 0 || n == 0)) {
            /* the encoding is known now */
            started = true;
            xmlCtxtUseOptions(p.ctxt,
                              FK_XML_OPTIONS | XML_PARSE_RECOVER |
                                  (fk_decode_encoding(p.decoder) ? XML_PARSE_IGNORE_ENC : 0));
        }
        size_t cut;
        len = fk_run_scan(&p.runs, text, len, &p.runs_out, &text, &cut);
        if (cut != SIZE_MAX) {
            /* the field being read when the run was cut is the run's */
            if (!give(&p, text, cut, false))
                break;
            if (p.field.tag)
                p.field.cut = true;
            text += cut;
            len -= cut;
        }
        if (!give(&p, text, len, n == 0))
            break;
        if (n == 0 || p.stopped)
            break;
    }
    decoder_problem(&p, 0);
    if (fk_decode_charset_note(p.decoder))
        p.info.charset_note = fk_xstrdup(fk_decode_charset_note(p.decoder));

    if (p.not_feed) {
        fk_error_set(err, FK_ERROR_INPUT, "not an RSS or Atom feed (root element <%s>)",
                     p.root_name);
        goto out;
    }
    if (!p.saw_root) {
        if (!p.saw_data)
            fk_error_set(err, FK_ERROR_INPUT, "empty document");
        else if (p.first_error_code == XML_ERR_DOCUMENT_EMPTY) /* no '<' at all */
            fk_error_set(err, FK_ERROR_INPUT, "not an RSS or Atom feed (no XML element)");
        else if (p.stopped) /* refused before its first element */
            fk_error_set(err, FK_ERROR_INPUT, "not an RSS or Atom feed (%s)",
                         p.info.error ? p.info.error : "document refused");
        else if (is_html_page(p.head, p.head_len))
            fk_error_set(err, FK_ERROR_INPUT, "not an RSS or Atom feed (an HTML page)");
        else
            fk_error_set(err, FK_ERROR_INPUT, "not an RSS or Atom feed (not XML: %s)",
                         p.info.error);
        goto out;
    }
    if (!p.cancelled)
        announce(&p);
    if (p.cancelled)
        goto out; /* without touching err, as promised */
    p.info.updated = fk_date_parse(p.info.updated_raw);
    if (final) {
        *final = p.info;
        memset(&p.info, 0, sizeof p.info);
    }
    rc = 0;
out:
    if (p.ctxt) {
        if (p.ctxt->myDoc)
            xmlFreeDoc(p.ctxt->myDoc); /* only the DTD: we build no tree */
        xmlFreeParserCtxt(p.ctxt);
    }
    fk_decode_free(p.decoder);
    handlers_outer(&p);
    fk_feed_info_release(&p.info);
    parser_release(&p);
    return rc;
}

/* ---- which reader ------------------------------------------------------------------------- */

static bool is_blank_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t count_newlines(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *e = s + len; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++)
        n++;
    return n;
}

ssize_t fk_feed_source_next(struct fk_feed_source *src, const char **chunk)
{
    switch (src->stage) {
    case 0:
        src->stage = 1;
        if (src->copy) {
            *chunk = src->copy;
            return (ssize_t)src->copy_len;
        }
        /* fall through */
    case 1:
        if (src->newlines) {
            size_t n = src->newlines < sizeof src->lf ? src->newlines : sizeof src->lf;
            memset(src->lf, '\n', n);
            src->newlines -= n;
            *chunk = src->lf;
            return (ssize_t)n;
        }
        src->stage = 2;
        /* fall through */
    case 2:
        src->stage = 3;
        if (src->rest_len) {
            *chunk = src->rest;
            return (ssize_t)src->rest_len;
        }
        /* fall through */
    default:
        return fk_xml_next_chunk(src->in, chunk);
    }
}

/* Read up to the first byte that is not blank (after a UTF-8 byte order
 * mark), set src up to give everything read again, and tell what the
 * document is: 1 for JSON (a '{' or a '['), 0 for anything else (XML, or a
 * document the XML reader will refuse), -1 when it cannot be read. */
static int peek(struct fk_feed_source *src, struct fk_xml_input *in)
{
    memset(src, 0, sizeof *src);
    src->in = in;
    const char *chunk;
    ssize_t n = fk_xml_next_chunk(in, &chunk);
    if (n < 0)
        return -1;
    size_t at = n >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (at < (size_t)n && is_blank_byte(chunk[at]))
        at++;
    if (at == (size_t)n && n > 0) {
        src->copy = fk_xmalloc((size_t)n);
        memcpy(src->copy, chunk, (size_t)n);
        src->copy_len = (size_t)n;
        for (;;) {
            n = fk_xml_next_chunk(in, &chunk);
            if (n < 0)
                return -1;
            for (at = 0; at < (size_t)n && is_blank_byte(chunk[at]); at++)
                ;
            src->newlines += count_newlines(chunk, at);
            if (at < (size_t)n || n == 0)
                break;
        }
        chunk += at;
        n -= (ssize_t)at;
        at = 0;
    }
    src->rest = chunk;
    src->rest_len = (size_t)n;
    return at < (size_t)n && (chunk[at] == '{' || chunk[at] == '[');
}

static int dispatch(struct fk_xml_input *in, const struct fk_parse_options *opts,
                    const struct fk_feed_handler *handler, struct fk_feed_info *final,
                    struct fk_error *err)
{
    struct fk_feed_source src;
    int kind = peek(&src, in);
    int rc;
    if (kind < 0) {
        if (final)
            memset(final, 0, sizeof *final);
        rc = fk_error_set(err, FK_ERROR_INPUT, "cannot read the feed: %s", strerror(errno));
    } else if (kind == 1) {
        rc = fk_jsonfeed_parse(&src, opts, handler, final, err);
    } else {
        rc = parse(&src, opts, handler, final, err);
    }
    free(src.copy);
    fk_xml_input_release(in);
    return rc;
}

int fk_feed_parse_fd(int fd, const struct fk_parse_options *opts,
                     const struct fk_feed_handler *handler, struct fk_feed_info *final,
                     struct fk_error *err)
{
    struct fk_xml_input in;
    if (fd < 0)
        return fk_error_set(err, FK_ERROR_USAGE, "invalid file descriptor");
    fk_xml_input_fd(&in, fd);
    return dispatch(&in, opts, handler, final, err);
}

int fk_feed_parse_memory(const char *data, size_t len, const struct fk_parse_options *opts,
                         const struct fk_feed_handler *handler, struct fk_feed_info *final,
                         struct fk_error *err)
{
    struct fk_xml_input in;
    fk_xml_input_memory(&in, data, len);
    return dispatch(&in, opts, handler, final, err);
}

void fk_feed_info_release(struct fk_feed_info *feed)
{
    if (!feed)
        return;
    free(feed->title);
    free(feed->title_html);
    free(feed->site_url);
    free(feed->self_url);
    free(feed->description);
    free(feed->language);
    free(feed->image_url);
    free(feed->updated_raw);
    free(feed->error);
    free(feed->charset_note);
    memset(feed, 0, sizeof *feed);
    feed->updated = FK_TIME_NONE;
}
