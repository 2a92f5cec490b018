/* Sets of hit-or-miss elements made from one element and its rotations. */
#include "hitmiss_priv.h"

#include <errno.h>
#include <stdlib.h>

void iseg_hitmiss_set_free(IsegSel **set, int n)
{
    if (!set)
        return;
    for (int k = 0; k < n; k++)
        iseg_sel_free(set[k]);
    free(set);
}

int iseg_hitmiss_build_set(IsegSel ***out_set, int *out_n, IsegHitmissOp op, const IsegSel *sel,
                           IsegHitmissRotations rotations)
{
    if (!out_set || !out_n || !sel || op < ISEG_HITMISS_HMT || op > ISEG_HITMISS_SKELETON)
        return -EINVAL;
    *out_set = NULL;
    *out_n = 0;
    const int square3 = sel->width == 3 && sel->height == 3;
    int n;
    switch (rotations) {
    case ISEG_HITMISS_ROTATE_AUTO: n = op == ISEG_HITMISS_HMT ? 1 : square3 ? 8 : 4; break;
    case ISEG_HITMISS_ROTATE_NONE: n = 1; break;
    case ISEG_HITMISS_ROTATE_4: n = 4; break;
    case ISEG_HITMISS_ROTATE_8:
        if (!square3)
            return -EINVAL;
        n = 8;
        break;
    default: return -EINVAL;
    }
    IsegSel **set = calloc((size_t)n, sizeof(*set));
    if (!set)
        return -ENOMEM;
    int ret = iseg_sel_copy(&set[0], sel);
    if (ret == 0) {
        set[0]->origin_x = sel->origin_x;
        set[0]->origin_y = sel->origin_y;
    }
    /* each element is the previous one turned one more step clockwise, its
     * origin turning with the cells */
    static const int ring[8] = { 0, 1, 2, 5, 8, 7, 6, 3 };
    for (int k = 1; k < n && ret == 0; k++) {
        const IsegSel *prev = set[k - 1];
        if (n == 8) {
            ret = iseg_sel_rotate45(&set[k], prev);
            if (ret < 0)
                break;
            const int o = prev->origin_y * 3 + prev->origin_x;
            int turned = o;
            for (int i = 0; i < 8; i++)
                if (ring[i] == o)
                    turned = ring[(i + 1) % 8];
            set[k]->origin_x = turned % 3;
            set[k]->origin_y = turned / 3;
        } else {
            ret = iseg_sel_rotate90(&set[k], prev);
            if (ret < 0)
                break;
            /* cell (x, y) of prev goes to (prev->height - 1 - y, x) */
            set[k]->origin_x = prev->height - 1 - prev->origin_y;
            set[k]->origin_y = prev->origin_x;
        }
    }
    if (ret < 0) {
        iseg_hitmiss_set_free(set, n);
        return ret;
    }
    *out_set = set;
    *out_n = n;
    return 0;
}

int iseg_hitmiss_create_rotated(IsegHitmiss **out, IsegHitmissOp op, const IsegSel *sel,
                                IsegHitmissRotations rotations, int width, int height)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (op == ISEG_HITMISS_SKELETON && !sel)
        return iseg_hitmiss_create(out, op, NULL, 0, width, height);
    IsegSel **set;
    int n;
    int ret = iseg_hitmiss_build_set(&set, &n, op, sel, rotations);
    if (ret < 0)
        return ret;
    ret = iseg_hitmiss_create(out, op, (const IsegSel *const *)set, n, width, height);
    iseg_hitmiss_set_free(set, n);
    return ret;
}
