/* k-means: what a label is written as: the palette, and the per-label
 * output colors of each output mode. */
#include "kmeans_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void iseg_kmeans_palette_color(int label, uint8_t rgb[3])
{
    /* Hues spaced by the golden angle, so any few consecutive labels are far
     * apart on the color wheel; three lightness levels and two saturations
     * in turn separate the labels whose hues come close. */
    const int i = label < 0 ? 0 : label % ISEG_KMEANS_MAX_K;
    const double h = fmod(0.1 + i * 0.6180339887498949, 1.0) * 6.0;
    const double v = (const double[]){ 0.95, 0.75, 0.55 }[i % 3];
    const double s = (i / 3) % 2 ? 0.6 : 0.9;
    const int sector = (int)h;
    const double f = h - sector;
    const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double r, g, b;
    switch (sector) {
    case 0:
        r = v;
        g = t;
        b = p;
        break;
    case 1:
        r = q;
        g = v;
        b = p;
        break;
    case 2:
        r = p;
        g = v;
        b = t;
        break;
    case 3:
        r = p;
        g = q;
        b = v;
        break;
    case 4:
        r = t;
        g = p;
        b = v;
        break;
    default:
        r = v;
        g = p;
        b = q;
        break;
    }
    rgb[0] = (uint8_t)(r * 255 + 0.5);
    rgb[1] = (uint8_t)(g * 255 + 0.5);
    rgb[2] = (uint8_t)(b * 255 + 0.5);
}

static uint8_t round_u8(double v)
{
    if (!(v > 0))
        return 0;
    if (v >= 255)
        return 255;
    return (uint8_t)(v + 0.5);
}

void km_output_table(const KmCenters *c, IsegKmeansOutput output, int gray, uint8_t table[KM_K][3])
{
    for (int j = 0; j < c->k; j++) {
        switch (output) {
        case ISEG_KMEANS_OUTPUT_CENTERS:
            for (int d = 0; d < 3; d++)
                table[j][d] = round_u8(c->canon[j][gray ? 0 : d]);
            break;
        case ISEG_KMEANS_OUTPUT_PALETTE:
            if (gray)
                table[j][0] = table[j][1] = table[j][2] =
                    (uint8_t)((255 * j + (c->k - 1) / 2) / (c->k - 1));
            else
                iseg_kmeans_palette_color(j, table[j]);
            break;
        default: table[j][0] = table[j][1] = table[j][2] = (uint8_t)j; break;
        }
    }
}
