/* The project's built-in test scene (tools/scene.c), shared by the
 * imageseg-scene tool and the tests that score the elements against the
 * scene's ground truth. Plain C, no GLib. */
#ifndef IMAGESEG_TOOLS_SCENE_H
#define IMAGESEG_TOOLS_SCENE_H

#include <stdint.h>

/* Renders frame t (t >= 0) of the scene at w x h into rgb (w * h * 3 bytes,
 * packed R, G, B, rows w * 3 apart). If truth is not NULL, it receives the
 * scene's true object mask (w * h bytes): 255 where a dark object lies (ink,
 * ball, square, triangle, ring, line), 0 on the paper. Every object is
 * darker than the paper around it under the same illumination. */
void scene_render(uint8_t *rgb, uint8_t *truth, int w, int h, int t);

/* BT.601 studio-range luma of one RGB pixel, as a --pgm still gives it. */
uint8_t scene_luma(const uint8_t *p);

#endif
