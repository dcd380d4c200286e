/* test_content.c - the content stage: HTML to text, Markdown and code blocks.
 *
 * test_content                      unit tests and the sample dev.to feed
 * test_content --golden DIR         convert DIR/NAME.html, compare with
 *                                   DIR/NAME.txt and DIR/NAME.md
 * test_content --golden DIR --update  (re)write the expected files; read
 *                                   them before committing them
 */
#include "feedkeep/content.h"
#include "feedkeep/buf.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmark.h>

#include "harness.h"

#define BASE_URL "https://example.com/base/"

/* --- helpers ---------------------------------------------------------------- */

static struct fk_content convert(const char *html)
{
    struct fk_content content;
    struct fk_error err = {0};
    int rc = fk_content_from_html(html, html ? strlen(html) : 0, BASE_URL, &content, &err);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "  error: %s\n", err.message);
    return content;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            data = realloc(data, cap);
        }
    }
    fclose(f);
    if (!data)
        return NULL;
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

static bool contains(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle) != NULL;
}

/* --- conversions, construct by construct -------------------------------------- */

struct conversion {
    const char *name;
    const char *html;
    const char *text;
    const char *markdown;
};

static const struct conversion conversions[] = {
    {"empty", "", "", ""},
    {"blank", " \n\t ", "", ""},
    {"comment only", "<!-- nothing -->", "", ""},
    {"plain text", "just text", "just text\n", "just text\n"},
    {"paragraphs", "<p>One.</p>\n\n<p>Two.</p>", "One.\n\nTwo.\n", "One.\n\nTwo.\n"},
    {"whitespace collapsed", "<p>\n  a \t b\n\n  c  </p>", "a b c\n", "a b c\n"},
    {"nbsp is a space", "<p>a&nbsp;&nbsp;b&nbsp;</p><p>&nbsp;</p>", "a b\n", "a b\n"},
    {"entities", "<p>&lt;tag&gt; &amp; &quot;q&quot; &#39;s&#39; &eacute; &#x1F600;</p>",
     "<tag> & \"q\" 's' \xC3\xA9 \xF0\x9F\x98\x80\n",
     "\\<tag\\> & \"q\" 's' \xC3\xA9 \xF0\x9F\x98\x80\n"},
    {"emphasis", "<p>a <em>b</em> <i>c</i> <strong>d</strong> <b>e</b></p>", "a b c d e\n",
     "a *b* *c* **d** **e**\n"},
    {"space moves out of emphasis", "<p>a<em> b </em>c</p>", "a b c\n", "a *b* c\n"},
    {"empty emphasis dropped", "<p>a<em></em><strong> </strong>b</p>", "a b\n", "a b\n"},
    {"nested emphasis", "<p><em>a <em>b</em></em></p>", "a b\n", "*a b*\n"},
    {"strike sub sup as text",
     "<p><del>old</del> <s>x</s><strike>y</strike> H<sub>2</sub>O "
     "x<sup>2</sup></p>",
     "old xy H2O x2\n", "<del>old</del> <s>x</s><del>y</del> H<sub>2</sub>O x<sup>2</sup>\n"},
    {"nested strike is one", "<p><del>a <s>b</s> <del>c</del></del></p>", "a b c\n",
     "<del>a <s>b</s> c</del>\n"},
    {"emphasis next to punctuation", "<p>a<strong>\"q\"</strong>b <b>Note:</b>x</p>",
     "a\"q\"b Note:x\n", "a<strong>\"q\"</strong>b <strong>Note:</strong>x\n"},
    {"emphasis in a word", "<p>un<em>be</em>lievable <b>bold</b>ly</p>", "unbelievable boldly\n",
     "un*be*lievable **bold**ly\n"},
    {"emphasis side by side", "<p><em>a</em><em>b</em><b>c</b></p>", "abc\n",
     "*a*<em>b</em>**c**\n"},
    {"emphasis around punctuation", "<p>(<em>a</em>) \"<b>b</b>\"</p>", "(a) \"b\"\n",
     "(*a*) \"**b**\"\n"},
    {"emphasis of unsure characters", "<p>a<em>\xE2\x80\x94</em>b <em>\xC3\xA9t\xC3\xA9</em></p>",
     "a\xE2\x80\x94"
     "b \xC3\xA9t\xC3\xA9\n",
     "a<em>\xE2\x80\x94</em>b *\xC3\xA9t\xC3\xA9*\n"},
    {"tildes at a line start", "<p>~~~ a</p><p>b<br>~~~c ~~~</p>", "~~~ a\n\nb\n~~~c ~~~\n",
     "\\~~~ a\n\nb  \n\\~~~c ~~~\n"},
    {"tildes in an item", "<ul><li>~~~</li></ul><h2>~~~</h2>", "- ~~~\n\n~~~\n",
     "  - \\~~~\n\n## ~~~\n"},
    {"picture", "<picture><source srcset=\"a.webp\"><img src=\"a.png\" alt=\"P\"></picture>", "P\n",
     "![P](https://example.com/base/a.png)\n"},
    {"heading", "<h1>Title</h1><p>text</p>", "Title\n\ntext\n", "# Title\n\ntext\n"},
    {"dev.to heading", "<h2>\n  \n  \n  Why Traditional Query Planners Hit a Wall\n</h2>\n",
     "Why Traditional Query Planners Hit a Wall\n",
     "## Why Traditional Query Planners Hit a Wall\n"},
    {"heading levels", "<h3>c</h3><h6>f</h6>", "c\n\nf\n", "### c\n\n###### f\n"},
    {"heading stays one line", "<h2>a<br>b<div>c</div><ul><li>d</li></ul></h2>", "a b c d\n",
     "## a b c d\n"},
    {"paragraph closes heading", "<h2>a<p>b</p></h2>", "a\n\nb\n", "## a\n\nb\n"},
    {"heading anchor", "<h2><a name=\"x\" href=\"#x\"></a>Title</h2>", "Title\n", "## Title\n"},
    {"line break", "<p>a<br>b<br/>\nc</p>", "a\nb\nc\n", "a  \nb  \nc\n"},
    {"trailing break dropped", "<p>Below:<br>\n</p><p><br>x</p>", "Below:\n\nx\n", "Below:\n\nx\n"},
    {"double break splits", "<p>a<br><br>b<br><br><br>c</p>", "a\n\nb\n\nc\n", "a\n\nb\n\nc\n"},
    {"bullet list", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "- one\n- two\n",
     "  - one\n  - two\n"},
    {"ordered list", "<ol><li>a</li><li>b</li></ol>", "1. a\n2. b\n", "1.  a\n2.  b\n"},
    {"ordered start", "<ol start=\"9\"><li>a</li><li>b</li></ol>", "9. a\n10. b\n",
     "9.  a\n10. b\n"},
    {"ordered bad start", "<ol start=\"x\"><li>a</li></ol>", "1. a\n", "1.  a\n"},
    {"nested list", "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>",
     "- a\n  - b\n    1. c\n- d\n", "  - a\n      - b\n        1.  c\n  - d\n"},
    {"nested list not starting at 1", "<ul><li>a<ol start=\"3\"><li>b</li></ol></li></ul>",
     "- a\n\n  3. b\n", "  - a\n    \n    3.  b\n"},
    {"item with paragraphs", "<ul><li><p>a</p><p>b</p></li><li>c</li></ul>", "- a\n\n  b\n\n- c\n",
     "  - a\n    \n    b\n\n  - c\n"},
    {"list then paragraph", "<ul><li>a</li></ul><p>b</p>", "- a\n\nb\n", "  - a\n\nb\n"},
    {"empty list dropped", "<ul> <li> </li> </ul><p>x</p>", "x\n", "x\n"},
    {"text directly in list", "<ul>stray<li>a</li></ul>", "- stray\n- a\n", "  - stray\n  - a\n"},
    {"orphan item", "<li>a</li><li>b</li>", "- a\n- b\n", "  - a\n  - b\n"},
    {"blockquote", "<blockquote><p>a</p><p>b</p></blockquote>", "> a\n>\n> b\n", "> a\n> \n> b\n"},
    {"nested blockquote", "<blockquote>a<blockquote>b</blockquote>c</blockquote>",
     "> a\n>\n> > b\n>\n> c\n", "> a\n> \n> > b\n> \n> c\n"},
    {"quote then text", "<p>x</p><blockquote>q</blockquote><p>y</p>", "x\n\n> q\n\ny\n",
     "x\n\n> q\n\ny\n"},
    {"list in quote", "<blockquote><ul><li>a</li><li>b</li></ul></blockquote>", "> - a\n> - b\n",
     ">   - a\n>   - b\n"},
    {"code in item", "<ol><li><pre><code>x = 1\n</code></pre></li></ol>", "1. x = 1\n",
     "1.  ```\n    x = 1\n    ```\n"},
    {"hr", "<p>a</p><hr><p>b</p>", "a\n\n---\n\nb\n", "a\n\n-----\n\nb\n"},
    {"inline code", "<p>Run <code>ls  -l</code> now</p>", "Run ls -l now\n", "Run `ls -l` now\n"},
    {"inline code with backtick", "<p><code>a`b</code></p>", "a`b\n", "``a`b``\n"},
    {"kbd", "<p><kbd>Ctrl</kbd>+<kbd>C</kbd></p>", "Ctrl+C\n", "`Ctrl`+`C`\n"},
    {"markdown characters escaped", "<p>*not* _em_ [x](y) # h</p><p>1. not a list</p>",
     "*not* _em_ [x](y) # h\n\n1. not a list\n",
     "\\*not\\* \\_em\\_ \\[x\\](y) \\# h\n\n1\\. not a list\n"},
    {"relative link", "<p><a href=\"../x?a=1&amp;b=2\">x</a></p>", "x\n",
     "[x](https://example.com/x?a=1&b=2)\n"},
    {"absolute link", "<p><a href=\"https://dev.to/y\">y</a></p>", "y\n",
     "[y](https://dev.to/y)\n"},
    {"link title", "<p><a href=\"/t\" title=\" The  title \">t</a></p>", "t\n",
     "[t](https://example.com/t \"The title\")\n"},
    {"link without href", "<p><a name=\"n\">plain</a></p>", "plain\n", "plain\n"},
    {"javascript link", "<p><a href=\" JavaScript:alert(1)\">js</a></p>", "js\n", "js\n"},
    {"nested links", "<p><a href=\"/a\">a <a href=\"/b\">b</a></a></p>", "a b\n",
     "[a](https://example.com/a) [b](https://example.com/b)\n"},
    {"image", "<p><img src=\"i.png\" alt=\" An  image \"></p>", "An image\n",
     "![An image](https://example.com/base/i.png)\n"},
    {"image without alt", "<p>a <img src=\"/i.png\"> b</p>", "a b\n",
     "a ![](https://example.com/i.png) b\n"},
    {"tracking pixel", "<p>x<img src=\"https://t.co/p.gif\" width=\"1\" height=\"1\"></p>", "x\n",
     "x\n"},
    {"zero size image", "<p>x<img src=\"/p.gif\" height=\"0\" alt=\"hidden\"></p>", "x\n", "x\n"},
    {"lazy image", "<p><img data-src=\"/l.png\" alt=\"l\"></p>", "l\n",
     "![l](https://example.com/l.png)\n"},
    {"image in link", "<p><a href=\"/big.png\"><img src=\"/small.png\" alt=\"pic\"></a></p>",
     "pic\n", "[![pic](https://example.com/small.png)](https://example.com/big.png)\n"},
    /* Found by fuzzing: cmark writes a line end in a destination as "% A",
     * which ends the link when read back. Browsers drop tabs and line ends
     * in URLs and encode spaces and controls; so do we. */
    {"blanks and controls in link destinations",
     "<p><a href=\"/a\nb c\">x</a> <img src=\"/p\tq\x01.png\" alt=\"y\"></p>", "x y\n",
     "[x](https://example.com/ab%20c) ![y](https://example.com/pq%01.png)\n"},
    {"script and style dropped",
     "<p>a<script>alert('x')</script>b</p><style>p{}</style><noscript>n</noscript>", "ab\n",
     "ab\n"},
    {"event handlers dropped", "<p onclick=\"evil()\">a</p>", "a\n", "a\n"},
    {"block in link", "<p><a href=\"/l\">x<div>y</div>z</a></p>", "x\n\ny\n\nz\n",
     "[x](https://example.com/l)\n\n[y](https://example.com/l)\n\n[z](https://example.com/l)\n"},
    {"block in emphasis", "<em>a<p>b</p></em>", "a\n\nb\n", "*a*\n\n*b*\n"},
    {"figure", "<figure><img src=\"f.png\" alt=\"F\"><figcaption>Caption</figcaption></figure>",
     "F\n\nCaption\n", "![F](https://example.com/base/f.png)\n\nCaption\n"},
    {"transparent containers", "<div><section><article><span>a</span></article></section></div>",
     "a\n", "a\n"},
    {"unknown elements", "<p><custom-tag>a</custom-tag> <x-y>b</x-y></p>", "a b\n", "a b\n"},
    {"iframe", "<iframe src=\"https://www.youtube.com/embed/x\" onload=\"y()\"></iframe>",
     "[embed: https://www.youtube.com/embed/x]\n",
     "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n"},
    {"video", "<video controls><source src=\"/v.mp4\"></video>",
     "[video: https://example.com/v.mp4]\n",
     "<div><video controls><source src=\"https://example.com/v.mp4\"></source></video></div>\n"},
    {"audio", "<audio src=\"a.mp3\"></audio>", "[audio: https://example.com/base/a.mp3]\n",
     "<div><audio src=\"https://example.com/base/a.mp3\"></audio></div>\n"},
    /* Tables of inline cells are pipe tables, the first row the header. */
    {"table",
     "<table>\n<tr><th>K</th><th>V</th></tr>\n\n<tr><td>a &amp; b</td><td>2</td></tr>\n"
     "</table>",
     "K | V\na & b | 2\n", "| K | V |\n| --- | --- |\n| a & b | 2 |\n"},
    {"table with markup and pipes",
     "<table><thead><tr><th>x | y</th><th><em>z</em></th></tr></thead><tbody>"
     "<tr><td><code>a|b</code></td><td><a href=\"/l\">l</a> <b>*</b></td></tr>"
     "<tr><td>short</td></tr></tbody></table>",
     "x | y | z\na|b | l *\nshort\n",
     "| x \\| y | *z* |\n| --- | --- |\n| `a\\|b` | [l](https://example.com/l) **\\*** |\n"
     "| short |  |\n"},
    {"table in a quote", "<blockquote><table><tr><td>a</td><td>b</td></tr></table></blockquote>",
     "> a | b\n", "> \n> \n> | a | b |\n> | --- | --- |\n"},
    /* Merged cells, blocks or line breaks in cells: HTML. */
    {"table with merged cells", "<table><tr><td colspan=\"2\">a</td></tr></table>", "a\n",
     "<table><tr><td colspan=\"2\">a</td></tr></table>\n"},
    {"table with a block in a cell", "<table><tr><td><p>a</p></td></tr></table>", "a\n",
     "<table><tr><td><p>a</p></td></tr></table>\n"},
    {"table with a line break", "<table><tr><td>a<br>b</td></tr></table>", "a b\n",
     "<table><tr><td>a<br>b</td></tr></table>\n"},
    {"table with a caption", "<table><caption>c</caption><tr><td>a</td></tr></table>", "a\n",
     "<table><caption>c</caption><tr><td>a</td></tr></table>\n"},
    {"empty table", "<table></table>", "[table]\n", "<table></table>\n"},
    {"malformed", "<p>a <b>b <i>c</p><p>d</b> e", "a b c\n\nd e\n", "a **b *c***\n\nd e\n"},
    {"stray end tags", "</div></p>a</b>", "a\n", "a\n"},
    {"unclosed comment", "a<!-- b", "a\n", "a\n"},
    {"control characters",
     "<p>a\x01"
     "b\x7f"
     "c</p>",
     "abc\n", "abc\n"},
};

