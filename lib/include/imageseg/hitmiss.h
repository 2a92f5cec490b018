/* imageseg — the hit-or-miss transform, thinning, thickening and skeletons
 * of binary images (the lecture's "hit-and-miss": opening looks only at the
 * foreground, hit-or-miss also asks where the background must be).
 *
 * Images are 8-bit; a pixel is foreground iff its value is >= 128. Results are
 * written as 255 (foreground) / 0 (background). Outside the frame is
 * background.
 *
 * Elements are IsegSel values (sel.h) read as hit-or-miss elements: cell
 * ISEG_SEL_HIT must be foreground, ISEG_SEL_MISS must be background,
 * ISEG_SEL_DONTCARE is ignored, all relative to the element's origin placed
 * on the pixel (the same, unreflected window as erosion). An element whose
 * cells are all don't-care matches everywhere.
 *
 * Operations on a set of elements B1..Bn (the order matters for thin and
 * thicken):
 *  - hitmiss:  the union of HMT(A, Bi): 255 where some element matches.
 *  - thin:     A = A - HMT(A, Bi) for i = 1..n in turn, each Bi seeing the
 *              result of the previous one (within one Bi all pixels are
 *              decided on the same image). That is one pass; `iterations`
 *              passes are run, 0 meaning until a pass changes nothing.
 *  - thicken:  A = A | HMT(A, Bi') in turn, Bi' being Bi with hit and miss
 *              swapped (the dual of thin: complement, thin, complement, with
 *              the outside of the frame staying background for A).
 *  - skeleton: thin until a pass changes nothing, whatever `iterations` says.
 *              Without a set (NULL, 0) the built-in thinning set below is
 *              used: the result is one pixel wide in the 8-connected sense
 *              (lines carry no redundant 4-connected corners; 2x2 blocks
 *              can remain only where three or more branches meet), keeps
 *              the 8-connected components of the foreground and the
 *              4-connected components of the background (holes), and keeps
 *              line end points. See docs/hitmiss.md.
 *
 * Passes: a run stops early when a pass changes nothing; that pass is
 * counted. hitmiss always runs one pass.
 */
#ifndef IMAGESEG_HITMISS_H
#define IMAGESEG_HITMISS_H

#include <imageseg/image.h>
#include <imageseg/parallel.h>
#include <imageseg/sel.h>

ISEG_BEGIN_DECLS

/* The default element of the hitmiss element and the classic thinning
 * element (Gonzalez & Woods' B1): top row background, bottom row foreground.
 * Its 8 rotations by 45 degrees are Gonzalez & Woods' thinning set, whose
 * result keeps redundant 4-connected corners (they convert it to
 * m-connectivity afterwards). */
#define ISEG_HITMISS_THINNING_SEL "0 0 0; . 1 .; 1 1 1"

/* The built-in skeleton set is a pair, each with its quarter turns: the
 * edge element above and this corner element (background above-right,
 * foreground left and below), applied in the order edge, corner, each turned
 * 0, 90, 180, 270 degrees clockwise:
 *   "0 0 0; . 1 .; 1 1 1"   ". 0 0; 1 1 0; . 1 ."
 *   "1 . 0; 1 1 0; 1 . 0"   ". 1 .; 1 1 0; . 0 0"
 *   "1 1 1; . 1 .; 0 0 0"   ". 1 .; 0 1 1; 0 0 ."
 *   "0 . 1; 0 1 1; 0 . 1"   "0 0 .; 0 1 1; . 1 ."
 * (the pair of the Hypermedia Image Processing Reference's thinning page).
 * Each element removes only simple points and, applied in parallel, keeps
 * connectivity; the corner element removes the corners Gonzalez & Woods'
 * set leaves. */
#define ISEG_HITMISS_SKELETON_EDGE   ISEG_HITMISS_THINNING_SEL
#define ISEG_HITMISS_SKELETON_CORNER ". 0 0; 1 1 0; . 1 ."

typedef enum IsegHitmissOp {
    ISEG_HITMISS_HMT = 0,
    ISEG_HITMISS_THIN = 1,
    ISEG_HITMISS_THICKEN = 2,
    ISEG_HITMISS_SKELETON = 3,
} IsegHitmissOp;

