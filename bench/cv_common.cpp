// OpenCV glue shared by every section: version, parallel framework, thread
// count. OpenCV's own parallel_for_ (TBB, pthreads, OpenMP: whichever it was
// built with) is limited with cv::setNumThreads(); with 1 it runs the loop
// body on the calling thread, which is what the single-thread rows compare.
#include "bench.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>

#include <string>

extern "C" const char *bench_cv_version(void)
{
    // the library's version at run time, not the headers'
    static const std::string version = cv::getVersionString();
    return version.c_str();
}

// The "Parallel framework:" line of cv::getBuildInformation() (4.6 has no
// public call for it).
extern "C" const char *bench_cv_parallel_framework(void)
{
    static std::string name;
    if (name.empty()) {
        const std::string info = cv::getBuildInformation();
        const std::string key = "Parallel framework:";
        const size_t at = info.find(key);
        if (at == std::string::npos) {
            name = "unknown";
        } else {
            const size_t begin = info.find_first_not_of(" \t", at + key.size());
            const size_t end = info.find('\n', begin);
            name = info.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        }
    }
    return name.c_str();
}

extern "C" void bench_cv_set_threads(unsigned n)
{
    cv::setNumThreads((int)n);
}
