// OpenCV's side of imageseg-pipeline-bench: the same jobs as the elements,
// on the same frame, one call each, src -> dst (as the elements work in a
// pipeline whose input they may not write).
#include "pipeline.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#if __has_include(<opencv2/ximgproc.hpp>)
#include <opencv2/ximgproc.hpp>
#define HAVE_XIMGPROC 1
#endif

#include <string>

// every OpenCV job here is on one 8-bit channel
static cv::Mat view(const PbFrame *f)
{
    return cv::Mat(f->height, f->width, CV_8UC1, f->data, (size_t)f->stride);
}

extern "C" const char *pb_cv_version(void)
{
    static const std::string version = cv::getVersionString();
    return version.c_str();
}

extern "C" void pb_cv_set_threads(unsigned n)
{
    cv::setNumThreads((int)n);
}

extern "C" int pb_cv_run(PbJob job, int size, const PbFrame *src, PbFrame *dst)
{
    cv::Mat s = view(src), d = view(dst);
    switch (job) {
    case PB_JOB_OTSU: cv::threshold(s, d, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU); return 0;
    case PB_JOB_ERODE_RECT:
        cv::erode(s, d, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(size, size)));
        return 0;
    case PB_JOB_ERODE_ELLIPSE:
        cv::erode(s, d, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(size, size)));
        return 0;
    case PB_JOB_GAUSSIAN:
        cv::adaptiveThreshold(s, d, 255, cv::ADAPTIVE_THRESH_GAUSSIAN_C, cv::THRESH_BINARY, size,
                              0);
        return 0;
    case PB_JOB_MEAN:
        cv::adaptiveThreshold(s, d, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY, size, 0);
        return 0;
    case PB_JOB_SKELETON:
#ifdef HAVE_XIMGPROC
        cv::ximgproc::thinning(s, d, cv::ximgproc::THINNING_ZHANGSUEN);
        return 0;
#else
        return -1;
#endif
    case PB_JOB_REGIONS: {
        static thread_local cv::Mat labels, stats, centroids;
        cv::connectedComponentsWithStats(s, labels, stats, centroids, 8, CV_32S);
        return 0;
    }
    default: return -1;
    }
}