static void test_conversions(void)
{
    for (size_t i = 0; i < sizeof conversions / sizeof conversions[0]; i++) {
        const struct conversion *c = &conversions[i];
        struct fk_content content = convert(c->html);
        int before = harness_failures;
        CHECK_STR(content.text, c->text);
        CHECK_STR(content.markdown, c->markdown);
        if (harness_failures != before)
            fprintf(stderr, "  in case \"%s\"\n", c->name);
        fk_content_release(&content);
    }
}

/* --- code blocks -------------------------------------------------------------- */

struct code_case {
    const char *name;
    const char *html;
    const char *language; /* NULL: none */
    const char *code;
    size_t lines;
};

static const struct code_case code_cases[] = {
    {"dev.to",
     "<div class=\"highlight js-code-highlight\">\n<pre class=\"highlight python\"><code>"
     "<span class=\"kn\">import</span> <span class=\"n\">numpy</span>\n\n"
     "<span class=\"k\">if</span> a &lt; b &amp;&amp; c:\n    pass\n</code></pre>\n"
     "<div class=\"highlight__panel js-actions-panel\">\n<div class=\"highlight__panel-"
     "action js-fullscreen-code-action\">\n    <svg><title>Enter fullscreen mode</title>"
     "</svg>\n</div>\n</div>\n</div>",
     "python", "import numpy\n\nif a < b && c:\n    pass\n", 4},
    {"no language", "<pre>x\n  y</pre>", NULL, "x\n  y\n", 2},
    {"language on code", "<pre><code class=\"hljs language-TypeScript\">let a</code></pre>",
     "typescript", "let a\n", 1},
    {"lang- prefix", "<pre class=\"lang-go\">x</pre>", "go", "x\n", 1},
    {"data-lang", "<pre><code data-lang=\"rust\">x</code></pre>", "rust", "x\n", 1},
    {"jekyll wrapper",
     "<div class=\"language-ruby highlighter-rouge\"><div class=\"highlight\"><pre "
     "class=\"highlight\"><code>puts 1\n</code></pre></div></div>",
     "ruby", "puts 1\n", 1},
    {"bad language", "<pre class=\"language-a`b\">x</pre>", NULL, "x\n", 1},
    {"first newline dropped", "<pre>\n\nx</pre>", NULL, "\nx\n", 2},
    {"trailing blank lines", "<pre><code>x\n\n\n  \n</code></pre>", NULL, "x\n", 1},
    {"br in pre", "<pre>a<br>b<br><br>c</pre>", NULL, "a\nb\n\nc\n", 4},
    {"tabs and crlf", "<pre>\ta\r\n\tb\rc</pre>", NULL, "\ta\n\tb\nc\n", 3},
    {"nbsp in code", "<pre>a&nbsp;b</pre>", NULL, "a b\n", 1},
    {"fence in code", "<pre class=\"highlight shell\">```\necho\n```</pre>", "shell",
     "```\necho\n```\n", 3},
    {"lines per div", "<pre><div>a</div><div>b</div></pre>", NULL, "a\nb\n", 2},
};

