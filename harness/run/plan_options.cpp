// The text of the run's list options: comma-separated lists, integer ranges (1-8, 0-100:+25,
// 1-16:x2), --workers and --param NAME=VALUE. Every bad item is bad input naming what is allowed.
#include <fmt/core.h>

#include "bad_input.hpp"
#include "plan.hpp"
#include "text_utils.hpp"

namespace parbench {

std::vector<std::string> split_list(std::string_view text, std::string_view what) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const auto item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      throw BadInput(
          fmt::format("{}: '{}' is not a comma-separated list (empty item)", what, text));
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<std::string>> expand_range(std::string_view item, std::string_view what) {
  std::string_view range = item, step = "+1";
  if (const auto colon = item.find(':'); colon != std::string_view::npos) {
    range = item.substr(0, colon);
    step = item.substr(colon + 1);
  }
  // The dash between the ends: not a leading sign, not inside an exponent (1e-3 is no range).
  const auto dash = range.find('-', 1);
  if (dash == std::string_view::npos || range[dash - 1] == 'e' || range[dash - 1] == 'E')
    return std::nullopt;
  std::int64_t from = 0, to = 0, by = 0;
  const bool ends =
      parse_integer(range.substr(0, dash), from) && parse_integer(range.substr(dash + 1), to);
  if (!ends) return std::nullopt;
  const bool geometric = !step.empty() && step[0] == 'x';
  const bool steps = (geometric || (!step.empty() && step[0] == '+')) &&
                     parse_integer(step.substr(1), by) && by >= (geometric ? 2 : 1);
  if (!steps || from > to || from < 0 || (geometric && from < 1)) {
    throw BadInput(fmt::format(
        "{}: '{}' is not a range; expected FROM-TO (every integer), FROM-TO:+STEP or "
        "FROM-TO:xFACTOR "
        "with 0 <= FROM <= TO (1 <= FROM for a factor), e.g. 1-8, 0-100:+25, 1-16:x2, 8-1Mi:x8",
        what, item));
  }
  std::vector<std::string> out;
  for (std::int64_t v = from; v <= to; v = geometric ? v * by : v + by) {
    out.push_back(std::to_string(v));
    if (out.size() > kMaxRangeValues) {
      throw BadInput(fmt::format("{}: '{}' gives more than {} values; take a larger step", what,
                                 item, kMaxRangeValues));
    }
  }
  return out;
}

std::vector<std::string> split_values(std::string_view text, std::string_view what) {
  std::vector<std::string> out;
  for (auto& item : split_list(text, what)) {
    if (auto range = expand_range(item, what)) {
      out.insert(out.end(), range->begin(), range->end());
    } else {
      out.push_back(std::move(item));
    }
  }
  return out;
}

std::vector<int> parse_workers(std::string_view text) {
  std::vector<int> out;
  for (const auto& item : split_values(text, "--workers")) {
    std::int64_t v = 0;
    if (!parse_integer(item, v) || v < 1 || v > kMaxWorkers) {
      throw BadInput(
          fmt::format("--workers: '{}' is not a worker count; expected integers from 1 to {}", item,
                      kMaxWorkers));
    }
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::pair<std::string, std::vector<std::string>> parse_param_option(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw BadInput(fmt::format("--param: '{}' is not NAME=VALUE[,VALUE...]", text));
  }
  // Split once the parameter's kind is known (param_values): a text value keeps its commas.
  return {std::string(text.substr(0, eq)), {std::string(text.substr(eq + 1))}};
}

}  // namespace parbench
