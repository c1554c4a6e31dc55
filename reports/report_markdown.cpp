// The report as markdown (a pull request comment, a wiki page): the plots are links to the PNG
// files written beside it.
#include <fmt/core.h>

#include <filesystem>

#include "report_render.hpp"

namespace parbench {
namespace {

std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

class MarkdownRenderer final : public ReportRenderer {
 public:
  [[nodiscard]] std::string_view name() const override { return "md"; }
  [[nodiscard]] std::string_view extension() const override { return "md"; }
  [[nodiscard]] std::string render(const ReportPage& page) const override {
    std::string md = fmt::format("# parbench report: {}\n\n{}\n\n", page.name, page.counts);
    if (!page.command.empty()) md += fmt::format("Command: `{}`\n\n", page.command);
    if (!page.job.empty()) md += fmt::format("Job: {}\n\n", page.job);
    if (!page.context.empty()) md += fmt::format("Context: {}\n\n", page.context);
    for (const auto& section : page.headline) {
      md += fmt::format("## {}\n\n", section.title);
      for (const auto& line : section.lines) md += fmt::format("- {}\n", line);
      md += "\n";
    }
    md += "## Cases\n";
    for (const auto& t : page.tables) {
      md += fmt::format("\n### {}\n\n", t.workload);
      if (!t.shared.empty()) md += fmt::format("Every case: {}\n\n", shared_text(t));
      md += "|";
      for (const auto& c : t.header) md += fmt::format(" {} |", c);
      md += "\n|";
      // Figures right-aligned, names and the status left.
      for (std::size_t i = 0; i < t.header.size(); ++i)
        md += i >= t.left && i + 1 < t.header.size() ? " ---: |" : " --- |";
      md += "\n";
      for (const auto& r : t.rows) {
        md += "|";
        for (const auto& c : r) md += fmt::format(" {} |", cell(c));
        md += "\n";
      }
      if (!t.stacks.empty()) md += fmt::format("\n{}\n\n", kStackTitle);
      for (const auto& line : t.stacks) md += fmt::format("- {}\n", line);
    }
    md += fmt::format("\n{}\n", kTableNotes);
    if (!page.comparisons.empty())
      md += fmt::format("\n## Comparisons\n\n```{}```\n", page.comparisons);
    if (!page.plots.empty()) md += "\n## Plots\n";
    if (!page.plots_missing.empty())
      md += fmt::format("\n## Plots\n\nNo plot could be drawn: {}.\n", page.plots_missing);
    for (const auto& p : page.plots) {
      md += fmt::format("\n### {}\n\n![{}]({})\n", p.title, p.title,
                        std::filesystem::path(p.png_path).filename().string());
    }
    // The machine last: the results come first.
    if (!page.machine.empty()) md += fmt::format("\n## Machine\n\n```\n{}\n```\n", page.machine);
    return md;
  }
};

}  // namespace

std::unique_ptr<ReportRenderer> make_markdown_renderer() {
  return std::make_unique<MarkdownRenderer>();
}

}  // namespace parbench