static void test_code_blocks(void)
{
    for (size_t i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++) {
        const struct code_case *c = &code_cases[i];
        struct fk_content content = convert(c->html);
        int before = harness_failures;
        CHECK_INT(content.ncode_blocks, 1);
        if (content.ncode_blocks == 1) {
            CHECK_STR(content.code_blocks[0].language, c->language);
            CHECK_STR(content.code_blocks[0].code, c->code);
            CHECK_INT(content.code_blocks[0].lines, c->lines);
        }
        CHECK(!contains(content.text, "fullscreen"));
        CHECK(!contains(content.markdown, "fullscreen"));
        if (harness_failures != before)
            fprintf(stderr, "  in code case \"%s\"\n", c->name);
        fk_content_release(&content);
    }
}

static void test_code_markdown(void)
{
    struct fk_content content =
        convert("<p>Code:</p><pre class=\"highlight yaml\"><code>a: &lt;b&gt;\n</code></pre>"
                "<pre>   \n</pre><p>after</p>");
    CHECK_STR(content.text, "Code:\n\na: <b>\n\nafter\n");
    CHECK_STR(content.markdown, "Code:\n\n``` yaml\na: <b>\n```\n\nafter\n");
    CHECK_INT(content.ncode_blocks, 1); /* the blank <pre> is no code block */
    fk_content_release(&content);

    /* A fence inside the code needs a longer fence around it: cmark's job. */
    content = convert("<pre>```\nx\n```</pre>");
    CHECK_STR(content.markdown, "````\n```\nx\n```\n````\n");
    fk_content_release(&content);

    /* cmark writes "``` " for a block without a language; the space goes,
     * and only that space, even when code has such lines (the first block;
     * the last one's trailing space is cut with the code's). */
    content = convert("<pre>``` \n```` </pre><p>`x`</p><pre class=\"lang-c\">y</pre><pre>z</pre>"
                      "<ul><li><pre> </pre><pre>``` </pre></li></ul>");
    CHECK_STR(content.markdown,
              "`````\n``` \n````\n`````\n\n\\`x\\`\n\n``` c\ny\n```\n\n```\nz\n```\n\n"
              "  - ````\n    ```\n    ````\n");
    fk_content_release(&content);

    content = convert("<p>a</p><pre>one</pre><ul><li>x</li></ul><pre class=\"lang-c\">two</pre>");
    CHECK_INT(content.ncode_blocks, 2);
    if (content.ncode_blocks == 2) {
        CHECK_STR(content.code_blocks[0].code, "one\n");
        CHECK_STR(content.code_blocks[1].code, "two\n");
        CHECK_STR(content.code_blocks[1].language, "c");
    }
    fk_content_release(&content);
}

/* --- hostile and odd input ------------------------------------------------------ */

/* Whether this build runs under AddressSanitizer, whose shadow memory
 * makes resident memory meaningless. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* html made of count copies of unit, with prefix before them. */
static char *repeat(const char *prefix, const char *unit, size_t count, size_t *len)
{
    struct fk_buf b = FK_BUF_INIT;
    fk_buf_adds(&b, prefix);
    for (size_t i = 0; i < count; i++)
        fk_buf_adds(&b, unit);
    *len = b.len;
    return fk_buf_detach(&b);
}

/* Past FK_CONTENT_NODES_MAX elements, attributes and comments an article
 * is converted as plain text, with a warning; at the limit, as a tree. */
