// regions agrees with cv::connectedComponentsWithStats on real masks: the
// photos of cvt_real_images() (and their odd crops) thresholded with Otsu
// and with OpenCV's adaptive mean threshold, both polarities (documents,
// photos, silhouettes), OpenCV's sudoku.png, and random masks from 1x1 to
// odd sizes; 4- and 8-connectivity.
//  - against CCL_WU (SAUF, a raster scan): the same labels pixel for pixel,
//    the same area, left, top, width, height, and centroids equal to
//    sum / area within 1e-9 relative;
//  - against the default algorithm (Spaghetti for 8, SAUF for 4): the same
//    partition and statistics up to a renumbering (Spaghetti scans 2x2
//    blocks, so it may meet components in another order).
#include "cvtest.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <map>

static long long pixels_compared, masks_compared;

static void compare(const std::string &name, const cv::Mat &mask, int conn)
{
    cv::Mat m = mask.clone(); // contiguous
    IsegImage src = cvt_view(m);
    IsegRegions *ctx = nullptr;
    CVT_CHECK(iseg_regions_create(&ctx, m.cols, m.rows) == 0, "create");
    cv::Mat ours(m.rows, m.cols, CV_32S);
    const IsegRegion *r = nullptr;
    const int n = iseg_regions_label(ctx, &src, 128, conn, (int32_t *)ours.data,
                                     (ptrdiff_t)(ours.step[0] / sizeof(int32_t)), &r, nullptr);
    cv::Mat cvm = m >= 128; // OpenCV: any nonzero pixel is foreground
    for (int alg : { (int)cv::CCL_WU, (int)cv::CCL_DEFAULT }) {
        cv::Mat labels, stats, centroids;
        const int nc = cv::connectedComponentsWithStats(cvm, labels, stats, centroids, conn, CV_32S,
                                                        alg) -
                       1; // without the background
        CVT_CHECK(n == nc, "%s conn %d alg %d: %d components, OpenCV %d", name.c_str(), conn, alg,
                  n, nc);
        if (n != nc)
            continue;
        // map OpenCV's labels to ours (identity for CCL_WU)
        std::vector<int> to_ours(nc + 1, -1), to_cv(n + 1, -1);
        bool bijective = true;
        for (int y = 0; y < m.rows && bijective; y++)
            for (int x = 0; x < m.cols; x++) {
                const int a = ours.at<int>(y, x), b = labels.at<int>(y, x);
                if ((a == 0) != (b == 0) || (to_ours[b] >= 0 && to_ours[b] != a) ||
                    (to_cv[a] >= 0 && to_cv[a] != b)) {
                    bijective = false;
                    break;
                }
                to_ours[b] = a;
                to_cv[a] = b;
            }
        CVT_CHECK(bijective, "%s conn %d alg %d: not the same partition", name.c_str(), conn, alg);
        if (!bijective)
            continue;
        if (alg == cv::CCL_WU) {
            bool same = true;
            for (int l = 1; l <= n; l++)
                same &= to_ours[l] == l || to_ours[l] == -1;
            CVT_CHECK(same, "%s conn %d: labels numbered differently from CCL_WU", name.c_str(),
                      conn);
        }
        for (int l = 1; l <= n; l++) {
            const IsegRegion &g = r[l - 1];
            const int b = to_cv[l];
            const bool ok = b > 0 && stats.at<int>(b, cv::CC_STAT_AREA) == g.area &&
                            stats.at<int>(b, cv::CC_STAT_LEFT) == g.x &&
                            stats.at<int>(b, cv::CC_STAT_TOP) == g.y &&
                            stats.at<int>(b, cv::CC_STAT_WIDTH) == g.width &&
                            stats.at<int>(b, cv::CC_STAT_HEIGHT) == g.height &&
                            std::fabs(centroids.at<double>(b, 0) - iseg_region_cx(&g)) <=
                                1e-9 * (1 + std::fabs(iseg_region_cx(&g))) &&
                            std::fabs(centroids.at<double>(b, 1) - iseg_region_cy(&g)) <=
                                1e-9 * (1 + std::fabs(iseg_region_cy(&g)));
            if (!ok) {
                CVT_CHECK(ok, "%s conn %d alg %d: label %d statistics differ", name.c_str(), conn,
                          alg, l);
                break;
            }
        }
    }
    pixels_compared += (long long)m.rows * m.cols;
    masks_compared++;
    iseg_regions_destroy(ctx);
}

int main()
{
    std::vector<CvtImage> photos = cvt_real_images();
    cv::Mat sudoku =
        cv::imread("/usr/share/doc/opencv-doc/examples/data/sudoku.png", cv::IMREAD_GRAYSCALE);
    CVT_CHECK(!sudoku.empty(), "sudoku.png (opencv-doc) missing");
    if (!sudoku.empty())
        photos.push_back({ "sudoku.png", cv::Mat(), sudoku });
    for (CvtImage &p : photos) {
        cv::Mat otsu, adapt;
        cv::threshold(p.gray, otsu, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
        cv::adaptiveThreshold(p.gray, adapt, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY, 15,
                              5);
        for (int conn : { 4, 8 }) {
            compare(p.name + " otsu", otsu, conn);
            compare(p.name + " otsu inverted", 255 - otsu, conn);
            compare(p.name + " adaptive", adapt, conn);
            compare(p.name + " adaptive inverted", 255 - adapt, conn);
        }
    }
    cv::RNG rng(7);
    for (int i = 0; i < 300; i++) {
        const int w = i < 20 ? 1 + i % 4 : rng.uniform(1, 160),
                  h = i < 20 ? 1 + i / 4 : rng.uniform(1, 120);
        cv::Mat noise(h, w, CV_8UC1);
        rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
        const int level = rng.uniform(1, 256);
        cv::Mat mask = noise >= level;
        compare("random " + std::to_string(w) + "x" + std::to_string(h), mask, i % 2 ? 8 : 4);
    }
    std::printf("regions vs OpenCV: %lld masks, %lld pixels (CCL_WU exact, default up to "
                "renumbering)\n",
                masks_compared, pixels_compared);
    return cvt_finish();
}
