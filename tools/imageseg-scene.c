/* imageseg-scene: writes the project's built-in test scene as raw RGB
 * frames (or one PPM still) so the demo, the docs pictures and the examples
 * need no input files.
 *
 * The scene is made to exercise every element: a sheet of "text" under a
 * strong illumination gradient (where one global threshold fails and local
 * thresholds work), coloured shapes that move (k-means, morphology), thin
 * lines and a ring (hit-or-miss, skeletons), and sensor-like noise.
 *
 *   imageseg-scene [--size WxH] [--frames N] [--ppm FRAME | --pgm FRAME] > out
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void render(uint8_t *rgb, int w, int h, int t)
{
    const double cx = w * (0.62 + 0.22 * sin(t * 0.05)), cy = h * (0.35 + 0.15 * cos(t * 0.07));
    const double r = h * 0.13;
    const double sq_x = w * (0.6 + 0.25 * sin(t * 0.031 + 1.0)), sq_y = h * 0.72, sq = h * 0.11;
    const double tri_x = w * 0.85, tri_y = h * (0.6 + 0.2 * sin(t * 0.043)), tri = h * 0.14;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            /* paper lit from the top left, falling off strongly */
            const double light = 0.25 + 0.75 * (1.0 - 0.5 * ((double)x / w + (double)y / h));
            double R = 225 * light, G = 215 * light, B = 195 * light;
            if (ink(x, y, w, h)) {
                R *= 0.35;
                G *= 0.35;
                B *= 0.4;
            }
            const double dx = x - cx, dy = y - cy, d2 = dx * dx + dy * dy;
            if (d2 < r * r) { /* red ball with shading */
                const double s = 1.0 - 0.4 * d2 / (r * r);
                R = 230 * s;
                G = 50 * s;
                B = 40 * s;
            }
            if (fabs(x - sq_x) < sq && fabs(y - sq_y) < sq) { /* green square */
                R = 40;
                G = 170;
                B = 70;
            }
            const double ty = y - (tri_y - tri), tx = fabs(x - tri_x);
            if (ty >= 0 && ty < 2 * tri && tx < ty * 0.6) { /* blue triangle */
                R = 50;
                G = 70;
                B = 200;
            }
            const double ring = sqrt((x - w * 0.8) * (x - w * 0.8) + (y - h * 0.2) * (y - h * 0.2));
            if (fabs(ring - h * 0.09) < 1.6) { /* thin dark ring */
                R = G = B = 30;
            }
            if (abs(x - (int)(w * 0.55)) <= 1 && y > h / 10 && y < h * 9 / 10) { /* thin line */
                R = G = B = 20;
            }
            const double n = (double)(hash3((uint32_t)x, (uint32_t)y, (uint32_t)t) & 31) - 15.5;
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)clampd(R + n);
            p[1] = (uint8_t)clampd(G + n);
            p[2] = (uint8_t)clampd(B + n);
        }
}

int main(int argc, char **argv)
{
    int w = 640, h = 360, frames = 150, ppm = -1, pgm = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 1 || h < 1 || w > 8192 || h > 8192) {
                fprintf(stderr, "imageseg-scene: --size wants WxH (1..8192), got %s\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--frames") && i + 1 < argc) {
            frames = atoi(argv[++i]);
        } else if ((!strcmp(argv[i], "--ppm") || !strcmp(argv[i], "--pgm")) && i + 1 < argc) {
            pgm = !strcmp(argv[i], "--pgm");
            ppm = atoi(argv[++i]);
        } else {
            fprintf(stderr,
                    "usage: %s [--size WxH] [--frames N] [--ppm FRAME | --pgm FRAME] > output\n"
                    "Writes raw RGB frames (or one binary PPM or gray PGM still) to stdout.\n",
                    argv[0]);
            return 2;
        }
    }
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb)
        return 1;
    if (ppm >= 0) {
        render(rgb, w, h, ppm);
        if (pgm) {
            /* BT.601 luma, as videoconvert gives GRAY8 */
            for (size_t i = 0; i < (size_t)w * h; i++)
                rgb[i] =
                    (uint8_t)((66 * rgb[3 * i] + 129 * rgb[3 * i + 1] + 25 * rgb[3 * i + 2] + 128) /
                                  256 +
                              16);
            printf("P5\n%d %d\n255\n", w, h);
            fwrite(rgb, 1, (size_t)w * h, stdout);
        } else {
            printf("P6\n%d %d\n255\n", w, h);
            fwrite(rgb, 3, (size_t)w * h, stdout);
        }
    } else {
        for (int t = 0; t < frames; t++) {
            render(rgb, w, h, t);
            if (fwrite(rgb, 3, (size_t)w * h, stdout) != (size_t)w * h)
                break; /* reader went away */
        }
    }
    free(rgb);
    return 0;
}
