#include "change_points.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace parbench {
namespace {

struct Best {
  std::size_t split = 0;  // offset within the segment
  double q = -1;
};

// The split of v (at least min_size on each side) with the largest energy statistic, in O(n^2):
// moving the split by one moves one point from the right side to the left, which changes each of
// the three sums by that point's distances to one side.
Best best_split(const std::vector<double>& v, std::size_t min_size, double exponent) {
  auto dist = [exponent](double a, double b) {
    const double d = std::fabs(a - b);
    return exponent == 2 ? d * d : exponent == 1 ? d : std::pow(d, exponent);
  };
  const std::size_t n = v.size();
  Best best{0, -std::numeric_limits<double>::infinity()};
  if (n < 2 * min_size) return best;
  double within_left = 0, within_right = 0, between = 0;
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t k = j + 1; k < n; ++k) within_right += dist(v[j], v[k]);
  }
  for (std::size_t t = 1; t < n; ++t) {
    // Point t-1 leaves the right side for the left.
    const std::size_t m = t - 1;
    double to_left = 0, to_right = 0;
    for (std::size_t i = 0; i < m; ++i) to_left += dist(v[m], v[i]);
    for (std::size_t j = m + 1; j < n; ++j) to_right += dist(v[m], v[j]);
    within_left += to_left;
    within_right -= to_right;
    between += to_right - to_left;
    if (t < min_size || n - t < min_size) continue;
    const auto left = static_cast<double>(t), right = static_cast<double>(n - t);
    const double pairs_left = left * (left - 1) / 2, pairs_right = right * (right - 1) / 2;
    const double e = 2 * between / (left * right) -
                     (pairs_left > 0 ? within_left / pairs_left : 0) -
                     (pairs_right > 0 ? within_right / pairs_right : 0);
    const double q = left * right / static_cast<double>(n) * e;
    if (q > best.q) best = {t, q};
  }
  return best;
}

// Binary segmentation: the segments still to search, each split where it is significant.
void search(const std::vector<double>& x, const ChangePointOptions& o, std::mt19937_64& rng,
            std::vector<std::pair<std::size_t, double>>& found) {
  std::vector<std::pair<std::size_t, std::size_t>> todo = {{0, x.size()}};
  while (!todo.empty()) {
    const auto [begin, end] = todo.back();
    todo.pop_back();
    if (end - begin < 2 * o.min_size) continue;
    std::vector<double> seg(x.begin() + static_cast<std::ptrdiff_t>(begin),
                            x.begin() + static_cast<std::ptrdiff_t>(end));
    const Best observed = best_split(seg, o.min_size, o.exponent);
    if (observed.q <= 0) continue;
    int as_large = 0;
    std::vector<double> shuffled = seg;
    for (int i = 0; i < o.permutations; ++i) {
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      if (best_split(shuffled, o.min_size, o.exponent).q >= observed.q) ++as_large;
    }
    const double p = (as_large + 1.0) / (o.permutations + 1.0);
    if (p >= o.alpha) continue;
    const std::size_t at = begin + observed.split;
    found.emplace_back(at, p);
    todo.emplace_back(at, end);
    todo.emplace_back(begin, at);
  }
}

double mean(const std::vector<double>& x, std::size_t begin, std::size_t end) {
  return std::accumulate(x.begin() + static_cast<std::ptrdiff_t>(begin),
                         x.begin() + static_cast<std::ptrdiff_t>(end), 0.0) /
         static_cast<double>(end - begin);
}

}  // namespace

std::vector<ChangePoint> find_change_points(const std::vector<double>& x,
                                            const ChangePointOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<std::pair<std::size_t, double>> found;  // index, p-value where it was found
  search(x, options, rng, found);
  std::sort(found.begin(), found.end());
  std::vector<ChangePoint> out;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const std::size_t before = i == 0 ? 0 : found[i - 1].first;
    const std::size_t after = i + 1 < found.size() ? found[i + 1].first : x.size();
    out.push_back({found[i].first, found[i].second, mean(x, before, found[i].first),
                   mean(x, found[i].first, after)});
  }
  return out;
}

}  // namespace parbench
