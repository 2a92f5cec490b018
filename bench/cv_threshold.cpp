// OpenCV counterparts of the threshold section, over raw buffers. When src
// and dst are the same pointer the call is made in place on one cv::Mat, as
// an OpenCV user would write it.
#include "bench.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" {
double bench_cv_threshold_otsu(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                               ptrdiff_t dst_stride, int width, int height);
void bench_cv_threshold_binary(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                               ptrdiff_t dst_stride, int width, int height, double thresh);
void bench_cv_histogram(const uint8_t *src, ptrdiff_t src_stride, int width, int height,
                        uint64_t hist[256]);
}

static double threshold(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                        ptrdiff_t dst_stride, int width, int height, double thresh, int type)
{
    cv::Mat d(height, width, CV_8UC1, dst, (size_t)dst_stride);
    if (src == dst)
        return cv::threshold(d, d, thresh, 255, type);
    const cv::Mat s(height, width, CV_8UC1, const_cast<uint8_t *>(src), (size_t)src_stride);
    return cv::threshold(s, d, thresh, 255, type);
}

// Returns OpenCV's threshold t (foreground iff value > t).
double bench_cv_threshold_otsu(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                               ptrdiff_t dst_stride, int width, int height)
{
    return threshold(src, src_stride, dst, dst_stride, width, height, 0,
                     cv::THRESH_BINARY | cv::THRESH_OTSU);
}

void bench_cv_threshold_binary(const uint8_t *src, ptrdiff_t src_stride, uint8_t *dst,
                               ptrdiff_t dst_stride, int width, int height, double thresh)
{
    threshold(src, src_stride, dst, dst_stride, width, height, thresh, cv::THRESH_BINARY);
}

// cv::calcHist into a float histogram kept between calls (as a caller
// would), then converted: 256 values, negligible next to the frame.
void bench_cv_histogram(const uint8_t *src, ptrdiff_t src_stride, int width, int height,
                        uint64_t hist[256])
{
    static thread_local cv::Mat h;
    const cv::Mat s(height, width, CV_8UC1, const_cast<uint8_t *>(src), (size_t)src_stride);
    const int channels[] = { 0 };
    const int bins[] = { 256 };
    const float range[] = { 0, 256 };
    const float *ranges[] = { range };
    cv::calcHist(&s, 1, channels, cv::noArray(), h, 1, bins, ranges);
    for (int v = 0; v < 256; v++)
        hist[v] = (uint64_t)h.at<float>(v);
}
