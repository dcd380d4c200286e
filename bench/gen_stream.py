#!/usr/bin/env python3
"""Stream a large RSS 2.0 document of dev.to-shaped articles to stdout, item
by item, for `feedkeep import -`: no corpus file is ever written.

usage: gen_stream.py [--seed S] [--start K] [--count N] [--authors A]
                     [--tags T] [--years Y] [--sample FEED.xml] [--stats]

The items are positions K .. K+N-1 of one deterministic, endless sequence
(given the seed and the options), so chunks made by separate processes are
disjoint and the same every time. Each article is made from the sample feed
(the dev.to feed in ../shared/fixtures/ by default):

- its HTML recombines the sample's blocks: an introduction, then sections
  (a heading and what follows it: paragraphs, lists, code blocks with their
  languages) drawn from all the sample's articles, until a target size drawn
  from the spread of the sample's article sizes (between its smallest and
  its largest, with its median);
- about one word in eight of the prose is drawn from a vocabulary with a
  Zipf distribution (the sample's own words first, then made-up words), so
  the full-text index sees common words and a long tail of rare ones; some
  words of the query benchmark ('planner', 'kubernetes', 'optimize' and its
  forms) are drawn only at fixed rates, wherever they stand in the sample;
- its author is one of --authors names, Zipf-distributed (a few prolific
  authors, most with one to three articles); its 1 to 4 tags are among
  --tags names, Zipf-distributed, the most common being real dev.to tags
  (webdev, javascript, python, ai, ...); its date is uniform over the
  --years years before 2026-06-07;
- one article in 20 is updated once: about 25,000 items after it, its
  guid and link come again with a changed title and text, which the import
  files as a new version.

--stats prints, instead of the document, what the given range holds: article
sizes, how many articles contain the benchmark's words, the spread of authors
and tags, the updates, and how fast items are made.
"""
import argparse
import bisect
import datetime
import html
import itertools
import os
import random
import re
import statistics
import sys
import time
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SAMPLE = os.path.join(HERE, '..', '..', 'shared', 'fixtures', 'devto-fuadhusnan.xml')

END = datetime.datetime(2026, 6, 7, 9, 0, tzinfo=datetime.timezone.utc)

# Changed whenever a change here changes the sequence: an archive made from
# it records the version it was made with (bench/million.py).
SEQUENCE_VERSION = 1

# One position in BLOCK is an update; the other BLOCK - 1 are new articles.
BLOCK = 21
# An update comes this many blocks (about 25,000 items) after its article:
# in a later document than its article, when the sequence is imported in
# chunks of fewer items (an import that meets a guid twice in one document
# files the first and counts the second unchanged).
UPDATE_LAG_BLOCKS = 1200

# One word in SLOT_EVERY of the prose is drawn from the vocabulary.
SLOT_EVERY = 8

# Words drawn only at these rates (per drawn word): they replace every place
# the sample has them. About 300 words are drawn per article, so a rate r
# puts the word in about 300 * r of the articles (--stats measures it).
FIXED_WORDS = [
    ('planner', 6e-5),
    ('planners', 1e-5),
    ('kubernetes', 1.5e-5),
    ('optimize', 1.2e-4),
    ('optimizer', 4e-5),
    ('optimization', 1.5e-4),
    ('optimizations', 3e-5),
    ('optimized', 8e-5),
    ('optimizing', 4e-5),
]
# One article in 1 / KEEP_FIXED keeps those words where the sample has them
# (so 'query planner' is a phrase of some articles); the others draw them.
KEEP_FIXED = 0.04
FIXED_RE = re.compile(r'\b(?:planners?|kubernetes|optimi\w*)\b', re.I)
# The vocabulary: after the sample's own words, this many made-up ones.
MADE_UP_WORDS = 200000
ZIPF_WORDS = 1.0
# An article is within this many bytes under its target size.
SIZE_SLACK = 600

