"""The dev.to sample with images, and small PNG files to store as them, for
the tests of what the archive does with the assets it keeps (export
--assets copy, show --html).

The sample's articles carry no images of their own; dev.to writes an
article's images as a link around an <img> whose src is its image CDN's
URL. illustrate() gives each article one such image, the first two
articles also a shared one (one stored asset for two articles), and the
last article one more that is never stored (it stays remote).
"""
import html
import re
import struct
import zlib

CDN = ('https://media2.dev.to/dynamic/image/width=800%2Cheight=%2Cfit=scale-down%2C'
       'gravity=auto%2Cformat=auto/https%3A%2F%2Fdev-to-uploads.s3.amazonaws.com%2F'
       'uploads%2Farticles%2F')
SHARED = CDN + 'shared-diagram.png'
UNSTORED = CDN + 'never-stored.png'


def png(seed, width=4, height=3):
    """A valid RGB PNG of width x height whose colours follow seed."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    rows = b''
    for y in range(height):
        rows += b'\0' + bytes((seed * 37 + x * 11 + y * 5 + c * 70) % 256
                              for x in range(width) for c in range(3))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def figure(url, alt):
    """An image as dev.to writes one in an article."""
    return ('<p><a href="%s" class="article-body-image-wrapper"><img src="%s" alt="%s" '
            'loading="lazy" width="800" height="420"></a></p>'
            % (html.escape(url), html.escape(url), html.escape(alt)))


def illustrate(sample):
    """The sample feed's text with images in its articles. Returns the
    feed and a dict of guid -> the URLs of its images, in order."""
    items = re.findall(r'<item>.*?</item>', sample, re.S)
    images = {}
    out = sample
    for i, item in enumerate(items):
        guid = html.unescape(re.search(r'<guid[^>]*>(.*?)</guid>', item, re.S).group(1))
        urls = [CDN + 'figure-%02d.png' % i]
        if i < 2:
            urls.append(SHARED)
        if i == len(items) - 1:
            urls.append(UNSTORED)
        extra = ''.join(figure(u, 'figure %d.%d' % (i, n)) for n, u in enumerate(urls))
        new_item = re.sub(r'<description>', lambda m: m.group(0) + html.escape(extra),
                          item, count=1)
        out = out.replace(item, new_item, 1)
        images[guid] = urls
    return out, images


def stored_bytes(images):
    """The PNG each image URL but UNSTORED is stored as: url -> bytes."""
    urls = sorted({u for us in images.values() for u in us if u != UNSTORED})
    return {u: png(n + 1) for n, u in enumerate(urls)}
