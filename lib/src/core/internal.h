/* Private helpers of libimageseg (not installed). */
#ifndef IMAGESEG_INTERNAL_H
#define IMAGESEG_INTERNAL_H

#include <imageseg/imageseg.h>

#define ISEG_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define ISEG_MAX(a, b)        ((a) > (b) ? (a) : (b))
#define ISEG_CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
#define ISEG_CEIL_SHIFT(v, s) (((v) + (1 << (s)) - 1) >> (s))

/* Set ISEG_FORCE_REFERENCE=1 in the environment to make every kernel that
 * has a fast path run its plain reference version instead (like libvips'
 * VIPS_NOVECTOR): lets anyone check a suspicious result against the
 * obviously-right code. Read once. */
int iseg_force_reference(void);

/* Kernels that profit from wider vectors are compiled twice from the same C
 * code: for the baseline instruction set and, on x86-64 with GCC or Clang,
 * for AVX2 (ISEG_TARGET_AVX2 on a wrapper that inlines an
 * ISEG_ALWAYS_INLINE body). The AVX2 copy is used when the CPU has AVX2 and
 * FMA and ISEG_NO_AVX2 is not set in the environment (so tests can run
 * both). ISEG_TARGET_AVX2 does not enable FMA, and the kernels evaluate every
 * pixel in the same order at any vector width, so both copies give
 * bit-identical results; ISEG_TARGET_AVX2_FMA lets the compiler fuse
 * a * b + c (one rounding instead of two), for float kernels whose result
 * is only specified to within rounding. The morphology row kernels, with
 * their many small functions, put ISEG_TARGET_AVX2 on every function of a
 * second copy of the same source instead (lib/src/morph/kernels.c);
 * iseg_morph_kernels() picks the table by iseg_use_avx2() too. No file is
 * compiled with -mavx2. ISEG_TARGET_AVX512VL_FMA is the AVX2 +
 * FMA target with AVX-512VL added (32 vector registers for the same 256-bit
 * code; the Gaussian's wide copy), used when iseg_use_avx512() holds. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ISEG_HAVE_AVX2   1
#define ISEG_TARGET_AVX2 __attribute__((target("avx2")))
#ifdef __clang__
#define ISEG_TARGET_AVX2_FMA     __attribute__((target("avx2,fma")))
#define ISEG_TARGET_AVX512VL_FMA __attribute__((target("avx2,fma,avx512f,avx512vl")))
#define ISEG_TARGET_AVX512       __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512dq")))
#else
#define ISEG_TARGET_AVX2_FMA __attribute__((target("avx2,fma"), optimize("fp-contract=fast")))
#define ISEG_TARGET_AVX512VL_FMA                                                                   \
    __attribute__((target("avx2,fma,avx512f,avx512vl"), optimize("fp-contract=fast")))
#define ISEG_TARGET_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512dq")))
#endif
#else
#define ISEG_HAVE_AVX2 0
#define ISEG_TARGET_AVX2
#define ISEG_TARGET_AVX2_FMA
#define ISEG_TARGET_AVX512VL_FMA
#define ISEG_TARGET_AVX512
#endif
#if defined(__GNUC__) || defined(__clang__)
#define ISEG_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ISEG_ALWAYS_INLINE inline
#endif

/* 1 if the bytes image a spans (first pixel to last) and those of b meet. */
int iseg_images_overlap(const IsegImage *a, const IsegImage *b);

/* Checks a (src, dst) pair of frames for the out-of-place frame functions:
 * both valid (iseg_frame_check), the same luma size and chroma layout
 * (n_chroma, shifts, chroma_pixel_stride; strides may differ), and either
 * the very same frame (in place: every plane at the same address with the
 * same stride) or no plane of one overlapping a plane of the other.
 * Returns 0, or -EINVAL. */
int iseg_frame_pair_check(const IsegFrame *src, const IsegFrame *dst);

/* 1 if dst describes exactly the planes of src (in place). */
int iseg_frame_same(const IsegFrame *src, const IsegFrame *dst);

/* Copies every luma pixel and chroma sample of src into dst (a pair that
 * passed iseg_frame_pair_check; nothing when they are the same frame). For
 * the reference fallbacks of the out-of-place functions. */
void iseg_frame_copy(const IsegFrame *src, IsegFrame *dst);

/* 1 if the AVX2 copies of the kernels should run (read once). */
int iseg_use_avx2(void);
/* 1 if the AVX2 kernels may also use AVX-512VL (32 vector registers): the
 * CPU has AVX-512F and VL, iseg_use_avx2() holds and ISEG_NO_AVX512 is not
 * set (read once). */
int iseg_use_avx512(void);

/* iseg_frame_apply_mask_to() for a mask that holds only 0 and 255: when it
 * is dst's luma (out of place) and output is MASK, the luma rows are the
 * output already and are not rewritten (only counted, if fg_count); the
 * chroma planes are set as usual. */
int iseg_frame_apply_binary_mask_to(const IsegFrame *src, IsegFrame *dst, const IsegImage *mask,
                                    IsegThresholdOutput output, IsegPool *pool, uint64_t *fg_count);

#endif