static void test_too_many_nodes(void)
{
    struct fk_content content;
    struct fk_error err = {0};
    size_t len;
    /* "<p>" and the "<b>" in each: two elements a copy, one over */
    char *html = repeat("", "<p>a <b>b</b> &amp; c</p>", FK_CONTENT_NODES_MAX / 2, &len);
    CHECK_INT(fk_content_from_html(html, len, NULL, &content, &err), 0);
    CHECK_STR(content.warning, NULL);
    CHECK(starts_with(content.markdown, "a **b** & c\n\na **b**"));
    fk_content_release(&content);
    free(html);

    html = repeat("<!-- one more -->", "<p>a <b>b</b> &amp; c</p>", FK_CONTENT_NODES_MAX / 2, &len);
    CHECK_INT(fk_content_from_html(html, len, NULL, &content, &err), 0);
    CHECK_STR(content.warning, "article HTML has more than 100,000 elements, attributes and "
                               "comments: converted as plain text");
    CHECK(starts_with(content.text, "a b & c\n\na b & c\n\n"));
    CHECK(strlen(content.text) == 9 * (FK_CONTENT_NODES_MAX / 2) - 1);
    CHECK(starts_with(content.markdown, "```\na b & c\n\n"));
    CHECK_INT(content.ncode_blocks, 0);
    /* read back, the Markdown is the same text */
    char *again = fk_content_markdown_to_text(content.markdown, 0);
    CHECK(strcmp(again, content.text) == 0);
    free(again);
    fk_content_release(&content);
    free(html);

    /* the layout: blocks, line ends, <pre> kept, scripts dropped, and a
     * fence longer than any run of backticks in the text */
    html = repeat("<h1>Title</h1><div>one<br>  two <script>x()</script></div>"
                  "<pre>  a\n    b ```` </pre><p class=\"highlight__panel\">panel</p>"
                  "<ul><li>item</li></ul>",
                  "<span></span>", FK_CONTENT_NODES_MAX, &len);
    CHECK_INT(fk_content_from_html(html, len, NULL, &content, &err), 0);
    CHECK(content.warning != NULL);
    CHECK_STR(content.text, "Title\n\none\ntwo\n\n  a\n    b ````\n\nitem\n");
    CHECK_STR(content.markdown, "`````\nTitle\n\none\ntwo\n\n  a\n    b ````\n\nitem\n`````\n");
    again = fk_content_markdown_to_text(content.markdown, 0);
    CHECK_STR(again, content.text);
    free(again);
    fk_content_release(&content);
    free(html);

    /* a title read as a stream gives the line a tree gives */
    html = repeat("<p>a</p>", "<b>x</b>", FK_CONTENT_NODES_MAX + 1, &len);
    char *line = fk_content_html_to_line(html);
    CHECK(starts_with(line, "a xxx") && strlen(line) == FK_CONTENT_NODES_MAX + 3);
    free(line);
    free(html);
}

/* The worst HTML for a tree, at FK_CONTENT_HTML_LIMIT: converted in a child
 * process whose peak memory is measured. It took 1.2 GB for 8 MB of <p>x
 * before articles of too many nodes were converted as plain text. */
static void test_memory_bound(void)
{
    static const char *const units[] = {"<b>x</b>", "<!---->", "<br>", "<p>x"};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t len;
        char *html = repeat("", units[u], FK_CONTENT_HTML_LIMIT / strlen(units[u]), &len);
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            struct fk_content content;
            struct fk_error err = {0};
            int rc = fk_content_from_html(html, len, NULL, &content, &err);
            _exit(rc == 0 && content.warning ? 0 : 1);
        }
        int status = 0;
        struct rusage usage;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* the largest of the children waited for: this one, as each
         * converts more nodes than the one before */
        CHECK(getrusage(RUSAGE_CHILDREN, &usage) == 0);
        /* the parent's html (16 MB) is in the child's peak too */
        if (!SANITIZED && usage.ru_maxrss >= 128 * 1024)
            fprintf(stderr, "%s x %zu: peak RSS %ld KiB\n", units[u], len / strlen(units[u]),
                    usage.ru_maxrss);
        CHECK(SANITIZED || usage.ru_maxrss < 128 * 1024);
        free(html);
    }
}

static void test_null_and_limits(void)
{
    struct fk_content content;
    struct fk_error err = {0};
    CHECK_INT(fk_content_from_html(NULL, 0, NULL, &content, &err), 0);
    CHECK_STR(content.text, "");
    CHECK_STR(content.markdown, "");
    CHECK_INT(content.ncode_blocks, 0);
    fk_content_release(&content);
    fk_content_release(NULL);

    /* Not NUL-terminated: only len bytes count. */
    CHECK_INT(fk_content_from_html("<p>ab</p>garbage", 9, NULL, &content, &err), 0);
    CHECK_STR(content.text, "ab\n");
    fk_content_release(&content);

    /* No base URL: relative links stay relative. */
    CHECK_INT(fk_content_from_html("<a href=\"x.html\">x</a>", 22, NULL, &content, &err), 0);
    CHECK_STR(content.markdown, "[x](x.html)\n");
    fk_content_release(&content);

    size_t big = FK_CONTENT_HTML_LIMIT + 1;
    char *html = malloc(big);
    memset(html, 'a', big);
    CHECK_INT(fk_content_from_html(html, big, NULL, &content, &err), -1);
    CHECK_INT(err.kind, FK_ERROR_INPUT);
    CHECK(contains(err.message, "too large"));
    CHECK(content.text == NULL && content.markdown == NULL);
    fk_content_release(&content);
    CHECK_INT(fk_content_from_html(html, big, NULL, &content, NULL), -1);
    free(html);
}

static void test_bad_bytes(void)
{
    const char html[] = "<p>a\xFF"
                        "b\xC3\xA9\xE0\x80\x80 c\0d</p>\xED\xA0\x80";
    struct fk_content content;
    CHECK_INT(fk_content_from_html(html, sizeof html - 1, NULL, &content, NULL), 0);
    CHECK_STR(content.text, "a\xEF\xBF\xBD"
                            "b\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD c\xEF\xBF\xBD"
                            "d\n\n\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n");
    fk_content_release(&content);
}

/* Nesting far beyond the recursion bound: no crash, the text survives. */
static void test_deep_nesting(void)
{
    static const char *const openers[] = {"<div>",  "<blockquote>",    "<ul><li>", "<em>",
                                          "<span>", "<a href=x>",      "<h2>",     "<ol><li><p>",
                                          "<pre>",  "<table><tr><td>", "<b><i>"};
    static const int depths[] = {120, 240, 10000};
    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
        int depth = depths[k];
        for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++) {
            int levels = 0;
            for (const char *p = openers[i]; *p; p++)
                levels += *p == '<';
            struct fk_buf html = FK_BUF_INIT;
            for (int d = 0; d < depth; d++)
                fk_buf_adds(&html, openers[i]);
            fk_buf_adds(&html, "deep text<pre>code</pre>");
            struct fk_content content;
            CHECK_INT(fk_content_from_html(html.data, html.len, BASE_URL, &content, NULL), 0);
            CHECK(content.text && content.markdown);
            /* libxml2 itself stops nesting at 256 levels and drops what is
             * deeper; below that the text must come through. */
            if (depth * levels < 250 && !contains(content.text, "deep text")) {
                fprintf(stderr, "  lost text at depth %d in %s\n", depth, openers[i]);
                CHECK(0);
            }
            fk_content_release(&content);
            fk_buf_release(&html);
        }
    }
}

/* libxml2 must not print: run hostile input with stderr captured. */
static void test_silent(void)
{
    static const char *const inputs[] = {
        "<p>unclosed <b>tags <i>everywhere",
        "</p></div></body></html>",
        "<!DOCTYPE bogus [<!ENTITY x \"y\">]><p>&x;&undefined;&#xFFFFFFFF;&#0;</p>",
        "<meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>",
        "<p>\xFF\xFE bad bytes</p>",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><p>x</p>",
        "<a href=\"\x01\">x</a><img src=\"\">",
        "<<<>>><p<p>p>",
    };
    fflush(stderr);
    int saved = dup(2);
    FILE *capture = tmpfile();
    if (saved < 0 || !capture) {
        CHECK(0);
        return;
    }
    dup2(fileno(capture), 2);
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct fk_content content;
        fk_content_from_html(inputs[i], strlen(inputs[i]), BASE_URL, &content, NULL);
        fk_content_release(&content);
        free(fk_content_html_to_line(inputs[i]));
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(capture, 0, SEEK_END);
    long size = ftell(capture);
    fclose(capture);
    CHECK_INT(size, 0);
}