/* How a set is made from one element. */
typedef enum IsegHitmissRotations {
    ISEG_HITMISS_ROTATE_AUTO = 0, /* NONE for hitmiss; 8 for thin, thicken and
                                     skeleton when the element is 3x3, else 4 */
    ISEG_HITMISS_ROTATE_NONE = 1, /* the element alone */
    ISEG_HITMISS_ROTATE_4 = 4,    /* B, then B turned by 90, 180, 270 degrees
                                     clockwise (iseg_sel_rotate90) */
    ISEG_HITMISS_ROTATE_8 = 8,    /* 3x3 only: B, then B turned by 45, 90, ...
                                     315 degrees clockwise (iseg_sel_rotate45) */
} IsegHitmissRotations;

typedef struct IsegHitmissStats {
    /* hitmiss: foreground pixels written (pixels where some element
     * matches). thin / skeleton: pixels removed. thicken: pixels added. */
    uint64_t matches;
    /* Passes over the whole set that were run (hitmiss: 1). */
    unsigned passes;
} IsegHitmissStats;

/* Prepared operation: the compiled set plus scratch for one frame size. */
typedef struct IsegHitmiss IsegHitmiss;

/* Prepares `op` with the n_sels elements of `set` (copied: the caller keeps
 * ownership of set) for width x height frames. ISEG_HITMISS_SKELETON also
 * accepts set NULL and n_sels 0: the built-in skeleton set. Elements may
 * have any size 1..ISEG_SEL_MAX_SIDE and any origin inside them. Scratch is
 * allocated here, once. Returns -EINVAL for a bad op, size, NULL or
 * malformed element (cell value other than HIT, MISS, DONTCARE; origin
 * outside), n_sels < 1 or > 64; -ENOMEM. */
ISEG_API int iseg_hitmiss_create(IsegHitmiss **out, IsegHitmissOp op, const IsegSel *const *set,
                                 int n_sels, int width, int height);

/* As iseg_hitmiss_create() with the set made of sel and its rotations, each
 * turned one more step clockwise than the previous, the origin turning with
 * the cells (every cell keeps its offset from the origin, rotated).
 * ROTATE_8 with an element that is not 3x3 is -EINVAL. For
 * ISEG_HITMISS_SKELETON, sel NULL selects the built-in set. */
ISEG_API int iseg_hitmiss_create_rotated(IsegHitmiss **out, IsegHitmissOp op, const IsegSel *sel,
                                         IsegHitmissRotations rotations, int width, int height);

/* Builds the list of elements iseg_hitmiss_create_rotated() uses: *out_set
 * receives a malloc'd array of *out_n elements, released with
 * iseg_hitmiss_set_free(). */
ISEG_API int iseg_hitmiss_build_set(IsegSel ***out_set, int *out_n, IsegHitmissOp op,
                                    const IsegSel *sel, IsegHitmissRotations rotations);
ISEG_API void iseg_hitmiss_set_free(IsegSel **set, int n);

ISEG_API void iseg_hitmiss_destroy(IsegHitmiss *hm);

/* Runs the prepared operation on src (width x height as prepared) and writes
 * 255/0 to dst. src and dst may be the same image (in place) but must not
 * otherwise overlap. iterations: thin/thicken passes, 0 = until nothing
 * changes; ignored by hitmiss and skeleton. stats may be NULL. pool may be
 * NULL; the output and stats do not depend on the pool size (hitmiss splits
 * rows across it; thin, thicken and skeleton use it to pack and unpack the
 * frame and thin on the calling thread). Reads only the
 * width x height pixels of src, writes only those of dst. One run at a time
 * per context. */
ISEG_API int iseg_hitmiss_run(IsegHitmiss *hm, const IsegImage *src, IsegImage *dst,
                              unsigned iterations, IsegPool *pool, IsegHitmissStats *stats);

/* Plain reference: follows the definitions above literally, one pixel and
 * one element cell at a time, on byte images. Same arguments (set NULL, 0
 * for the built-in skeleton set) and results as iseg_hitmiss_run();
 * allocates its scratch per call. Slow. */
ISEG_API int iseg_hitmiss_ref(IsegHitmissOp op, const IsegSel *const *set, int n_sels,
                              const IsegImage *src, IsegImage *dst, unsigned iterations,
                              IsegHitmissStats *stats);

ISEG_END_DECLS

#endif
