/* Hit-or-miss: what a valid element and set are, and the built-in
 * skeleton set. The lowest file of the folder (the reference and the
 * context both call it). */
#include "hitmiss_priv.h"

#include <errno.h>
#include <string.h>

static int sel_check(const IsegSel *s)
{
    if (!s || !s->cells || s->width < 1 || s->height < 1 || s->width > ISEG_SEL_MAX_SIDE ||
        s->height > ISEG_SEL_MAX_SIDE)
        return -EINVAL;
    if (s->origin_x < 0 || s->origin_x >= s->width || s->origin_y < 0 || s->origin_y >= s->height)
        return -EINVAL;
    for (int i = 0; i < s->width * s->height; i++)
        if (s->cells[i] > ISEG_SEL_MISS)
            return -EINVAL;
    return 0;
}

/* The built-in skeleton set (hitmiss.h), cells row-major: 1 hit, 2 miss. */
static const uint8_t skeleton_cells[SKELETON_SET_SIZE][9] = {
    { 2, 2, 2, 0, 1, 0, 1, 1, 1 }, /* 0 0 0; . 1 .; 1 1 1 */
    { 0, 2, 2, 1, 1, 2, 0, 1, 0 }, /* . 0 0; 1 1 0; . 1 . */
    { 1, 0, 2, 1, 1, 2, 1, 0, 2 }, /* 1 . 0; 1 1 0; 1 . 0 */
    { 0, 1, 0, 1, 1, 2, 0, 2, 2 }, /* . 1 .; 1 1 0; . 0 0 */
    { 1, 1, 1, 0, 1, 0, 2, 2, 2 }, /* 1 1 1; . 1 .; 0 0 0 */
    { 0, 1, 0, 2, 1, 1, 2, 2, 0 }, /* . 1 .; 0 1 1; 0 0 . */
    { 2, 0, 1, 2, 1, 1, 2, 0, 1 }, /* 0 . 1; 0 1 1; 0 . 1 */
    { 2, 2, 0, 2, 1, 1, 0, 1, 0 }, /* 0 0 .; 0 1 1; . 1 . */
};

/* The set to use: `set` itself, or the built-in skeleton set (filled into b)
 * when a skeleton is asked for without one. */
const IsegSel *const *hm_resolve_set(IsegHitmissOp op, const IsegSel *const *set, int *n,
                                     BuiltinSet *b)
{
    if (op != ISEG_HITMISS_SKELETON || set || *n != 0)
        return set;
    memcpy(b->cells, skeleton_cells, sizeof(skeleton_cells));
    for (int k = 0; k < SKELETON_SET_SIZE; k++) {
        b->sels[k] = (IsegSel){ 3, 3, 1, 1, b->cells[k] };
        b->ptrs[k] = &b->sels[k];
    }
    *n = SKELETON_SET_SIZE;
    return b->ptrs;
}

int hm_set_check(IsegHitmissOp op, const IsegSel *const *set, int n)
{
    if (op < ISEG_HITMISS_HMT || op > ISEG_HITMISS_SKELETON || !set || n < 1 || n > MAX_SET)
        return -EINVAL;
    for (int k = 0; k < n; k++)
        if (sel_check(set[k]) < 0)
            return -EINVAL;
    return 0;
}
