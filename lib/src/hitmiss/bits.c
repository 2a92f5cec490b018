/* Hit-or-miss on the bit image: packing frame rows to 64-pixel words (or
 * 8x8 tiles) and back, and the transform itself, each element the AND of
 * shifted row words (the nine neighbourhood words for 3x3 elements). */
#include "hitmiss_priv.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The nine words of the 3x3 neighbourhood of word i: v[(dy + 1) * 3 + dx + 1]
 * holds pixel (x + dx, y + dy) in bit x % 64. */
static inline void load9(const uint64_t *rowm, const uint64_t *row0, const uint64_t *rowp, int i,
                         uint64_t v[9])
{
    const uint64_t *r[3] = { rowm, row0, rowp };
    for (int k = 0; k < 3; k++) {
        const uint64_t c = r[k][i];
        v[k * 3 + 0] = (c << 1) | (r[k][i - 1] >> 63);
        v[k * 3 + 1] = c;
        v[k * 3 + 2] = (c >> 1) | (r[k][i + 1] << 63);
    }
}

static inline uint64_t eval_small(const Elem *e, const uint64_t v[9])
{
    uint64_t m = ~(uint64_t)0;
    for (int t = 0; t < e->n_terms; t++)
        m &= v[e->pos[t]] ^ e->terms[t].inv;
    return m;
}

static inline uint64_t eval_general(const IsegHitmiss *hm, const Elem *e, int y, int i)
{
    uint64_t m = ~(uint64_t)0;
    for (int t = 0; t < e->n_terms && m; t++) {
        const Term *tm = &e->terms[t];
        m &= shifted_word(bit_row(hm, y + tm->dy) + i, hm->pad, tm->dx) ^ tm->inv;
    }
    return m;
}

static inline uint64_t eval_elem(const IsegHitmiss *hm, const Elem *e, int y, int i)
{
    if (e->small) {
        uint64_t v[9];
        load9(bit_row(hm, y - 1), bit_row(hm, y), bit_row(hm, y + 1), i, v);
        return eval_small(e, v);
    }
    return eval_general(hm, e, y, i);
}

/* 8 pixels (>= 128 is 1) to 8 bits: the high bit of each byte, gathered by
 * one multiplication (the products land on distinct bits, no carries). */
static inline unsigned pack8(const uint8_t *p)
{
    uint64_t q;
    memcpy(&q, p, 8);
    q = (q >> 7) & 0x0101010101010101ull;
    return (unsigned)((q * 0x0102040810204080ull) >> 56);
}

/* n <= 64 pixels to a word. Reads exactly n bytes. */
static inline uint64_t pack_word(const uint8_t *p, int n)
{
    uint64_t w = 0;
    int j = 0;
#if defined(__SSE2__)
    for (; j + 16 <= n; j += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
        w |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << j;
    }
#endif
    for (; j + 8 <= n; j += 8)
        w |= (uint64_t)pack8(p + j) << j;
    for (; j < n; j++)
        w |= (uint64_t)(p[j] >> 7) << j;
    return w;
}

/* 8 bits to 8 bytes of 255 / 0: bit j of b to byte j. */
static inline uint64_t unpack8(unsigned b)
{
    uint64_t x = ((uint64_t)b * 0x0101010101010101ull) & 0x8040201008040201ull;
    x = ((x + 0x7f7f7f7f7f7f7f7full) & 0x8080808080808080ull) >> 7;
    return x * 0xff;
}

/* The low n <= 64 bits of w to n bytes of 255 / 0. Writes exactly n bytes. */
static inline void unpack_word(uint8_t *p, uint64_t w, int n)
{
    int j = 0;
#if defined(__SSE2__)
    const __m128i sel = _mm_set1_epi64x((long long)0x8040201008040201ull);
    for (; j + 16 <= n; j += 16) {
        const uint64_t lo = (w >> j) & 0xff, hi = (w >> (j + 8)) & 0xff;
        const __m128i b = _mm_set_epi64x((long long)(hi * 0x0101010101010101ull),
                                         (long long)(lo * 0x0101010101010101ull));
        const __m128i v = _mm_cmpeq_epi8(_mm_and_si128(b, sel), sel);
        _mm_storeu_si128((__m128i *)(void *)(p + j), v);
    }
#endif
    for (; j + 8 <= n; j += 8) {
        const uint64_t q = unpack8((unsigned)(w >> j) & 0xff);
        memcpy(p + j, &q, 8);
    }
    for (; j < n; j++)
        p[j] = (w >> j) & 1 ? 255 : 0;
}