# Real dev.to tags, the most common first; then made-up ones.
COMMON_TAGS = [
    'webdev', 'javascript', 'python', 'ai', 'programming', 'beginners', 'tutorial',
    'react', 'devops', 'database', 'productivity', 'rust', 'go', 'typescript', 'node',
    'aws', 'opensource', 'machinelearning', 'career', 'security', 'docker', 'kubernetes',
    'linux', 'backend', 'frontend', 'css', 'java', 'llm', 'cloud', 'testing', 'sql',
    'architecture', 'automation', 'api', 'git', 'cicd', 'postgres', 'bigdata',
    'vectordatabase', 'cloudcomputing', 'codequality', 'bash', 'softwareengineering',
    'computerscience', 'c', 'cpp', 'android', 'ios', 'php', 'ruby',
]
ZIPF_TAGS = 1.0
TAG_COUNT_WEIGHTS = [15, 20, 25, 40]  # 1, 2, 3 or 4 tags

# Authors: Zipf-Mandelbrot weights 1 / (rank + AUTHOR_SHIFT) ** ZIPF_AUTHORS.
ZIPF_AUTHORS = 1.2
AUTHOR_SHIFT = 2.0
FIRST_NAMES = (
    'Ada Adaeze Aisha Akira Alex Amara Ana Andrei Anh Arjun Aya Bao Bea Ben Bilal Bruno '
    'Camila Carlos Chen Chidi Chloe Dana Daniel Dario Deepa Diego Dmitri Elena Elif Emeka '
    'Emma Erik Eva Fatima Felix Femi Fu\'ad Gabriel Hana Hannah Hassan Ivan Ines Isaac '
    'Jae Jakub Jamal Jana Javier Jin Joao Jonas Jose Julia Kai Karim Kate Kenji Kofi Lars '
    'Leila Lena Leo Liam Lin Lucas Luis Maya Mei Mehmet Mia Miguel Min Mohammed Nadia Nikhil '
    'Nina Noah Nour Olga Omar Paulo Pedro Priya Rafael Ravi Rosa Sami Sara Sofia Tariq Tomas '
    'Uche Vera Wei Yara Yusuf Zara Zoe').split()
SYLLABLES = ('ba be bi bo da de di do fa fe ga go ha ka ke ki ko la le li lo ma me mi mo '
             'na ne ni no pa pe ra re ri ro sa se si so ta te ti to va ve wa ya za zo').split()

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        '  <channel>\n'
        '    <title>DEV Community</title>\n'
        '    <description>The latest articles on DEV Community (generated for'
        ' benchmarks).</description>\n'
        '    <link>https://dev.to</link>\n'
        '    <atom:link rel="self" type="application/rss+xml" href="https://dev.to/feed"/>\n'
        '    <language>en</language>\n')
TAIL = '  </channel>\n</rss>\n'

BLOCK_RE = re.compile(r'<div class="highlight.*?</div>|<(h[1-6]|p|ul|ol|blockquote|table)\b.*?</\1>',
                      re.S)
WORD_RE = re.compile(r'[A-Za-z][a-z]{2,}')
TAG_RE = re.compile(r'(<[^>]*>)')


def made_up_word(index, syllables):
    """The index-th made-up word: two to four syllables, from the index's digits."""
    n = len(syllables)
    parts = [syllables[index % n]]
    index //= n
    while True:
        parts.append(syllables[index % n])
        index //= n
        if index == 0:
            break
    return ''.join(parts)


def zipf_cumulative(count, exponent, shift=0.0):
    """Cumulative weights 1 / (rank + shift) ** exponent for ranks 1..count."""
    return list(itertools.accumulate((rank + shift) ** -exponent for rank in range(1, count + 1)))