static void test_meta_charset_ignored(void)
{
    struct fk_content content = convert("<meta charset=\"iso-8859-1\"><p>caf\xC3\xA9</p>");
    CHECK_STR(content.text, "caf\xC3\xA9\n");
    fk_content_release(&content);
}

static void test_html_block_safety(void)
{
    struct fk_content content =
        convert("<table onmouseover=\"x()\"><tr><td colspan=\"2\"><script>alert(1)</script><a "
                "href=\"javascript:evil()\" onclick=\"y\">a</a><img src=\"p.png\"><!-- c --></td>"
                "</tr></table><iframe srcdoc=\"<script>x</script>\" src=\"/e\"></iframe>");
    CHECK(!contains(content.markdown, "script"));
    CHECK(!contains(content.markdown, "onmouseover"));
    CHECK(!contains(content.markdown, "onclick"));
    CHECK(!contains(content.markdown, "javascript"));
    CHECK(!contains(content.markdown, "srcdoc"));
    CHECK(!contains(content.markdown, "<!--"));
    CHECK(contains(content.markdown, "src=\"https://example.com/base/p.png\""));
    CHECK(contains(content.markdown, "src=\"https://example.com/e\""));
    CHECK_STR(content.text, "a\n\n[embed: https://example.com/e]\n");
    fk_content_release(&content);

    /* Blank lines would end an HTML block early. */
    content = convert("<table>\n\n<tr>\n\n  \n<td>x<p>y</p></td></tr></table><p>after</p>");
    CHECK(!contains(content.markdown, "\n\n<tr"));
    CHECK(contains(content.markdown, "</table>\n\nafter\n"));
    fk_content_release(&content);
}

/* --- titles ----------------------------------------------------------------------- */

static void test_html_to_line(void)
{
    static const struct {
        const char *html;
        const char *line;
    } cases[] = {
        {"Plain title", "Plain title"},
        {"  padded \n\t title  ", "padded title"},
        {"<b>Bold</b> &amp; <i>it</i>", "Bold & it"},
        {"a&nbsp;b", "a b"},
        {"AT&T", "AT&T"},
        {"x &lt; y", "x < y"},
        {"a < b and c > d", "a < b and c > d"},
        {"<p>one</p><p>two</p>", "one two"},
        {"a<br>b", "a b"},
        {"<script>x()</script>t<style>s{}</style>", "t"},
        {"", ""},
        {"<p></p>", ""},
        {"caf\xC3\xA9 \xFF", "caf\xC3\xA9 \xEF\xBF\xBD"},
        {"tab\x01stop", "tabstop"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *line = fk_content_html_to_line(cases[i].html);
        CHECK_STR(line, cases[i].line);
        free(line);
    }
    char *line = fk_content_html_to_line(NULL);
    CHECK_STR(line, "");
    free(line);
}

/* --- the round trip ---------------------------------------------------------------- */

/* Blank lines, line ends and runs of spaces made one space, ends trimmed. */
static char *normalize_space(const char *s)
{
    struct fk_buf out = FK_BUF_INIT;
    bool space = false;
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n') {
            space = out.len > 0;
            continue;
        }
        if (space)
            fk_buf_addc(&out, ' ');
        space = false;
        fk_buf_addc(&out, *p);
    }
    return fk_buf_detach(&out);
}

static int round_trip_strict;

/* Whether s (up to its line end) is a pipe table's delimiter row. */
static bool delimiter_row(const char *s)
{
    size_t len = strcspn(s, "\n");
    return len && s[0] == '|' && strspn(s, "|-: ") == len && memchr(s, '-', len);
}

/* Append a pipe table row (after its prefix, up to its line end) as an
 * HTML row: cells split at "|" not escaped, "\\|" made "|", each cell's
 * Markdown made HTML by cmark. */
static void add_html_row(struct fk_buf *out, const char *row)
{
    size_t len = strcspn(row, "\n");
    fk_buf_adds(out, "<tr>");
    size_t i = 1; /* after the leading "|" */
    while (i < len) {
        struct fk_buf cell = FK_BUF_INIT;
        while (i < len && row[i] != '|') {
            if (row[i] == '\\' && i + 1 < len && row[i + 1] == '|') {
                fk_buf_addc(&cell, '|');
                i += 2;
            } else if (row[i] == '\\' && i + 1 < len) {
                fk_buf_add(&cell, row + i, 2);
                i += 2;
            } else {
                fk_buf_addc(&cell, row[i++]);
            }
        }
        i++;
        fk_buf_adds(out, "<td>");
        char *html = cmark_markdown_to_html(cell.data ? cell.data : "", cell.len, CMARK_OPT_UNSAFE);
        size_t n = strlen(html);
        if (n >= 8 && strncmp(html, "<p>", 3) == 0) /* "<p>...</p>\n" */
            fk_buf_add(out, html + 3, n - 8);
        fk_buf_adds(out, "</td>");
        fk_buf_release(&cell);
        free(html);
    }
    fk_buf_adds(out, "</tr>");
}

/* Our Markdown with its pipe tables made HTML tables, which cmark, a
 * CommonMark reader, reads as the table they are (GFM readers read the
 * pipe tables themselves): a table is a header row, a delimiter row and
 * rows, each line starting with "|" after the same prefix of container
 * markers ("> ", "- ", spaces). */
static char *pipe_tables_to_html(const char *markdown)
{
    struct fk_buf out = FK_BUF_INIT;
    const char *line = markdown;
    while (*line) {
        size_t len = strcspn(line, "\n");
        size_t prefix = strspn(line, " >-*+0123456789.)");
        const char *next = line + len + (line[len] == '\n');
        /* The lines after the first have the prefix of the delimiter row. */
        size_t inner = strspn(next, " >");
        if (line[prefix] == '|' && inner == prefix && delimiter_row(next + inner)) {
            fk_buf_add(&out, line, prefix);
            fk_buf_adds(&out, "<table>");
            add_html_row(&out, line + prefix);
            line = next + strcspn(next, "\n");
            line += *line == '\n';
            while (strncmp(line, next, inner) == 0 && line[inner] == '|') {
                add_html_row(&out, line + inner);
                line += strcspn(line, "\n");
                line += *line == '\n';
            }
            fk_buf_adds(&out, "</table>\n");
            continue;
        }
        fk_buf_add(&out, line, (size_t)(next - line));
        line = next;
    }
    return fk_buf_detach(&out);
}

/* Whether an article's Markdown says what its HTML says. The Markdown is
 * read by cmark, CommonMark's reference parser, and rendered by it to HTML;
 * that HTML is converted like any article, and its text and code blocks
 * must be those of the original (the text compared with white space
 * normalised, the code exactly).
 *
 * This is no tautology although both sides go through
 * fk_content_from_html: the second side's HTML is not ours but what a
 * CommonMark reader makes of our Markdown. Whatever the Markdown gets
 * wrong changes that HTML and so the text: a character cmark did not
 * escape that reads as markup ("~~~" opening a code block, asterisks that
 * do not make emphasis and stay as text), text lost or doubled, a list
 * renumbered, a quote or list item ended early, a code block's text or
 * language changed. The conversion itself is held to what a browser shows
 * by the golden files, read by eye, and by the code blocks of the sample
 * feed, checked against an independent extraction (test_sample_feed).
 *
 * It also checks that fk_content_markdown_to_text, which show uses to
 * wrap, gives exactly the stored text at width 0. */
