// The report as plain text for a terminal or a log: the case table with aligned columns.
#include <fmt/core.h>

#include <algorithm>

#include "report_render.hpp"

namespace parbench {
namespace {

std::string aligned(const WorkloadTable& t) {
  std::vector<std::vector<std::string>> rows{t.header};
  rows.insert(rows.end(), t.rows.begin(), t.rows.end());
  std::vector<std::size_t> right;
  for (std::size_t i = t.left; i + 1 < t.header.size(); ++i) right.push_back(i);
  return format_text_table(rows, right);
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
    for (const auto& section : page.headline) {
      out += fmt::format("\n{}\n", section.title);
      for (const auto& line : section.lines) out += fmt::format("  - {}\n", line);
    }
    for (const auto& t : page.tables) {
      out += fmt::format("\n{}\n", t.workload);
      if (!t.shared.empty()) out += fmt::format("every case: {}\n", shared_text(t));
      out += aligned(t);
      if (!t.stacks.empty()) out += fmt::format("{}\n", kStackTitle);
      for (const auto& line : t.stacks) out += fmt::format("  {}\n", line);
    }
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