void hm_pack_rows(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int y = y0; y < y1; y++) {
        const uint8_t *s = job->src->data + (ptrdiff_t)y * job->src->stride;
        uint64_t *b = bit_row(hm, y);
        for (int i = 0; i < hm->nw; i++)
            b[i] = pack_word(s + (ptrdiff_t)i * 64, ISEG_MIN(64, hm->width - i * 64));
    }
}

void hm_unpack_rows(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int y = y0; y < y1; y++) {
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        const uint64_t *b = bit_row(hm, y);
        for (int i = 0; i < hm->nw; i++)
            unpack_word(d + (ptrdiff_t)i * 64, b[i], ISEG_MIN(64, hm->width - i * 64));
    }
}

/* Rows of tiles [ty0, ty1) from src. */
void hm_pack_tiles(void *p, int ty0, int ty1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int ty = ty0; ty < ty1; ty++) {
        uint64_t *t = hm->tiles + tile_index(hm, ty, 0);
        memset(t, 0, (size_t)hm->tw * sizeof(*t));
        for (int r = 0; r < 8 && 8 * ty + r < hm->height; r++) {
            const uint8_t *s = job->src->data + (ptrdiff_t)(8 * ty + r) * job->src->stride;
            int tx = 0;
#if defined(__SSE2__)
            for (; 8 * tx + 16 <= hm->width; tx += 2) {
                const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + 8 * tx));
                const unsigned b = (unsigned)_mm_movemask_epi8(v);
                t[tx] |= (uint64_t)(b & 0xff) << (8 * r);
                t[tx + 1] |= (uint64_t)(b >> 8) << (8 * r);
            }
#endif
            for (; tx < hm->tw; tx++) {
                const int n = ISEG_MIN(8, hm->width - 8 * tx);
                const uint64_t b = n == 8 ? pack8(s + 8 * tx) : pack_word(s + 8 * tx, n);
                t[tx] |= b << (8 * r);
            }
        }
    }
}

/* Pixel rows [y0, y1) of dst from the tiles. */
void hm_unpack_tiles(void *p, int y0, int y1, unsigned slot)
{
    (void)slot;
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    for (int y = y0; y < y1; y++) {
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        const uint64_t *t = hm->tiles + tile_index(hm, y / 8, 0);
        const int shift = 8 * (y % 8);
        int tx = 0;
#if defined(__SSE2__)
        const __m128i sel = _mm_set1_epi64x((long long)0x8040201008040201ull);
        for (; 8 * tx + 16 <= hm->width; tx += 2) {
            const uint64_t lo = (t[tx] >> shift) & 0xff, hi = (t[tx + 1] >> shift) & 0xff;
            const __m128i b = _mm_set_epi64x((long long)(hi * 0x0101010101010101ull),
                                             (long long)(lo * 0x0101010101010101ull));
            const __m128i v = _mm_cmpeq_epi8(_mm_and_si128(b, sel), sel);
            _mm_storeu_si128((__m128i *)(void *)(d + 8 * tx), v);
        }
#endif
        for (; 8 * tx + 8 <= hm->width; tx++) {
            const uint64_t q = unpack8((unsigned)(t[tx] >> shift) & 0xff);
            memcpy(d + 8 * tx, &q, 8);
        }
        if (tx < hm->tw)
            unpack_word(d + 8 * tx, (t[tx] >> shift) & 0xff, hm->width - 8 * tx);
    }
}

/* hitmiss: union of the matches of every element, written straight to dst. */
void hm_hmt_rows(void *p, int y0, int y1, unsigned slot)
{
    const RowJob *job = p;
    const IsegHitmiss *hm = job->hm;
    uint64_t count = 0;
    for (int y = y0; y < y1; y++) {
        uint8_t *d = job->dst->data + (ptrdiff_t)y * job->dst->stride;
        const uint64_t *rm = bit_row(hm, y - 1), *r0 = bit_row(hm, y), *rp = bit_row(hm, y + 1);
        for (int i = 0; i < hm->nw; i++) {
            uint64_t m = 0;
            if (hm->all_small) {
                uint64_t v[9];
                load9(rm, r0, rp, i, v);
                for (int k = 0; k < hm->n_elems; k++)
                    m |= eval_small(&hm->elems[k], v);
            } else {
                for (int k = 0; k < hm->n_elems; k++)
                    m |= eval_elem(hm, &hm->elems[k], y, i);
            }
            const int n = ISEG_MIN(64, hm->width - i * 64);
            if (n < 64)
                m &= hm->tail;
            count += (uint64_t)__builtin_popcountll(m);
            unpack_word(d + (ptrdiff_t)i * 64, m, n);
        }
    }
    job->counts[slot] += count;
}