static int check_round_trip(const char *name, const char *html, size_t len)
{
    int failures = harness_failures;
    struct fk_content original, again;
    struct fk_error err = {0};
    CHECK_INT(fk_content_from_html(html, len, BASE_URL, &original, &err), 0);
    char *readable = pipe_tables_to_html(original.markdown);
    char *markdown_html = cmark_markdown_to_html(readable, strlen(readable), CMARK_OPT_UNSAFE);
    free(readable);
    CHECK_INT(fk_content_from_html(markdown_html, strlen(markdown_html), NULL, &again, &err), 0);

    char *want = normalize_space(original.text), *got = normalize_space(again.text);
    CHECK_STR(got, want);
    if (round_trip_strict && strcmp(original.text, again.text) != 0)
        fprintf(stderr, "%s: text differs only in white space\n", name);
    CHECK_INT(again.ncode_blocks, original.ncode_blocks);
    for (size_t i = 0; i < original.ncode_blocks && i < again.ncode_blocks; i++) {
        CHECK_STR(again.code_blocks[i].language, original.code_blocks[i].language);
        CHECK_STR(again.code_blocks[i].code, original.code_blocks[i].code);
    }
    /* Stronger still, and true today: the Markdown read back gives the
     * same Markdown, so nothing is lost even where the text would not
     * show it (emphasis, links, images, headings). */
    CHECK_STR(again.markdown, original.markdown);
    char *text = fk_content_markdown_to_text(original.markdown, 0);
    CHECK_STR(text, original.text);
    if (harness_failures != failures)
        fprintf(stderr, "  round trip of %s\n", name);
    free(text);
    free(want);
    free(got);
    free(markdown_html);
    fk_content_release(&original);
    fk_content_release(&again);
    return harness_failures != failures;
}

static void test_round_trip_conversions(void)
{
    for (size_t i = 0; i < sizeof conversions / sizeof conversions[0]; i++)
        check_round_trip(conversions[i].name, conversions[i].html, strlen(conversions[i].html));
    for (size_t i = 0; i < sizeof code_cases / sizeof code_cases[0]; i++)
        check_round_trip(code_cases[i].name, code_cases[i].html, strlen(code_cases[i].html));
}

/* --- wrapping ----------------------------------------------------------------------- */

struct wrap_case {
    const char *name;
    const char *html;
    int width;
    const char *text;
};

static const struct wrap_case wrap_cases[] = {
    {"paragraph", "<p>one two three four five six</p>", 9, "one two\nthree\nfour five\nsix\n"},
    {"exact fit", "<p>abc def</p>", 7, "abc def\n"},
    {"not wrapped at 0", "<p>one two three four five six</p>", 0, "one two three four five six\n"},
    {"negative is 0", "<p>one two three</p>", -5, "one two three\n"},
    {"code points, not bytes",
     "<p>\xC3\xA9\xC3\xA9\xC3\xA9 \xC3\xA9\xC3\xA9\xC3\xA9 \xE6\x9D\xB1\xE4\xBA\xAC</p>", 7,
     "\xC3\xA9\xC3\xA9\xC3\xA9 \xC3\xA9\xC3\xA9\xC3\xA9\n\xE6\x9D\xB1\xE4\xBA\xAC\n"},
    {"long word whole", "<p>see https://example.com/a/very/long/path now</p>", 10,
     "see\nhttps://example.com/a/very/long/path\nnow\n"},
    {"code never wrapped", "<p>x</p><pre>a b c d e f g h i j k l m n o p</pre>", 8,
     "x\n\na b c d e f g h i j k l m n o p\n"},
    {"item hanging indent", "<ul><li>aa bb cc dd</li><li>ee</li></ul>", 7,
     "- aa bb\n  cc dd\n- ee\n"},
    {"nested items", "<ul><li>a<ol start=\"9\"><li>bb cc</li><li>dd ee</li></ol></li></ul>", 8,
     "- a\n\n  9. bb\n     cc\n  10. dd\n      ee\n"},
    {"quote prefix", "<blockquote><p>aa bb cc</p><blockquote>dd ee</blockquote></blockquote>", 7,
     "> aa bb\n> cc\n>\n> > dd\n> > ee\n"},
    {"narrower than the indent", "<blockquote><ul><li>aa bb</li></ul></blockquote>", 3,
     "> - aa\n>   bb\n"},
    {"heading", "<h2>A long heading</h2>", 8, "A long\nheading\n"},
    {"line breaks kept", "<p>aa bb cc<br>dd</p>", 5, "aa bb\ncc\ndd\n"},
    {"table rows not wrapped", "<table><tr><td>a b c d</td><td>e</td></tr></table>", 4,
     "a b c d | e\n"},
    {"embed note not wrapped", "<video src=\"https://example.com/v.mp4\"></video>", 4,
     "[video: https://example.com/v.mp4]\n"},
    {"inline markup", "<p>a <em>bb</em> <a href=\"/x\">cc dd</a> <code>e f</code></p>", 5,
     "a bb\ncc dd\ne f\n"},
};

static void test_wrap(void)
{
    for (size_t i = 0; i < sizeof wrap_cases / sizeof wrap_cases[0]; i++) {
        const struct wrap_case *c = &wrap_cases[i];
        struct fk_content content = convert(c->html);
        char *text = fk_content_markdown_to_text(content.markdown, c->width);
        int before = harness_failures;
        CHECK_STR(text, c->text);
        if (harness_failures != before)
            fprintf(stderr, "  in wrap case \"%s\"\n", c->name);
        free(text);
        fk_content_release(&content);
    }
    char *text = fk_content_markdown_to_text(NULL, 80);
    CHECK_STR(text, "");
    free(text);
}

/* Wrapped text is the text with some spaces made line ends (and indents):
 * no word lost, split or reordered, code blocks intact, and no line wider
 * than width unless it is one word. */
static void check_wrapped(const struct fk_content *content, int width)
{
    char *wrapped = fk_content_markdown_to_text(content->markdown, width);
    char *want = normalize_space(content->text), *got = normalize_space(wrapped);
    CHECK_STR(got, want);
    for (size_t i = 0; i < content->ncode_blocks; i++)
        CHECK(contains(wrapped, content->code_blocks[i].code));
    for (const char *line = wrapped; *line;) {
        size_t len = strcspn(line, "\n"), columns = 0;
        for (size_t k = 0; k < len; k++)
            columns += ((unsigned char)line[k] & 0xC0) != 0x80;
        bool code = false;
        for (size_t k = 0; k < content->ncode_blocks && !code; k++) {
            for (const char *c = content->code_blocks[k].code; *c && !code;) {
                size_t code_len = strcspn(c, "\n");
                code = code_len == len && memcmp(c, line, len) == 0;
                c += code_len + (c[code_len] == '\n');
            }
        }
        const char *word = line;
        while (*word == ' ')
            word++;
        bool one_word = memchr(word, ' ', len - (size_t)(word - line)) == NULL;
        if (columns > (size_t)width && !code && !one_word) {
            fprintf(stderr, "  line wider than %d: %.*s\n", width, (int)len, line);
            CHECK(0);
        }
        line += len + (line[len] == '\n');
    }
    free(want);
    free(got);
    free(wrapped);
}

/* --- the sample dev.to feed -------------------------------------------------------- */

/* Decode entities by hand: the five XML ones (and the HTML &#39;) and
 * numeric references. Enough for the fixture; tests use no XML parser. */
