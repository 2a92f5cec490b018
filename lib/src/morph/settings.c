/* Grayscale morphology: default settings, names, the checks of settings and
 * elements, and the number of passes an operation makes. The lowest file of
 * the folder: everything else may call it, it calls nothing here. */
#include "morph_priv.h"

#include <string.h>

void iseg_morph_default_settings(IsegMorphSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->op = ISEG_MORPH_ERODE;
    s->iterations = 1;
    s->border = ISEG_MORPH_BORDER_REPLICATE;
}

const char *iseg_morph_op_name(IsegMorphOp op)
{
    static const char *const names[] = { "erode",    "dilate", "open",    "close",
                                         "gradient", "tophat", "blackhat" };
    return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

const char *iseg_morph_border_name(IsegMorphBorder border)
{
    return border == ISEG_MORPH_BORDER_REPLICATE ? "replicate"
           : border == ISEG_MORPH_BORDER_NEUTRAL ? "neutral"
                                                 : NULL;
}

int iseg_morph_settings_ok(const IsegMorphSettings *s)
{
    return s && (unsigned)s->op <= ISEG_MORPH_BLACKHAT && s->iterations >= 1 &&
           s->iterations <= ISEG_MORPH_MAX_ITERATIONS &&
           (s->border == ISEG_MORPH_BORDER_REPLICATE || s->border == ISEG_MORPH_BORDER_NEUTRAL) &&
           s->max_width >= 0 && s->max_height >= 0;
}

int iseg_morph_sel_ok(const IsegSel *sel)
{
    return sel && sel->cells && sel->width >= 1 && sel->width <= ISEG_SEL_MAX_SIDE &&
           sel->height >= 1 && sel->height <= ISEG_SEL_MAX_SIDE &&
           sel->origin_x == sel->width / 2 && sel->origin_y == sel->height / 2 &&
           iseg_sel_count(sel, ISEG_SEL_HIT) > 0;
}

int iseg_morph_passes(const IsegMorphSettings *s)
{
    const IsegMorphOp op = s->op;
    return op == ISEG_MORPH_ERODE || op == ISEG_MORPH_DILATE || op == ISEG_MORPH_GRADIENT
               ? s->iterations
               : 2 * s->iterations;
}
