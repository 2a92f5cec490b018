// k-means quality against OpenCV on real photos: our inertia (one cold
// start with the element's defaults: k-means++, 10 iterations, epsilon 1)
// is at most 3% above the best of three cv::kmeans runs (k-means++, 10
// iterations), for k = 4 and 8, in color and in gray. Both inertias are sums
// of squared distances over every pixel, so they compare directly.
#include "cvtest.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

static double cv_best_of_3(const cv::Mat &img, int k)
{
    cv::Mat samples;
    img.reshape(1, img.rows * img.cols).convertTo(samples, CV_32F);
    double best = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        cv::setRNGSeed(attempt + 1);
        cv::Mat labels, centers;
        const double c =
            cv::kmeans(samples, k, labels, cv::TermCriteria(cv::TermCriteria::COUNT, 10, 0), 1,
                       cv::KMEANS_PP_CENTERS, centers);
        if (attempt == 0 || c < best)
            best = c;
    }
    return best;
}

static double ours(cv::Mat &img, int k, IsegKmeansResult *res)
{
    IsegPixels px;
    iseg_pixels_init(&px, img.channels() == 1 ? ISEG_PIXEL_GRAY8 : ISEG_PIXEL_BGR, img.data,
                     img.cols, img.rows, (ptrdiff_t)img.step[0]);
    IsegKmeans *km = nullptr;
    iseg_kmeans_create(&km, img.cols, img.rows);
    IsegKmeansSettings s;
    iseg_kmeans_default_settings(&s);
    s.k = k;
    if (getenv("KM_EPS"))
        s.epsilon = atof(getenv("KM_EPS"));
    const int err = iseg_kmeans_segment(km, &s, &px, nullptr, nullptr, res, nullptr);
    iseg_kmeans_destroy(km);
    return err == 0 ? res->inertia : -1;
}

int main()
{
    cv::setNumThreads(1);
    int compared = 0;
    double worst = 0;
    for (CvtImage &img : cvt_real_images()) {
        if (img.name.find("crop") != std::string::npos)
            continue; // cv::kmeans is slow: the full photos are enough here
        for (int gray = 0; gray < 2; gray++)
            for (int k = 4; k <= 8; k += 4) {
                cv::Mat m = gray ? img.gray : img.bgr;
                IsegKmeansResult res;
                const double mine = ours(m, k, &res);
                const double theirs = cv_best_of_3(m, k);
                const double ratio = theirs > 0 ? mine / theirs : (mine == 0 ? 1 : 1e9);
                std::printf("%-14s %s k=%d: inertia %.6g, OpenCV best of 3 %.6g, ratio %.4f\n",
                            img.name.c_str(), gray ? "gray " : "color", k, mine, theirs, ratio);
                CVT_CHECK(mine >= 0 && ratio <= 1.03, "%s %s k=%d: ratio %.4f", img.name.c_str(),
                          gray ? "gray" : "color", k, ratio);
                worst = std::max(worst, ratio);
                compared++;
            }
    }
    std::printf("compared %d cases, worst ratio %.4f\n", compared, worst);
    return cvt_finish();
}
