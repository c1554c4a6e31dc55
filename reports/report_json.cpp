// The report as JSON, for tools: the same page as values (the case table as objects keyed by its
// header), plots by file name.
#include <nlohmann/json.hpp>

#include "report_files.hpp"
#include "report_render.hpp"

namespace parbench {
namespace {

class JsonRenderer final : public ReportRenderer {
 public:
  [[nodiscard]] std::string_view name() const override { return "json"; }
  [[nodiscard]] std::string_view extension() const override { return "json"; }
  [[nodiscard]] std::string render(const ReportPage& page) const override {
    nlohmann::json cases = nlohmann::json::array();
    nlohmann::json shared = nlohmann::json::object();
    for (const auto& t : page.tables) {
      if (!t.shared.empty()) shared[t.workload] = shared_text(t);
      for (std::size_t i = 0; i < t.rows.size(); ++i) {
        nlohmann::json c = {{"workload", t.workload}};
        const auto& row = t.rows[i];
        for (std::size_t k = 0; k < row.size() && k < t.header.size(); ++k) c[t.header[k]] = row[k];
        c["failed"] = t.failed[i];
        cases.push_back(std::move(c));
      }
    }
    nlohmann::json headline = nlohmann::json::array();
    for (const auto& section : page.headline)
      headline.push_back({{"title", section.title}, {"lines", section.lines}});
    nlohmann::json plots = nlohmann::json::array();
    for (const auto& p : page.plots) plots.push_back({{"title", p.title}, {"png", p.png_path}});
    return json_text({{"name", page.name},
                      {"counts", page.counts},
                      {"command", page.command},
                      {"context", page.context},
                      {"headline", headline},
                      {"shared_params", shared},
                      {"plots_missing", page.plots_missing},
                      {"job", page.job},
                      {"machine", page.machine},
                      {"cases", cases},
                      {"comparisons", page.comparisons},
                      {"plots", plots}});
  }
};

}  // namespace

std::unique_ptr<ReportRenderer> make_json_renderer() { return std::make_unique<JsonRenderer>(); }

}  // namespace parbench
