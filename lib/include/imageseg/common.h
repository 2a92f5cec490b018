/* imageseg — common definitions shared by every public header.
 *
 * Conventions of the whole library:
 *  - Functions return 0 on success or a negative errno value (-EINVAL for bad
 *    arguments, -ENOMEM when an allocation fails). Nothing aborts.
 *  - Images are 8-bit, addressed by a pointer to the first pixel, a width and
 *    height in pixels and a stride in bytes (ptrdiff_t). Rows may be padded.
 *  - Contexts are opaque, created by iseg_*_create() and released by
 *    iseg_*_destroy(); destroy(NULL) is a no-op.
 *  - Nothing here depends on GLib or GStreamer.
 */
#ifndef IMAGESEG_COMMON_H
#define IMAGESEG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) || defined(__CYGWIN__)
#ifdef ISEG_BUILDING_DLL
#define ISEG_API __declspec(dllexport)
#else
#define ISEG_API
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define ISEG_API __attribute__((visibility("default")))
#else
#define ISEG_API
#endif

#ifdef __cplusplus
#define ISEG_BEGIN_DECLS extern "C" {
#define ISEG_END_DECLS   }
#else
#define ISEG_BEGIN_DECLS
#define ISEG_END_DECLS
#endif

ISEG_BEGIN_DECLS

/* Version of the library the caller runs against, e.g. "0.1.0". */
ISEG_API const char *iseg_version(void);

/* A short English description of a return code of this library. */
ISEG_API const char *iseg_strerror(int code);

ISEG_END_DECLS

#endif