class Block:
    """One block of a sample article's HTML, XML-escaped, as literal pieces
    with a drawn word between each two (parts[1::2] are the drawn words)."""
    __slots__ = ('parts', 'slots', 'size', 'fixed')

    def __init__(self, source):
        self.size = len(source.encode())
        self.fixed = []  # (slot, word) of the words of FIXED_RE
        parts = ['']
        for chunk in TAG_RE.split(source):
            if chunk.startswith('<'):
                parts[-1] += escape(chunk)
                continue
            position = 0
            ordinal = 0
            for match in WORD_RE.finditer(chunk):
                ordinal += 1
                if not FIXED_RE.fullmatch(match.group()) and ordinal % SLOT_EVERY != 0:
                    continue
                if FIXED_RE.fullmatch(match.group()):
                    self.fixed.append(((len(parts) - 1) // 2, match.group()))
                parts[-1] += escape(chunk[position:match.start()])
                parts.append(None)
                parts.append('')
                position = match.end()
            parts[-1] += escape(chunk[position:])
        self.parts = parts
        self.slots = (len(parts) - 1) // 2


def code_block(source):
    """A code block: kept whole, nothing drawn in it."""
    block = Block.__new__(Block)
    block.size = len(source.encode())
    block.parts = [escape(source)]
    block.slots = 0
    block.fixed = []
    return block


class Sample:
    """The sample feed cut into blocks and sections, and its vocabulary."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        items = re.findall(r'<item>.*?</item>', text, re.S)
        if not items:
            sys.exit('gen_stream.py: no items in %s' % path)
        self.sizes = []
        self.intros = []    # per article: its blocks before the first heading
        self.sections = []  # a heading and the blocks after it
        self.titles = []
        counts = {}
        for item in items:
            title = html.unescape(re.search(r'<title>(.*?)</title>', item, re.S).group(1))
            source = html.unescape(re.search(r'<description>(.*?)</description>', item,
                                             re.S).group(1))
            self.sizes.append(len(source.encode()))
            self.titles.append(title_block(title))
            intro, section = [], None
            for match in BLOCK_RE.finditer(source):
                block_html = match.group()
                if block_html.startswith('<div class="highlight'):
                    block = code_block(block_html)
                else:
                    block = Block(block_html)
                    for word in WORD_RE.findall(TAG_RE.sub(' ', block_html)):
                        counts[word.lower()] = counts.get(word.lower(), 0) + 1
                if block_html.startswith('<h2'):
                    section = [block]
                    self.sections.append(section)
                elif section is None:
                    intro.append(block)
                else:
                    section.append(block)
            if intro:
                self.intros.append(intro)
        self.sizes.sort()
        fixed = {word for word, _ in FIXED_WORDS}
        own = [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])
               if w not in fixed and not FIXED_RE.fullmatch(w)]
        seen = set(own) | fixed
        made = []
        index = len(SYLLABLES)  # two syllables at least
        while len(made) < MADE_UP_WORDS:
            word = made_up_word(index, SYLLABLES)
            index += 1
            if word not in seen:
                seen.add(word)
                made.append(word)
        self.words = own + made
        self.word_cumulative = zipf_cumulative(len(self.words), ZIPF_WORDS)
        # The fixed words take their share of the draws; the Zipf words the rest.
        total = self.word_cumulative[-1]
        fixed_share = sum(rate for _, rate in FIXED_WORDS)
        scale = total * (1 - fixed_share)
        self.word_cumulative = [c / total * scale for c in self.word_cumulative]
        running = self.word_cumulative[-1]
        for word, rate in FIXED_WORDS:
            running += rate * total
            self.words.append(word)
            self.word_cumulative.append(running)

    def target_size(self, rng):
        """A size from the spread of the sample's: between two neighbouring
        sample sizes, uniformly, so that min, max and median match."""
        position = rng.random() * (len(self.sizes) - 1)
        low = int(position)
        high = min(low + 1, len(self.sizes) - 1)
        return self.sizes[low] + (self.sizes[high] - self.sizes[low]) * (position - low)


def title_block(title):
    """A sample title as a block in which every third word is drawn."""
    parts = ['']
    position = 0
    for ordinal, match in enumerate(WORD_RE.finditer(title), 1):
        if not FIXED_RE.fullmatch(match.group()) and ordinal % 3 != 0:
            continue
        parts[-1] += title[position:match.start()]
        parts.append(None)
        parts.append('')
        position = match.end()
    parts[-1] += title[position:]
    block = Block.__new__(Block)
    block.parts = parts
    block.slots = (len(parts) - 1) // 2
    block.size = len(title)
    block.fixed = []
    return block


def fill(block, words, offset):
    """The block's text with words[offset:offset + block.slots] drawn in."""
    if not block.slots:
        return block.parts[0]
    parts = block.parts[:]
    parts[1::2] = words[offset:offset + block.slots]
    return ''.join(parts)


class Generator:
    def __init__(self, args):
        self.seed = args.seed
        self.sample = Sample(args.sample)
        self.years = args.years
        self.authors = args.authors
        self.author_cumulative = zipf_cumulative(args.authors, ZIPF_AUTHORS, AUTHOR_SHIFT)
        tags = list(COMMON_TAGS[:args.tags])
        seen = set(tags)
        index = len(SYLLABLES)
        while len(tags) < args.tags:
            tag = made_up_word(index * 7 + 3, SYLLABLES)
            index += 1
            if tag not in seen:
                seen.add(tag)
                tags.append(tag)
        self.tags = tags
        self.tag_cumulative = zipf_cumulative(len(tags), ZIPF_TAGS)

    def author(self, rank):
        """The author of a rank: a unique name and a dev.to user name."""
        first = FIRST_NAMES[rank % len(FIRST_NAMES)]
        last = made_up_word(rank // len(FIRST_NAMES) + len(SYLLABLES), SYLLABLES).capitalize()
        name = '%s %s' % (first, last)
        user = re.sub(r'[^a-z]', '', name.lower()) + '_%x' % rank
        return name, user

    def article(self, article_id, version):
        """(guid, title, author, date, tags, html escaped, html bytes) of an article."""
        rng = random.Random(self.seed * 1000003 + article_id)
        sample = self.sample
        rank = bisect.bisect_left(self.author_cumulative,
                                  rng.random() * self.author_cumulative[-1])
        name, user = self.author(rank)
        count = rng.choices((1, 2, 3, 4), TAG_COUNT_WEIGHTS)[0]
        tags = []
        while len(tags) < count:
            tag = self.tags[bisect.bisect_left(self.tag_cumulative,
                                               rng.random() * self.tag_cumulative[-1])]
            if tag not in tags:
                tags.append(tag)
        date = END - datetime.timedelta(seconds=int(rng.random() * self.years * 365.25 * 86400))
        target = sample.target_size(rng)
        blocks = list(rng.choice(sample.intros))
        size = sum(b.size for b in blocks)
        sections = sample.sections
        while size < target - SIZE_SLACK:
            for block in rng.choice(sections):
                if size + block.size > target:
                    continue  # too large here: a smaller block may fit
                blocks.append(block)
                size += block.size + 2
        keep = rng.random() < KEEP_FIXED
        title = rng.choice(sample.titles)
        slots = sum(b.slots for b in blocks) + title.slots
        words = rng.choices(sample.words, cum_weights=sample.word_cumulative, k=slots)
        if keep:
            offset = title.slots
            for block in blocks:
                for index, word in block.fixed:
                    words[offset + index] = word
                offset += block.slots
        # The link is made from the first title, and stays when the title changes.
        slug = re.sub(r'[^a-z0-9]+', '-', fill(title, words, 0).lower()).strip('-')[:60].rstrip('-')
        link = 'https://dev.to/%s/%s-%s' % (user, slug, base36(article_id))
        if version:
            # The update: a note first, and new words drawn in the title.
            later = random.Random(self.seed * 1000003 + article_id + (1 << 40))
            note = later.choice(sample.intros)[0]
            blocks.insert(0, note)
            fresh = later.choices(sample.words, cum_weights=sample.word_cumulative,
                                  k=title.slots + note.slots)
            words = fresh[:title.slots] + fresh[title.slots:] + words
            size += note.size + 2
        title_text = fill(title, words, 0)
        offset = title.slots
        pieces = []
        for block in blocks:
            pieces.append(fill(block, words, offset))
            offset += block.slots
        if version:
            title_text += ' (updated)'
        return link, title_text, name, date, tags, '\n\n'.join(pieces), size

    def position(self, position):
        """(article id, version) of a position of the sequence."""
        block, place = divmod(position, BLOCK)
        if place < BLOCK - 1 or block < UPDATE_LAG_BLOCKS:
            return position, 0
        earlier = block - UPDATE_LAG_BLOCKS
        rng = random.Random(self.seed * 7919 + earlier)
        return earlier * BLOCK + rng.randrange(BLOCK - 1), 1

    def item(self, position):
        article_id, version = self.position(position)
        link, title, author, date, tags, body, _ = self.article(article_id, version)
        return ''.join([
            '    <item>\n      <title>', escape(title), '</title>\n      <dc:creator>',
            escape(author), '</dc:creator>\n      <pubDate>',
            date.strftime('%a, %d %b %Y %H:%M:%S +0000'), '</pubDate>\n      <link>', link,
            '</link>\n      <guid>', link, '</guid>\n      <description>', body,
            '</description>\n',
            ''.join('      <category>%s</category>\n' % t for t in tags), '    </item>\n'])


def base36(number):
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    out = ''
    while True:
        number, digit = divmod(number, 36)
        out = digits[digit] + out
        if number == 0:
            return out


def stats(gen, start, count):
    """Prints what positions start .. start+count-1 hold."""
    began = time.perf_counter()
    sizes, words, authors, tags, updates = [], {}, {}, {}, 0
    probes = {'planner': re.compile(r'\bplanner\b', re.I),
              'kubernetes': re.compile(r'\bkubernetes\b', re.I),
              'optimi*': re.compile(r'\boptimi', re.I),
              'optimize': re.compile(r'\boptimize\b', re.I),
              'optimizer': re.compile(r'\boptimizer\b', re.I),
              'optimization': re.compile(r'\boptimization\b', re.I),
              '"query planner"': re.compile(r'\bquery planner\b', re.I),
              'the': re.compile(r'\bthe\b', re.I)}
    languages = {}
    for position in range(start, start + count):
        article_id, version = gen.position(position)
        link, title, author, _, item_tags, body, size = gen.article(article_id, version)
        if version:
            updates += 1
            continue
        sizes.append(size)
        text = title + ' ' + TAG_RE.sub(' ', html.unescape(body))
        for name, probe in probes.items():
            if probe.search(text):
                words[name] = words.get(name, 0) + 1
        authors[author] = authors.get(author, 0) + 1
        for tag in item_tags:
            tags[tag] = tags.get(tag, 0) + 1
        for lang in set(re.findall(r'&lt;pre class="highlight (\w+)', body)):
            languages[lang] = languages.get(lang, 0) + 1
    elapsed = time.perf_counter() - began
    articles = len(sizes)
    print('positions %d..%d: %d new articles, %d updates' % (start, start + count - 1,
                                                             articles, updates))
    print('made in %.1f s: %.0f items/s (with the counting below)' % (elapsed, count / elapsed))
    print('article HTML bytes: min %d, median %d, max %d (sample: %d, %d, %d)' % (
        min(sizes), statistics.median(sizes), max(sizes), gen.sample.sizes[0],
        statistics.median(gen.sample.sizes), gen.sample.sizes[-1]))
    for name in probes:
        print('articles containing %-16s %7d (%.2f%%)' % (name, words.get(name, 0),
                                                          100.0 * words.get(name, 0) / articles))
    per_author = sorted(authors.values(), reverse=True)
    few = sum(1 for n in per_author if n <= 3)
    print('authors: %d, most prolific %s; %d (%.0f%%) with 1 to 3 articles, median %d' % (
        len(per_author), per_author[:5], few, 100.0 * few / len(per_author),
        statistics.median(per_author)))
    top = sorted(tags.items(), key=lambda kv: -kv[1])
    print('tags: %d; most common %s' % (
        len(top), ', '.join('%s %.1f%%' % (t, 100.0 * n / articles) for t, n in top[:8])))
    for tag in ('database', 'rust', 'go'):
        print('  %s %.2f%%' % (tag, 100.0 * tags.get(tag, 0) / articles))
    print('code languages (articles): %s' % ', '.join(
        '%s %d' % kv for kv in sorted(languages.items(), key=lambda kv: -kv[1])))


def main():
    ap = argparse.ArgumentParser(description='Stream generated dev.to-shaped RSS items.')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--start', type=int, default=0)
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--authors', type=int, default=50000)
    ap.add_argument('--tags', type=int, default=5000)
    ap.add_argument('--years', type=float, default=10.0)
    ap.add_argument('--sample', default=DEFAULT_SAMPLE)
    ap.add_argument('--stats', action='store_true')
    args = ap.parse_args()
    if args.start < 0 or args.count < 0 or args.authors < 1 or args.tags < 1 or args.years <= 0:
        ap.error('--start and --count must be >= 0, --authors and --tags >= 1, --years > 0')
    gen = Generator(args)
    if args.stats:
        stats(gen, args.start, args.count)
        return
    out = sys.stdout.buffer
    try:
        out.write(HEAD.encode())
        for position in range(args.start, args.start + args.count):
            out.write(gen.item(position).encode())
        out.write(TAIL.encode())
        out.flush()
    except BrokenPipeError:
        # The reader stopped: say nothing more, and leave no error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == '__main__':
    main()
