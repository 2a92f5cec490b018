/* Hit-or-miss, thinning, thickening and skeletons: the plain definition
 * (read this first). Byte images, one pixel and one element cell at a
 * time, exactly as the definitions in hitmiss.h read. The fast path
 * (hitmiss.c over bits.c and thin.c) gives the same bytes and statistics. */
#include "hitmiss_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Whether sel (hit and miss swapped when `swap`) matches at (x, y) of the 0/1
 * image a of w x h pixels; outside the frame is background. */
static int ref_match(const uint8_t *a, int w, int h, const IsegSel *sel, int swap, int x, int y)
{
    for (int cy = 0; cy < sel->height; cy++)
        for (int cx = 0; cx < sel->width; cx++) {
            int cell = sel->cells[cy * sel->width + cx];
            if (cell == ISEG_SEL_DONTCARE)
                continue;
            if (swap)
                cell = cell == ISEG_SEL_HIT ? ISEG_SEL_MISS : ISEG_SEL_HIT;
            const int px = x + cx - sel->origin_x, py = y + cy - sel->origin_y;
            const int fg = px >= 0 && px < w && py >= 0 && py < h && a[(size_t)py * w + px];
            if ((cell == ISEG_SEL_HIT) != fg)
                return 0;
        }
    return 1;
}

int iseg_hitmiss_ref(IsegHitmissOp op, const IsegSel *const *set, int n_sels, const IsegImage *src,
                     IsegImage *dst, unsigned iterations, IsegHitmissStats *stats)
{
    BuiltinSet builtin;
    set = hm_resolve_set(op, set, &n_sels, &builtin);
    if (hm_set_check(op, set, n_sels) < 0 || iseg_image_check(src) < 0 ||
        iseg_image_check(dst) < 0 || src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    const int w = src->width, h = src->height;
    const size_t n = (size_t)w * h;
    uint8_t *a = malloc(n), *m = malloc(n);
    if (!a || !m) {
        free(a);
        free(m);
        return -ENOMEM;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            a[(size_t)y * w + x] = src->data[y * src->stride + x] >= 128;

    uint64_t matches = 0;
    unsigned passes = 0;
    if (op == ISEG_HITMISS_HMT) {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t hit = 0;
                for (int k = 0; k < n_sels && !hit; k++)
                    hit = (uint8_t)ref_match(a, w, h, set[k], 0, x, y);
                m[(size_t)y * w + x] = hit;
                matches += hit;
            }
        memcpy(a, m, n);
        passes = 1;
    } else {
        const int thicken = op == ISEG_HITMISS_THICKEN;
        const unsigned limit = op == ISEG_HITMISS_SKELETON ? 0 : iterations;
        for (;;) {
            uint64_t changed = 0;
            for (int k = 0; k < n_sels; k++) {
                /* every pixel decided on the image the previous element left */
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        m[(size_t)y * w + x] = (uint8_t)ref_match(a, w, h, set[k], thicken, x, y);
                for (size_t i = 0; i < n; i++)
                    if (m[i] && a[i] != thicken) {
                        a[i] = (uint8_t)thicken;
                        changed++;
                    }
            }
            passes++;
            matches += changed;
            if (!changed || (limit && passes >= limit))
                break;
        }
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            dst->data[y * dst->stride + x] = a[(size_t)y * w + x] ? 255 : 0;
    free(a);
    free(m);
    if (stats) {
        stats->matches = matches;
        stats->passes = passes;
    }
    return 0;
}
