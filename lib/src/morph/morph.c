/* Grayscale morphology: the compiled context and the composition of the
 * operations (open, close, gradient, top-hat, black-hat) from erosion and
 * dilation passes. The pass itself is in pass.c, the element's compilation
 * in plan.c, the plain definition in morph_ref.c. */
#include "morph_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- context */

const IsegMorphSettings *iseg_morph_settings(const IsegMorph *ctx)
{
    return ctx ? &ctx->set : NULL;
}

const IsegSel *iseg_morph_sel(const IsegMorph *ctx)
{
    return ctx ? ctx->sel : NULL;
}

int iseg_morph_create(IsegMorph **out, const IsegSel *sel, const IsegMorphSettings *s)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!iseg_morph_sel_ok(sel) || !iseg_morph_settings_ok(s))
        return -EINVAL;
    IsegMorph *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->set = *s;
    iseg_morph_kernels(&m->kernels);
    m->k = &m->kernels;
    int ret = iseg_sel_copy(&m->sel, sel);
    m->run = *s;
    if (ret == 0)
        ret = iseg_morph_plan_compile(&m->plan, sel, &m->run.iterations);
    for (int i = 0; ret == 0 && i < m->plan.n_items; i++)
        m->n_stored += m->plan.items[i].stored;
    m->pipe = ISEG_MIN(MORPH_PIPE_MAX, iseg_morph_passes(&m->run));
    if (ret == 0 && s->max_width > 0 && s->max_height > 0)
        ret = iseg_morph_reserve(m, s->max_width, s->max_height, iseg_cpu_count());
    if (ret < 0) {
        iseg_morph_destroy(m);
        return ret;
    }
    *out = m;
    return 0;
}

void iseg_morph_destroy(IsegMorph *m)
{
    if (!m)
        return;
    iseg_morph_release(m);
    free(m->plan.items);
    iseg_sel_free(m->sel);
    free(m);
}

/* ---------------------------------------------------------------- apply */

static int images_overlap(const IsegImage *a, const IsegImage *b)
{
    const uint8_t *a0 = a->data, *a1 = a->data + (a->height - 1) * a->stride + a->width;
    const uint8_t *b0 = b->data, *b1 = b->data + (b->height - 1) * b->stride + b->width;
    return a0 < b1 && b0 < a1;
}

/* Runs `count` passes (kinds[i]: 0 erosion, 1 dilation) from src into
 * `final`, MORPH_PIPE_MAX at a time streamed through row rings. Between
 * such groups the intermediate frames alternate between `final` and
 * `spare` so that the last group lands in `final`. spare must not be an
 * image the caller still needs (it may be `final`: groups then run in
 * place). */
static void chain(IsegMorph *m, const int *kinds, int count, const IsegImage *src,
                  const IsegImage *final, const IsegImage *spare, IsegPool *pool)
{
    const int groups = (count + MORPH_PIPE_MAX - 1) / MORPH_PIPE_MAX;
    const IsegImage *cur = src;
    for (int g = 0; g < groups; g++) {
        const IsegImage *target = (groups - 1 - g) % 2 == 0 ? final : spare;
        const int first = g * MORPH_PIPE_MAX;
        iseg_morph_pipe(m, kinds + first, ISEG_MIN(MORPH_PIPE_MAX, count - first), cur, target,
                        pool);
        cur = target;
    }
}

int iseg_morph_apply(IsegMorph *m, const IsegImage *src, IsegImage *dst, IsegPool *pool)
{
    if (!m || iseg_image_check(src) < 0 || iseg_image_check(dst) < 0 || src->width != dst->width ||
        src->height != dst->height)
        return -EINVAL;
    if (src->data == dst->data ? src->stride != dst->stride : images_overlap(src, dst))
        return -EINVAL;
    if (iseg_force_reference())
        return iseg_morph_apply_ref(m->sel, &m->set, src, dst);
    const int W = src->width, H = src->height;
    const unsigned chunks = iseg_pool_chunks(pool, H, iseg_morph_grain(m, 1));
    int ret = iseg_morph_reserve(m, W, H, chunks);
    if (ret < 0)
        return ret;
    IsegImage tmp = { m->tmp, W, H, W };
    const IsegImage *spare = m->tmp ? &tmp : dst;
    const int n = m->run.iterations;
    int kinds[2 * ISEG_MORPH_MAX_ITERATIONS];
    const int first = m->set.op == ISEG_MORPH_DILATE || m->set.op == ISEG_MORPH_CLOSE ||
                      m->set.op == ISEG_MORPH_BLACKHAT;
    for (int i = 0; i < n; i++) {
        kinds[i] = first;
        kinds[n + i] = !first;
    }
    switch (m->set.op) {
    case ISEG_MORPH_ERODE:
    case ISEG_MORPH_DILATE: chain(m, kinds, n, src, dst, spare, pool); break;
    case ISEG_MORPH_OPEN:
    case ISEG_MORPH_CLOSE: chain(m, kinds, 2 * n, src, dst, spare, pool); break;
    case ISEG_MORPH_GRADIENT: {
        /* dilation into tmp, then erosion into dst: src stays intact until both read it */
        static const int erosions[ISEG_MORPH_MAX_ITERATIONS] = { 0 };
        chain(m, kinds + n, n, src, &tmp, src->data != dst->data ? dst : &tmp, pool);
        chain(m, erosions, n, src, dst, dst, pool);
        iseg_morph_subsat(m, &tmp, dst, dst, pool);
        break;
    }
    case ISEG_MORPH_TOPHAT:
    case ISEG_MORPH_BLACKHAT:
        chain(m, kinds, 2 * n, src, &tmp, src->data != dst->data ? dst : &tmp, pool);
        if (m->set.op == ISEG_MORPH_TOPHAT)
            iseg_morph_subsat(m, src, &tmp, dst, pool);
        else
            iseg_morph_subsat(m, &tmp, src, dst, pool);
        break;
    }
    return 0;
}
