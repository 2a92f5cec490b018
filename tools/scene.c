/* The built-in scene: a sheet of "text" under a strong illumination
 * gradient (where one global threshold fails and local thresholds work),
 * coloured shapes that move (k-means, morphology), thin lines and a ring
 * (hit-or-miss, skeletons), and sensor-like noise.
 *
 * Every surface is a reflectance lit by the same light: the paper, the ink
 * and the shapes all darken towards the bottom right. (The shapes used to be
 * drawn in a constant colour, as if they glowed, so that the green square
 * was brighter than the paper under it and the triangle's bottom brighter
 * than the corner; no object in a real photo does that, and a threshold
 * that then calls part of the square "paper" is right, not wrong.) The ink,
 * the ring and the line are printed on the paper and the shapes lie on top,
 * so no thin dark stroke crosses a shape (a window holding only a dark shape
 * and a darker line has two dark levels, which a two-class threshold splits:
 * docs/adaptivethreshold.md, "Scored against the scene"). */
#include "scene.h"

#include <math.h>
#include <stdlib.h>

static uint32_t hash3(uint32_t x, uint32_t y, uint32_t z)
{
    uint32_t h = x * 374761393u + y * 668265263u + z * 2147483647u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return h ^ (h >> 16);
}

static double clampd(double v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* 1 where the "text" block has ink: words of glyph-like strokes. */
static int ink(int x, int y, int w, int h)
{
    const int x0 = w / 20, x1 = w / 2, y0 = h / 8, y1 = h - h / 8;
    if (x < x0 || x >= x1 || y < y0 || y >= y1)
        return 0;
    const int line_h = h / 14 > 6 ? h / 14 : 6;
    const int ly = (y - y0) % line_h, line = (y - y0) / line_h;
    if (ly < line_h / 5 || ly >= line_h - line_h / 4)
        return 0;
    const int glyph_w = line_h / 2 > 3 ? line_h / 2 : 3;
    const int gx = (x - x0) % glyph_w, glyph = (x - x0) / glyph_w;
    if ((hash3((uint32_t)glyph, (uint32_t)line, 7) % 6) == 0)
        return 0; /* space between words */
    const uint32_t shape = hash3((uint32_t)glyph, (uint32_t)line, 11);
    const int stroke = glyph_w / 4 > 1 ? glyph_w / 4 : 1;
    const int gh = line_h - line_h / 5 - line_h / 4;
    const int gy = ly - line_h / 5;
    if (gx >= glyph_w - 1)
        return 0;
    if ((shape & 1) && gx < stroke)
        return 1; /* left stem */
    if ((shape & 2) && gx >= glyph_w - 1 - stroke)
        return 1; /* right stem */
    if ((shape & 4) && gy < stroke)
        return 1; /* top bar */
    if ((shape & 8) && gy >= gh - stroke)
        return 1; /* bottom bar */
    if ((shape & 16) && abs(gy - gh / 2) < stroke / 2 + 1)
        return 1; /* middle bar */
    return 0;
}

void scene_render(uint8_t *rgb, uint8_t *truth, int w, int h, int t)
{
    const double cx = w * (0.62 + 0.22 * sin(t * 0.05)), cy = h * (0.35 + 0.15 * cos(t * 0.07));
    const double r = h * 0.13;
    const double sq_x = w * (0.6 + 0.25 * sin(t * 0.031 + 1.0)), sq_y = h * 0.72, sq = h * 0.11;
    const double tri_x = w * 0.85, tri_y = h * (0.6 + 0.2 * sin(t * 0.043)), tri = h * 0.14;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            /* light from the top left, falling off strongly */
            const double light = 0.25 + 0.75 * (1.0 - 0.5 * ((double)x / w + (double)y / h));
            /* reflectances (0..255 under full light) */
            double R = 225, G = 215, B = 195;
            int object = 0;
            if (ink(x, y, w, h)) {
                R *= 0.35;
                G *= 0.35;
                B *= 0.4;
                object = 1;
            }
            /* the ring and the line are printed on the paper, under the shapes */
            const double ring = sqrt((x - w * 0.8) * (x - w * 0.8) + (y - h * 0.2) * (y - h * 0.2));
            if (fabs(ring - h * 0.09) < 1.6) { /* thin dark ring */
                R = G = B = 30;
                object = 1;
            }
            if (abs(x - (int)(w * 0.55)) <= 1 && y > h / 10 && y < h * 9 / 10) { /* thin line */
                R = G = B = 20;
                object = 1;
            }
            const double dx = x - cx, dy = y - cy, d2 = dx * dx + dy * dy;
            if (d2 < r * r) { /* red ball with shading */
                const double s = 1.0 - 0.4 * d2 / (r * r);
                R = 230 * s;
                G = 50 * s;
                B = 40 * s;
                object = 1;
            }
            if (fabs(x - sq_x) < sq && fabs(y - sq_y) < sq) { /* green square */
                R = 25;
                G = 115;
                B = 45;
                object = 1;
            }
            const double ty = y - (tri_y - tri), tx = fabs(x - tri_x);
            if (ty >= 0 && ty < 2 * tri && tx < ty * 0.6) { /* blue triangle */
                R = 50;
                G = 70;
                B = 200;
                object = 1;
            }
            const double n = (double)(hash3((uint32_t)x, (uint32_t)y, (uint32_t)t) & 31) - 15.5;
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)clampd(R * light + n);
            p[1] = (uint8_t)clampd(G * light + n);
            p[2] = (uint8_t)clampd(B * light + n);
            if (truth)
                truth[(size_t)y * w + x] = object ? 255 : 0;
        }
}

uint8_t scene_luma(const uint8_t *p)
{
    return (uint8_t)((66 * p[0] + 129 * p[1] + 25 * p[2] + 128) / 256 + 16);
}