static char *decode_entities(const char *s, size_t len)
{
    static const struct {
        const char *name;
        const char *text;
    } named[] = {{"&lt;", "<"},    {"&gt;", ">"},   {"&amp;", "&"},
                 {"&quot;", "\""}, {"&apos;", "'"}, {"&#39;", "'"}};
    struct fk_buf out = FK_BUF_INIT;
    for (size_t i = 0; i < len;) {
        bool done = false;
        for (size_t k = 0; k < sizeof named / sizeof named[0] && !done; k++) {
            size_t n = strlen(named[k].name);
            if (len - i >= n && memcmp(s + i, named[k].name, n) == 0) {
                fk_buf_adds(&out, named[k].text);
                i += n;
                done = true;
            }
        }
        if (!done && s[i] == '&' && i + 2 < len && s[i + 1] == '#') {
            char *end;
            bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
            unsigned long cp = strtoul(s + i + (hex ? 3 : 2), &end, hex ? 16 : 10);
            if (*end == ';' && cp > 0 && cp < 0x110000) {
                char utf8[4];
                int n;
                if (cp < 0x80) {
                    utf8[0] = (char)cp;
                    n = 1;
                } else if (cp < 0x800) {
                    utf8[0] = (char)(0xC0 | (cp >> 6));
                    utf8[1] = (char)(0x80 | (cp & 0x3F));
                    n = 2;
                } else if (cp < 0x10000) {
                    utf8[0] = (char)(0xE0 | (cp >> 12));
                    utf8[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    utf8[2] = (char)(0x80 | (cp & 0x3F));
                    n = 3;
                } else {
                    utf8[0] = (char)(0xF0 | (cp >> 18));
                    utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    utf8[3] = (char)(0x80 | (cp & 0x3F));
                    n = 4;
                }
                fk_buf_add(&out, utf8, (size_t)n);
                i = (size_t)(end - s) + 1;
                done = true;
            }
        }
        if (!done)
            fk_buf_addc(&out, s[i++]);
    }
    return fk_buf_detach(&out);
}

/* What a browser shows for each <pre> of html: its text with tags removed
 * and entities decoded, ending with one line end. Independent of libxml2. */
static size_t browser_code_blocks(const char *html, char **blocks, size_t max)
{
    size_t count = 0;
    const char *p = html;
    while (count < max && (p = strstr(p, "<pre"))) {
        p = strchr(p, '>');
        const char *end = p ? strstr(p, "</pre>") : NULL;
        if (!end)
            break;
        struct fk_buf raw = FK_BUF_INIT;
        bool in_tag = false;
        for (const char *q = p + 1; q < end; q++) {
            if (*q == '<')
                in_tag = true;
            else if (*q == '>')
                in_tag = false;
            else if (!in_tag)
                fk_buf_addc(&raw, *q);
        }
        char *text = decode_entities(raw.data ? raw.data : "", raw.len);
        size_t n = strlen(text);
        while (n && strchr(" \t\n", text[n - 1]))
            n--;
        struct fk_buf code = FK_BUF_INIT;
        fk_buf_add(&code, text, n);
        fk_buf_addc(&code, '\n');
        blocks[count++] = fk_buf_detach(&code);
        free(text);
        fk_buf_release(&raw);
        p = end;
    }
    return count;
}

static void test_sample_feed(void)
{
    static const struct {
        const char *language;
        int expected;
        int seen;
    } init[] = {{"python", 14, 0}, {"shell", 7, 0},      {"yaml", 6, 0},     {"javascript", 6, 0},
                {"sql", 5, 0},     {"codeowners", 1, 0}, {"toml", 1, 0},     {"conf", 1, 0},
                {"json", 1, 0},    {"ini", 1, 0},        {"plaintext", 1, 0}};
    struct {
        const char *language;
        int expected;
        int seen;
    } languages[sizeof init / sizeof init[0]];
    memcpy(languages, init, sizeof init);

    size_t len;
    char *feed = read_file(FK_TEST_DATA "/devto-fuadhusnan.xml", &len);
    CHECK(feed != NULL);
    if (!feed)
        return;
    size_t articles = 0, blocks = 0, other = 0, text_bytes = 0, markdown_bytes = 0;
    const char *p = feed;
    while ((p = strstr(p, "<description>"))) {
        p += strlen("<description>");
        const char *end = strstr(p, "</description>");
        if (!end)
            break;
        char *html = decode_entities(p, (size_t)(end - p));
        p = end;
        struct fk_content content = convert(html);
        if (content.ncode_blocks || strstr(html, "<p>"))
            articles++;
        text_bytes += strlen(content.text);
        markdown_bytes += strlen(content.markdown);
        static const char *const forbidden[] = {"<span", "&lt;", "&amp;", "\n\n\n", "fullscreen"};
        for (size_t k = 0; k < sizeof forbidden / sizeof forbidden[0]; k++) {
            if (contains(content.text, forbidden[k]) || contains(content.markdown, forbidden[k])) {
                fprintf(stderr, "  article %zu has \"%s\"\n", articles, forbidden[k]);
                CHECK(0);
            }
        }
        CHECK(content.text[0] != '\n' && content.text[0] != ' ');
        CHECK(!contains(content.text, " \n"));

        char *expected[64];
        size_t nexpected = browser_code_blocks(html, expected, 64);
        char name[64];
        snprintf(name, sizeof name, "sample article %zu", articles);
        check_round_trip(name, html, strlen(html));
        check_wrapped(&content, 40);
        check_wrapped(&content, 72);
        CHECK_INT(content.ncode_blocks, nexpected);
        for (size_t i = 0; i < content.ncode_blocks; i++) {
            const struct fk_code_block *block = &content.code_blocks[i];
            if (i < nexpected)
                CHECK_STR(block->code, expected[i]);
            size_t lines = 0;
            for (const char *c = block->code; *c; c++)
                lines += *c == '\n';
            CHECK_INT(block->lines, lines);
            bool known = false;
            for (size_t k = 0; k < sizeof languages / sizeof languages[0]; k++) {
                if (block->language && strcmp(block->language, languages[k].language) == 0) {
                    languages[k].seen++;
                    known = true;
                }
            }
            other += !known;
            /* The code shows in the text and, fenced, in the Markdown. */
            CHECK(contains(content.text, block->code));
            CHECK(contains(content.markdown, block->code));
        }
        blocks += content.ncode_blocks;
        for (size_t i = 0; i < nexpected; i++)
            free(expected[i]);
        fk_content_release(&content);
        free(html);
    }
    free(feed);
    CHECK_INT(articles, 12);
    CHECK_INT(blocks, 44);
    CHECK_INT(other, 0);
    for (size_t k = 0; k < sizeof languages / sizeof languages[0]; k++) {
        if (languages[k].seen != languages[k].expected)
            fprintf(stderr, "  %s: %d code blocks, expected %d\n", languages[k].language,
                    languages[k].seen, languages[k].expected);
        CHECK_INT(languages[k].seen, languages[k].expected);
    }
    if (getenv("FK_TEST_VERBOSE"))
        printf("sample: %zu articles, %zu code blocks, %zu bytes of text, %zu of Markdown\n",
               articles, blocks, text_bytes, markdown_bytes);
}

/* --- golden files ------------------------------------------------------------------ */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print where got first differs from expected, line by line. */
static void show_difference(const char *path, const char *expected, const char *got)
{
    int line = 1;
    const char *e = expected, *g = got;
    while (*e && *g && *e == *g) {
        if (*e == '\n')
            line++;
        e++;
        g++;
    }
    while (e > expected && e[-1] != '\n') {
        e--;
        g--;
    }
    int elen = (int)strcspn(e, "\n"), glen = (int)strcspn(g, "\n");
    fprintf(stderr, "%s: differs at line %d\n-%s%.*s\n+%s%.*s\n", path, line, *e ? "" : "(end)",
            elen, e, *g ? "" : "(end)", glen, g);
}

static int check_or_update(const char *path, const char *got, bool update)
{
    if (update) {
        FILE *f = fopen(path, "wb");
        if (!f || fputs(got, f) == EOF || fclose(f) != 0) {
            fprintf(stderr, "%s: cannot write\n", path);
            return -1;
        }
        return 0;
    }
    char *expected = read_file(path, NULL);
    if (!expected) {
        fprintf(stderr, "%s: missing (run with --update, then read it)\n", path);
        return -1;
    }
    int rc = strcmp(expected, got) == 0 ? 0 : -1;
    if (rc)
        show_difference(path, expected, got);
    free(expected);
    return rc;
}

static int run_golden(const char *dir, bool update)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open '%s'\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        size_t n = strlen(entry->d_name);
        if (n > 5 && strcmp(entry->d_name + n - 5, ".html") == 0) {
            names = realloc(names, (count + 1) * sizeof *names);
            names[count++] = fk_xstrndup(entry->d_name, n - 5);
        }
    }
    closedir(d);
    qsort(names, count, sizeof *names, compare_names);
    int failures = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.html", dir, names[i]);
        size_t len;
        char *html = read_file(path, &len);
        struct fk_content content;
        struct fk_error err = {0};
        if (!html || fk_content_from_html(html, len, BASE_URL, &content, &err) != 0) {
            fprintf(stderr, "%s: cannot convert: %s\n", path, err.message);
            failures++;
            free(html);
            continue;
        }
        int rc = 0;
        snprintf(path, sizeof path, "%s/%s.txt", dir, names[i]);
        rc |= check_or_update(path, content.text, update);
        snprintf(path, sizeof path, "%s/%s.md", dir, names[i]);
        rc |= check_or_update(path, content.markdown, update);
        rc |= check_round_trip(names[i], html, len) ? -1 : 0;
        failures += rc != 0;
        fk_content_release(&content);
        free(html);
        free(names[i]);
    }
    free(names);
    printf("%zu golden cases, %d failed%s\n", count, failures, update ? " (updated)" : "");
    return failures != 0 || count == 0;
}

