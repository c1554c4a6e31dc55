// The report as plain text for a terminal or a log: the case table with aligned columns.
#include <fmt/core.h>

#include <algorithm>

#include "report_render.hpp"

namespace parbench {
namespace {

std::string aligned(const ReportTable& t) {
  std::vector<std::size_t> width(t.header.size(), 0);
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  };
  measure(t.header);
  for (const auto& r : t.rows) measure(r);
  const auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      out += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], width[i]);
    }
    return out + "\n";
  };
  std::string out = line(t.header);
  for (const auto& r : t.rows) out += line(r);
  return out;
}

class TextRenderer final : public ReportRenderer {
 public:
  [[nodiscard]] std::string_view name() const override { return "txt"; }
  [[nodiscard]] std::string_view extension() const override { return "txt"; }
  [[nodiscard]] std::string render(const ReportPage& page) const override {
    std::string out = fmt::format("parbench report: {}\n{}\n", page.name, page.counts);
    if (!page.command.empty()) out += fmt::format("command: {}\n", page.command);
    if (!page.job.empty()) out += fmt::format("job: {}\n", page.job);
    if (!page.context.empty()) out += fmt::format("context: {}\n", page.context);
    out += "\n";
    for (const auto& c : page.constant_params) out += fmt::format("every case of {}\n", c);
    out += aligned(page.cases);
    if (!page.comparisons.empty()) out += page.comparisons;
    if (!page.machine.empty()) out += fmt::format("\nmachine\n{}", page.machine);
    for (const auto& p : page.plots) out += fmt::format("plot: {} ({})\n", p.title, p.png_path);
    if (!page.plots_missing.empty())
      out += fmt::format("no plot could be drawn: {}\n", page.plots_missing);
    return out;
  }
};

}  // namespace

std::unique_ptr<ReportRenderer> make_text_renderer() { return std::make_unique<TextRenderer>(); }

}  // namespace parbench
