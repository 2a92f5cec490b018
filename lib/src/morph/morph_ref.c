/* Grayscale morphology, the plain definition (read this first): every
 * output pixel is the min (erosion) or max (dilation) of the source pixels
 * under the element's hits, outside pixels replicated or neutral; the other
 * operations are compositions of such passes. The fast path (morph.c,
 * pass.c) gives the same bytes. */
#include "morph_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One erosion (is_max 0) or dilation pass over contiguous W x H buffers. */
static void ref_pass(const IsegSel *sel, int is_max, int replicate, const uint8_t *src,
                     uint8_t *dst, int W, int H)
{
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int acc = is_max ? 0 : 255;
            for (int i = 0; i < sel->height; i++) {
                for (int j = 0; j < sel->width; j++) {
                    if (sel->cells[i * sel->width + j] != ISEG_SEL_HIT)
                        continue;
                    int yy = y + i - sel->origin_y, xx = x + j - sel->origin_x;
                    if (yy < 0 || yy >= H || xx < 0 || xx >= W) {
                        if (!replicate)
                            continue;
                        yy = ISEG_CLAMP(yy, 0, H - 1);
                        xx = ISEG_CLAMP(xx, 0, W - 1);
                    }
                    const int v = src[(size_t)yy * W + xx];
                    acc = is_max ? ISEG_MAX(acc, v) : ISEG_MIN(acc, v);
                }
            }
            dst[(size_t)y * W + x] = (uint8_t)acc;
        }
    }
}

/* *a = op^n(*a), using *b as the other buffer (they may be swapped). */
static void ref_repeat(const IsegSel *sel, int is_max, int replicate, int n, uint8_t **a,
                       uint8_t **b, int W, int H)
{
    for (int i = 0; i < n; i++) {
        ref_pass(sel, is_max, replicate, *a, *b, W, H);
        uint8_t *t = *a;
        *a = *b;
        *b = t;
    }
}

int iseg_morph_apply_ref(const IsegSel *sel, const IsegMorphSettings *s, const IsegImage *src,
                         IsegImage *dst)
{
    if (!iseg_morph_sel_ok(sel) || !iseg_morph_settings_ok(s) || iseg_image_check(src) < 0 ||
        iseg_image_check(dst) < 0 || src->width != dst->width || src->height != dst->height)
        return -EINVAL;
    const int W = src->width, H = src->height, n = s->iterations;
    const int rep = s->border == ISEG_MORPH_BORDER_REPLICATE;
    const size_t sz = (size_t)W * H;
    uint8_t *orig = malloc(sz), *a = malloc(sz), *b = malloc(sz), *c = malloc(sz);
    if (!orig || !a || !b || !c) {
        free(orig);
        free(a);
        free(b);
        free(c);
        return -ENOMEM;
    }
    for (int y = 0; y < H; y++)
        memcpy(orig + (size_t)y * W, src->data + y * src->stride, (size_t)W);
    memcpy(a, orig, sz);
    uint8_t *result = a;
    switch (s->op) {
    case ISEG_MORPH_ERODE:
    case ISEG_MORPH_DILATE:
        ref_repeat(sel, s->op == ISEG_MORPH_DILATE, rep, n, &a, &b, W, H);
        result = a;
        break;
    case ISEG_MORPH_OPEN:
    case ISEG_MORPH_TOPHAT:
        ref_repeat(sel, 0, rep, n, &a, &b, W, H);
        ref_repeat(sel, 1, rep, n, &a, &b, W, H);
        result = a;
        if (s->op == ISEG_MORPH_TOPHAT) {
            for (size_t i = 0; i < sz; i++)
                c[i] = orig[i] > a[i] ? (uint8_t)(orig[i] - a[i]) : 0;
            result = c;
        }
        break;
    case ISEG_MORPH_CLOSE:
    case ISEG_MORPH_BLACKHAT:
        ref_repeat(sel, 1, rep, n, &a, &b, W, H);
        ref_repeat(sel, 0, rep, n, &a, &b, W, H);
        result = a;
        if (s->op == ISEG_MORPH_BLACKHAT) {
            for (size_t i = 0; i < sz; i++)
                c[i] = a[i] > orig[i] ? (uint8_t)(a[i] - orig[i]) : 0;
            result = c;
        }
        break;
    case ISEG_MORPH_GRADIENT: {
        ref_repeat(sel, 1, rep, n, &a, &b, W, H); /* a = dilated */
        memcpy(c, orig, sz);
        uint8_t *e = c, *f = b;
        ref_repeat(sel, 0, rep, n, &e, &f, W, H); /* e = eroded */
        for (size_t i = 0; i < sz; i++)
            f[i] = a[i] > e[i] ? (uint8_t)(a[i] - e[i]) : 0;
        result = f;
        break;
    }
    }
    for (int y = 0; y < H; y++)
        memcpy(dst->data + y * dst->stride, result + (size_t)y * W, (size_t)W);
    free(orig);
    free(a);
    free(b);
    free(c);
    return 0;
}