/* The assets of an article as lines "KIND URL" (" md" when the Markdown
 * links to it). Free with free. */
static char *asset_lines(const struct fk_content *c)
{
    static const char *const kinds[] = {"image", "poster", "video", "audio"};
    struct fk_buf out = FK_BUF_INIT;
    fk_buf_adds(&out, "");
    for (size_t i = 0; i < c->nassets; i++)
        fk_buf_printf(&out, "%s %s%s\n", kinds[c->assets[i].kind], c->assets[i].url,
                      c->assets[i].in_markdown ? " md" : "");
    return fk_buf_detach(&out);
}

static void test_assets(void)
{
    static const struct {
        const char *html;
        const char *assets;
    } cases[] = {
        {"<p>no images</p>", ""},
        {"<img src='a.png' alt='A'>", "image https://example.com/base/a.png md\n"},
        /* srcset: the largest by width, after the src the Markdown shows */
        {"<img src='s.jpg' srcset='s.jpg 400w, /l.jpg 1600w, m.jpg 800w'>",
         "image https://example.com/base/s.jpg md\nimage https://example.com/l.jpg\n"},
        /* by density, a candidate without one being 1x */
        {"<img src='a.png' srcset='b.png, c.png 3x, d.png 2x'>",
         "image https://example.com/base/a.png md\nimage https://example.com/base/c.png\n"},
        /* the largest is the src: listed once */
        {"<img src='big.png' srcset='small.png 100w, big.png 900w'>",
         "image https://example.com/base/big.png md\n"},
        /* neither widths nor densities: the last ("a.png,b.png" would be one URL) */
        {"<img srcset='a.png, b.png'>", "image https://example.com/base/b.png\n"},
        /* commas inside a URL, and a data: candidate skipped */
        {"<img src='x.png' srcset='https://cdn.example/i/w_800,q_80/x.png 800w, "
         "data:image/gif;base64,R0lGOD 2000w'>",
         "image https://example.com/base/x.png md\n"},
        /* lazy loading: a data: placeholder gives way to data-src */
        {"<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='real.jpg' "
         "data-srcset='real.jpg 1x, real@2x.jpg 2x'>",
         "image https://example.com/base/real.jpg\nimage https://example.com/base/real@2x.jpg\n"},
        {"<img data-src='lazy.jpg' alt='L'>", "image https://example.com/base/lazy.jpg md\n"},
        /* tracking pixels, dropped elements, unsafe and non-http URLs */
        {"<img src='pixel.gif' width='1' height='1'><img src='zero.gif' width='0'>"
         "<noscript><img src='ns.jpg'></noscript><script>x='<img src=s.jpg>'</script>"
         "<img src='javascript:alert(1)'><img src='ftp://example.com/a.png'><img src=''>",
         ""},
        /* picture: the largest of each source, then the img */
        {"<picture><source type='image/avif' srcset='a.avif 1x, a2.avif 2x'>"
         "<source srcset='b.webp 500w, b2.webp 1000w'><img src='c.jpg' alt='C'></picture>",
         "image https://example.com/base/a2.avif\nimage https://example.com/base/b2.webp\n"
         "image https://example.com/base/c.jpg md\n"},
        /* media, in document order, each URL once */
        {"<p><img src='one.png'></p><video poster='p.jpg' src='v.mp4'><source src='v.webm'>"
         "<source src='v.mp4'></video><audio src='a.mp3'><source src='a.ogg'></audio>"
         "<img src='one.png'>",
         "image https://example.com/base/one.png md\nposter https://example.com/base/p.jpg\n"
         "video https://example.com/base/v.mp4\nvideo https://example.com/base/v.webm\n"
         "audio https://example.com/base/a.mp3\naudio https://example.com/base/a.ogg\n"},
        /* an image inside a table is kept in an HTML block, not as Markdown */
        {"<table><tr><td><img src='t.png'></td></tr></table>",
         "image https://example.com/base/t.png\n"},
        /* written as in the Markdown: spaces encoded, line ends dropped */
        {"<img src='my pic.png'><img src='li\nne.png'>",
         "image https://example.com/base/my%20pic.png md\nimage https://example.com/base/line.png "
         "md\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fk_content c = convert(cases[i].html);
        char *lines = asset_lines(&c);
        if (strcmp(lines, cases[i].assets) != 0)
            fprintf(stderr, "case %zu: %s\n", i, cases[i].html);
        CHECK_STR(lines, cases[i].assets);
        free(lines);
        fk_content_release(&c);
    }

    /* No base URL: relative references are not listed. */
    struct fk_content c;
    struct fk_error err = {0};
    const char *html = "<img src='rel.png'><img src='https://cdn.example/abs.png'>";
    CHECK_INT(fk_content_from_html(html, strlen(html), NULL, &c, &err), 0);
    char *lines = asset_lines(&c);
    CHECK_STR(lines, "image https://cdn.example/abs.png md\n");
    free(lines);
    fk_content_release(&c);

    /* A thousand distinct images and more: the list stops at the cap. */
    struct fk_buf many = FK_BUF_INIT;
    for (int i = 0; i < FK_CONTENT_ASSETS_MAX + 50; i++)
        fk_buf_printf(&many, "<img src='i%d.png'>", i);
    c = convert(many.data);
    CHECK_INT(c.nassets, FK_CONTENT_ASSETS_MAX);
    CHECK_STR(c.assets[FK_CONTENT_ASSETS_MAX - 1].url, "https://example.com/base/i999.png");
    fk_content_release(&c);
    fk_buf_release(&many);
}

int main(int argc, char **argv)
{
    round_trip_strict = getenv("FK_TEST_STRICT") != NULL;
    if (argc >= 3 && strcmp(argv[1], "--golden") == 0)
        return run_golden(argv[2], argc >= 4 && strcmp(argv[3], "--update") == 0);
    if (argc != 1) {
        fprintf(stderr, "usage: test_content [--golden DIR [--update]]\n");
        return 2;
    }
    RUN(test_conversions);
    RUN(test_code_blocks);
    RUN(test_code_markdown);
    RUN(test_null_and_limits);
    RUN(test_too_many_nodes);
    RUN(test_memory_bound);
    RUN(test_bad_bytes);
    RUN(test_deep_nesting);
    RUN(test_silent);
    RUN(test_meta_charset_ignored);
    RUN(test_html_block_safety);
    RUN(test_html_to_line);
    RUN(test_sample_feed);
    RUN(test_round_trip_conversions);
    RUN(test_wrap);
    RUN(test_assets);
    return DONE();
}
