// The hit-or-miss transform agrees with OpenCV's morphologyEx(MORPH_HITMISS)
// on real photos (binarised at 128) away from the border, for single
// elements of several sizes and for rotation sets (OpenCV: the OR of one
// call per element). OpenCV's erosion pads with a value that fits every
// element, so within reach of the border it matches where we (outside =
// background) may not: only pixels at least the element's reach inside are
// compared.
#include "cvtest.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace
{

// An element from text ("0 0 0; . 1 ."): cells in a vector the IsegSel views.
struct Elem {
    std::vector<uint8_t> cells;
    IsegSel sel{};
};

std::unique_ptr<Elem> parse(const char *text)
{
    auto e = std::make_unique<Elem>();
    int w = 0, cur = 0, h = 1;
    for (const char *p = text; *p; p++) {
        if (*p == ';') {
            w = cur;
            cur = 0;
            h++;
        } else if (*p == '1' || *p == '0' || *p == '.') {
            e->cells.push_back(*p == '1'   ? ISEG_SEL_HIT
                               : *p == '0' ? ISEG_SEL_MISS
                                           : ISEG_SEL_DONTCARE);
            cur++;
        }
    }
    if (!w)
        w = cur;
    e->sel.width = w;
    e->sel.height = h;
    e->sel.origin_x = w / 2;
    e->sel.origin_y = h / 2;
    e->sel.cells = e->cells.data();
    return e;
}

// Square elements: a quarter turn clockwise; 3x3: the ring one step clockwise.
std::unique_ptr<Elem> rotate(const Elem &s, bool by45)
{
    auto r = std::make_unique<Elem>(s);
    const int n = s.sel.width;
    if (by45) {
        static const int ring[8] = { 0, 1, 2, 5, 8, 7, 6, 3 };
        for (int k = 0; k < 8; k++)
            r->cells[ring[(k + 1) % 8]] = s.cells[ring[k]];
    } else {
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                r->cells[x * n + (n - 1 - y)] = s.cells[y * n + x];
    }
    r->sel.cells = r->cells.data();
    return r;
}

cv::Mat cv_kernel(const IsegSel &s)
{
    cv::Mat k(s.height, s.width, CV_32S);
    for (int y = 0; y < s.height; y++)
        for (int x = 0; x < s.width; x++) {
            const int c = s.cells[y * s.width + x];
            k.at<int>(y, x) = c == ISEG_SEL_HIT ? 1 : c == ISEG_SEL_MISS ? -1 : 0;
        }
    return k;
}

struct Case {
    const char *text;
    int rotations; // 1, 4 or 8
};

} // namespace

int main()
{
    static const Case cases[] = {
        { "0 0 0; . 1 .; 1 1 1", 1 }, // the thinning element (an edge detector)
        { "0 0 0; . 1 .; 1 1 1", 8 }, // its eight turns
        { ". 0 0; 1 1 0; . 1 .", 4 }, // the skeleton's corner element
        { "0 0 0; 0 1 0; 0 0 0", 1 }, // isolated points
        { "1 1 1; 1 1 1; 1 1 1", 1 }, // hits only: erosion
        { "0 . 0; 0 . 0; 0 1 0; 0 1 0; 0 1 0; 0 . 0; 0 . 0", 1 }, // the lecture's vertical lines
        { "1 1 1 1 1 1 1 1 1", 1 },                               // wide
        { "0 0 0 0; 0 1 1 0; 0 1 1 0; 0 0 0 0", 1 }, // even size: origin (2, 2) as OpenCV's anchor
        { "0 0 0 0 0; 0 1 1 1 0; 0 1 . 1 0; 0 1 1 1 0; 0 0 0 0 0", 4 }, // rings
        { "1 . . . 0; . 1 . 0 .; . . 1 . .; . 0 . 1 .; 0 . . . 1", 4 },
    };
    srand(5);
    int compared = 0;
    for (CvtImage &img : cvt_real_images()) {
        cv::Mat bin = img.gray >= 128; // 255 / 0, what MORPH_HITMISS expects
        IsegImage src = cvt_view(bin);
        for (const Case &c : cases) {
            std::vector<std::unique_ptr<Elem>> set;
            set.push_back(parse(c.text));
            for (int k = 1; k < c.rotations; k++)
                set.push_back(rotate(*set.back(), c.rotations == 8));
            std::vector<const IsegSel *> ptrs;
            int reach = 0;
            cv::Mat expected = cv::Mat::zeros(bin.size(), CV_8UC1);
            for (auto &e : set) {
                ptrs.push_back(&e->sel);
                reach = std::max({ reach, e->sel.width, e->sel.height });
                cv::Mat one;
                cv::morphologyEx(bin, one, cv::MORPH_HITMISS, cv_kernel(e->sel));
                expected |= one;
            }
            IsegHitmiss *hm = nullptr;
            cv::Mat mine(bin.size(), CV_8UC1);
            IsegImage dst = cvt_view(mine);
            IsegHitmissStats st{};
            CVT_CHECK(iseg_hitmiss_create(&hm, ISEG_HITMISS_HMT, ptrs.data(), (int)ptrs.size(),
                                          bin.cols, bin.rows) == 0,
                      "create");
            CVT_CHECK(iseg_hitmiss_run(hm, &src, &dst, 1, nullptr, &st) == 0, "run");
            iseg_hitmiss_destroy(hm);
            CVT_CHECK(st.matches == (uint64_t)cv::countNonZero(mine), "%s: matches", c.text);
            const cv::Rect inner(reach, reach, bin.cols - 2 * reach, bin.rows - 2 * reach);
            const int differ = cv::countNonZero(mine(inner) != expected(inner));
            CVT_CHECK(differ == 0, "%s (%d rotations) on %s: %d pixels differ", c.text, c.rotations,
                      img.name.c_str(), differ);
            compared++;
        }
    }
    std::printf("compared %d image x element-set pairs\n", compared);
    return cvt_finish();
}
